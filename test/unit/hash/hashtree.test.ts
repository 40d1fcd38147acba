/** Merkle hash trees: frozen known answers, proofs per leaf, tampering, missing uncles, atomicity. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { BadHashError, NotEnoughHashesError } from '../../../src/core/hash/errors.js';
import { HashTree, IncompleteHashTree, emptyLeafHash, pairHash } from '../../../src/core/hash/hashtree.js';
import { TAG_BLOCK } from '../../../src/core/hash/tags.js';
import { taggedHash } from '../../../src/core/hash/tagged.js';

const vectors = JSON.parse(readFileSync(new URL('../../vectors/hashtree.json', import.meta.url), 'utf8')) as {
  source: string;
  trees: { leafCount: number; leavesHex: string[]; rootHex: string; nodesHex: string[] }[];
};

function leavesOf(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, j) => taggedHash(TAG_BLOCK, new TextEncoder().encode(`block ${j}`)));
}

function flipBit(h: Uint8Array, bit: number): Uint8Array {
  const out = h.slice();
  out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
  return out;
}

function freshTree(t: HashTree): IncompleteHashTree {
  const iht = new IncompleteHashTree(t.leafCount);
  iht.setRoot(t.root);
  return iht;
}

describe('known answers (transcription of Tahoe hashtree.py, bric tags)', () => {
  it('names its source', () => expect(vectors.source).toMatch(/hashtree\.py/));
  for (const v of vectors.trees) {
    it(`${v.leafCount} leaves`, () => {
      const leaves = v.leavesHex.map(hexToBytes);
      expect(leaves).toEqual(leavesOf(v.leafCount));
      const t = new HashTree(leaves);
      expect(bytesToHex(t.root)).toBe(v.rootHex);
      expect(t.nodeCount).toBe(v.nodesHex.length);
      for (let i = 0; i < t.nodeCount; i++) expect(bytesToHex(t.node(i))).toBe(v.nodesHex[i]);
    });
  }
  it('padding leaves are empty-leaf hashes of the leaf number; interior nodes pair hashes', () => {
    const t = new HashTree(leavesOf(5));
    expect(t.node(7 + 5)).toEqual(emptyLeafHash(5));
    expect(t.node(7 + 7)).toEqual(emptyLeafHash(7));
    expect(t.node(3)).toEqual(pairHash(t.node(7), t.node(8)));
    expect(t.root).toEqual(pairHash(t.node(1), t.node(2)));
  });
  it('one leaf: the root is the leaf and nothing else is needed', () => {
    const [leaf] = leavesOf(1);
    const t = new HashTree([leaf!]);
    expect(t.root).toEqual(leaf);
    expect(t.neededHashes(0)).toEqual([]);
    const iht = freshTree(t);
    iht.setHashes(new Map(), new Map([[0, leaf!]]));
    expect(iht.getLeaf(0)).toEqual(leaf);
    expect(() => freshTree(t).setHashes(new Map(), new Map([[0, flipBit(leaf!, 0)]]))).toThrow(BadHashError);
  });
});

describe('neededHashes', () => {
  it("matches Tahoe's docstring example: 8 leaves, leaf 0 needs 8, 4, 2 (and 7 with the leaf)", () => {
    const t = new HashTree(leavesOf(8));
    expect(new Set(t.neededHashes(0))).toEqual(new Set([2, 4, 8]));
    expect(new Set(t.neededHashes(0, true))).toEqual(new Set([2, 4, 7, 8]));
    expect([...t.chain(5).keys()].sort((a, b) => a - b)).toEqual([1, 6, 11]); // leaf 5 = node 12: uncles 11, 6, 1
  });
  it('IncompleteHashTree asks only for what it does not know', () => {
    const t = new HashTree(leavesOf(8));
    const iht = new IncompleteHashTree(8);
    expect(iht.neededHashes(0, true).sort()).toEqual(t.neededHashes(0, true).sort());
    iht.setRoot(t.root);
    iht.setHashes(t.chain(0), new Map([[0, t.node(7)]]));
    expect(iht.neededHashes(0, true)).toEqual([]);
    expect(iht.neededHashes(1, true)).toEqual([]); // leaf 1's hash was the uncle of leaf 0
    expect(iht.neededHashes(2)).toEqual([10]);
    expect(iht.neededHashes(7).sort()).toEqual([13, 5].sort());
  });
  it('rejects out-of-range leaves', () => {
    const t = new HashTree(leavesOf(3));
    for (const bad of [-1, 3, 1.5, Number.NaN]) {
      expect(() => t.neededHashes(bad)).toThrow(RangeError);
      expect(() => new IncompleteHashTree(3).getLeaf(bad)).toThrow(RangeError);
    }
  });
});

describe('proofs', () => {
  it('property: every leaf verifies with its chain, in any order, and every flipped bit is caught', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.nat(), fc.nat(), (n, pick, bit) => {
        const leaves = leavesOf(n);
        const t = new HashTree(leaves);
        const j = pick % n;
        // Fresh tree: the chain of j proves leaf j.
        const iht = freshTree(t);
        iht.setHashes(t.chain(j), new Map([[j, leaves[j]!]]));
        expect(iht.getLeaf(j)).toEqual(leaves[j]);
        // Flip one bit in the leaf: BadHashError, and nothing kept.
        const bad = freshTree(t);
        expect(() => bad.setHashes(t.chain(j), new Map([[j, flipBit(leaves[j]!, bit)]]))).toThrow(BadHashError);
        // (With one leaf the leaf is the root, known from the start.)
        expect(bad.getLeaf(j)).toEqual(n === 1 ? leaves[0] : undefined);
        expect(bad.neededHashes(j)).toEqual(t.neededHashes(j));
        // Flip one bit in one uncle.
        const chain = t.chain(j);
        const keys = [...chain.keys()];
        if (keys.length > 0) {
          const k = keys[bit % keys.length]!;
          chain.set(k, flipBit(chain.get(k)!, bit));
          const bad2 = freshTree(t);
          expect(() => bad2.setHashes(chain, new Map([[j, leaves[j]!]]))).toThrow(BadHashError);
          expect(bad2.neededHashes(j)).toEqual(t.neededHashes(j));
          // Drop one uncle: NotEnoughHashesError, nothing kept.
          const short = t.chain(j);
          short.delete(k);
          const bad3 = freshTree(t);
          expect(() => bad3.setHashes(short, new Map([[j, leaves[j]!]]))).toThrow(NotEnoughHashesError);
          expect(bad3.getLeaf(j)).toBeUndefined();
          expect(bad3.neededHashes(j)).toEqual(t.neededHashes(j));
        }
      }),
    );
  });
  it('all leaves of a tree verify one after another into one IncompleteHashTree', () => {
    const n = 37;
    const leaves = leavesOf(n);
    const t = new HashTree(leaves);
    const iht = freshTree(t);
    for (let j = 0; j < n; j++) {
      const needed = iht.neededHashes(j);
      const hashes = new Map(needed.map((i) => [i, t.node(i)] as const));
      iht.setHashes(hashes, new Map([[j, leaves[j]!]]));
      expect(iht.getLeaf(j)).toEqual(leaves[j]);
    }
  });
  it('a wrong root rejects a correct chain', () => {
    const leaves = leavesOf(6);
    const t = new HashTree(leaves);
    const iht = new IncompleteHashTree(6);
    iht.setRoot(flipBit(t.root, 9));
    expect(() => iht.setHashes(t.chain(2), new Map([[2, leaves[2]!]]))).toThrow(BadHashError);
  });
  it('after a failure the tree still accepts the honest chain (state was untouched)', () => {
    const leaves = leavesOf(16);
    const t = new HashTree(leaves);
    const iht = freshTree(t);
    const chain = t.chain(9);
    const forged = new Map(chain);
    forged.set(1, flipBit(chain.get(1)!, 3)); // top uncle forged, lower ones honest
    expect(() => iht.setHashes(forged, new Map([[9, leaves[9]!]]))).toThrow(BadHashError);
    expect(iht.neededHashes(9)).toEqual(t.neededHashes(9));
    iht.setHashes(chain, new Map([[9, leaves[9]!]]));
    expect(iht.getLeaf(9)).toEqual(leaves[9]);
    expect(iht.getNode(1)).toEqual(t.node(1));
    expect(iht.getNode(5)).toEqual(t.node(5)); // computed on the way up from leaf 9 (node 24 → 11 → 5 → 2)
    expect(iht.getNode(7)).toBeUndefined();
    expect(() => iht.getNode(31)).toThrow(RangeError);
    // Verified nodes are now fixed: a different value for a known node is a BadHashError.
    expect(() => iht.setHashes(new Map([[1, flipBit(chain.get(1)!, 0)]]))).toThrow(BadHashError);
    // The same value again is fine and changes nothing.
    iht.setHashes(new Map([[1, chain.get(1)!]]));
  });
});

describe('misuse and hostile input', () => {
  const t = new HashTree(leavesOf(4));
  it('setHashes before setRoot is NotEnoughHashesError', () => {
    expect(() => new IncompleteHashTree(4).setHashes(t.chain(0), new Map([[0, t.node(3)]]))).toThrow(
      /root hash is not set/,
    );
  });
  it('a root different from the one set is BadHashError; the same root again is fine', () => {
    const iht = freshTree(t);
    iht.setRoot(t.root);
    expect(() => iht.setRoot(flipBit(t.root, 1))).toThrow(BadHashError);
    expect(() => iht.setHashes(new Map([[0, flipBit(t.root, 1)]]))).toThrow(BadHashError);
  });
  it('conflicting leaf and node values are BadHashError', () => {
    const iht = freshTree(t);
    const hashes = t.chain(0);
    hashes.set(3, t.node(4));
    expect(() => iht.setHashes(hashes, new Map([[0, t.node(3)]]))).toThrow(/conflicting/);
  });
  it('a hash of the wrong length from a peer is BadHashError; bad indices are RangeError', () => {
    const iht = freshTree(t);
    expect(() => iht.setHashes(new Map([[4, new Uint8Array(31)]]), new Map([[0, t.node(3)]]))).toThrow(BadHashError);
    expect(() => iht.setHashes(new Map([[7, t.node(4)]]))).toThrow(RangeError);
    expect(() => iht.setHashes(new Map([[-1, t.node(4)]]))).toThrow(RangeError);
    expect(() => iht.setHashes(new Map(), new Map([[4, t.node(4)]]))).toThrow(RangeError);
    expect(() => iht.setHashes(new Map([[4, 'x' as unknown as Uint8Array]]))).toThrow(TypeError);
  });
  it('a chain without a leaf verifies the uncles among themselves only if they reach a known node', () => {
    const iht = freshTree(t);
    // Nodes 3 and 4 (leaves 0, 1) with sibling 2 prove node 1 → root.
    iht.setHashes(new Map([[3, t.node(3)], [4, t.node(4)], [2, t.node(2)]]));
    expect(iht.getLeaf(0)).toEqual(t.node(3));
    expect(() => freshTree(t).setHashes(new Map([[5, t.node(5)]]))).toThrow(NotEnoughHashesError);
  });
  it('constructors validate', () => {
    expect(() => new HashTree([])).toThrow(RangeError);
    expect(() => new HashTree([new Uint8Array(31)])).toThrow(RangeError);
    expect(() => new HashTree('x' as unknown as Uint8Array[])).toThrow(TypeError);
    for (const bad of [0, -1, 1.5, 2 ** 51]) expect(() => new IncompleteHashTree(bad)).toThrow(RangeError);
    expect(() => t.node(7)).toThrow(RangeError);
  });
  it('a huge IncompleteHashTree costs only what it knows', () => {
    const big = new IncompleteHashTree(2 ** 40);
    expect(big.neededHashes(2 ** 40 - 1)).toHaveLength(40);
  });
  it('subarray leaves at a non-zero offset work and are copied', () => {
    const buf = new Uint8Array(32 * 3 + 1);
    const leaves = leavesOf(3);
    leaves.forEach((l, j) => buf.set(l, 1 + 32 * j));
    const views = [0, 1, 2].map((j) => buf.subarray(1 + 32 * j, 33 + 32 * j));
    const tv = new HashTree(views);
    expect(tv.root).toEqual(new HashTree(leaves).root);
    buf.fill(0);
    expect(tv.node(3)).toEqual(leaves[0]);
  });
});
