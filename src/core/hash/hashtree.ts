/**
 * Merkle hash trees as Tahoe's hashtree.py: a complete binary tree in an array (root = node 0,
 * children of i are 2i+1 and 2i+2), leaves padded to a power of two with empty-leaf hashes of
 * the leaf number, interior nodes the tagged pair hash of their children. HashTree is built by
 * the encoder; IncompleteHashTree lets a downloader verify blocks one chain at a time.
 * @module
 */
import { assertBytes, equalBytes } from '../bytes.js';
import { BadHashError, NotEnoughHashesError } from './errors.js';
import { TAG_MERKLE_EMPTY_LEAF, TAG_MERKLE_INTERIOR } from './tags.js';
import { taggedHash, taggedPairHash } from './tagged.js';

/** Every node of a hash tree is a full SHA-256d output. */
export const HASH_BYTES = 32;

/** Largest leaf count an IncompleteHashTree accepts: node indices up to 2^52 stay safe integers. */
const MAX_TREE_LEAVES = 2 ** 50;

/** Hash of the padding leaf at leaf number `leafNum` (Tahoe's empty_leaf_hash: the decimal number). */
export function emptyLeafHash(leafNum: number): Uint8Array {
  const digits = String(leafNum);
  const bytes = new Uint8Array(digits.length);
  for (let i = 0; i < digits.length; i++) bytes[i] = digits.charCodeAt(i);
  return taggedHash(TAG_MERKLE_EMPTY_LEAF, bytes);
}

/** Hash of an interior node from its left and right child (Tahoe's pair_hash). */
export function pairHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  return taggedPairHash(TAG_MERKLE_INTERIOR, left, right);
}

function roundupPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** Level of node i: 0 for the root, 1 for nodes 1–2, 2 for nodes 3–6, … */
function depthOf(i: number): number {
  let d = 0;
  for (let x = i + 1; x >= 2; x = Math.floor(x / 2)) d++;
  return d;
}

function assertLeafCount(n: number): void {
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_TREE_LEAVES) {
    throw new RangeError(`"leafCount" must be an integer from 1 to 2^50, got ${n}`);
  }
}

function assertLeafIndex(leafIndex: number, leafCount: number): void {
  if (!Number.isSafeInteger(leafIndex) || leafIndex < 0 || leafIndex >= leafCount) {
    throw new RangeError(`leaf ${leafIndex} is out of range: the tree has ${leafCount} leaves`);
  }
}

/** Siblings on the path from node `node` up to (not including) the root, bottom first. */
function uncles(node: number): number[] {
  const out: number[] = [];
  for (let here = node; here !== 0; here = Math.floor((here - 1) / 2)) {
    out.push(here % 2 === 1 ? here + 1 : here - 1);
  }
  return out;
}

/** A complete tree over known leaf hashes (the encoder's side). */
export class HashTree {
  readonly leafCount: number;
  /** Index of leaf 0 in the node array (leaves occupy the last power-of-two slots). */
  private readonly firstLeaf: number;
  private readonly nodes: Uint8Array[];

  constructor(leafHashes: Uint8Array[]) {
    if (!Array.isArray(leafHashes)) throw new TypeError('"leafHashes" expected an array');
    assertLeafCount(leafHashes.length);
    const width = roundupPow2(leafHashes.length);
    this.leafCount = leafHashes.length;
    this.firstLeaf = width - 1;
    const nodes = new Array<Uint8Array>(2 * width - 1);
    for (let j = 0; j < width; j++) {
      const leaf = leafHashes[j];
      if (leaf !== undefined) assertBytes(leaf, `leafHashes[${j}]`, HASH_BYTES);
      nodes[this.firstLeaf + j] = leaf !== undefined ? leaf.slice() : emptyLeafHash(j);
    }
    for (let i = this.firstLeaf - 1; i >= 0; i--) nodes[i] = pairHash(nodes[2 * i + 1]!, nodes[2 * i + 2]!);
    this.nodes = nodes;
  }

  get root(): Uint8Array {
    return this.nodes[0]!.slice();
  }

  /** Number of nodes in the array (2·width − 1). */
  get nodeCount(): number {
    return this.nodes.length;
  }

  node(i: number): Uint8Array {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.nodes.length) {
      throw new RangeError(`node ${i} is out of range: the tree has ${this.nodes.length} nodes`);
    }
    return this.nodes[i]!.slice();
  }

  /**
   * Node indices a verifier holding only the root needs to check leaf `leafIndex`: the uncle
   * chain, bottom first, never the root; the leaf's own node first when `includeLeaf`.
   */
  neededHashes(leafIndex: number, includeLeaf = false): number[] {
    assertLeafIndex(leafIndex, this.leafCount);
    const node = this.firstLeaf + leafIndex;
    const out = uncles(node);
    if (includeLeaf) out.unshift(node);
    return out;
  }

  /** The uncle chain of a leaf as node index → hash, ready for IncompleteHashTree.setHashes. */
  chain(leafIndex: number): Map<number, Uint8Array> {
    const out = new Map<number, Uint8Array>();
    for (const i of this.neededHashes(leafIndex)) out.set(i, this.nodes[i]!.slice());
    return out;
  }
}

/**
 * A tree known only in part (the downloader's side). It starts from a trusted root and accepts a
 * new hash only once it connects, through pair hashes, to a node it already trusts.
 */
export class IncompleteHashTree {
  readonly leafCount: number;
  private readonly firstLeaf: number;
  private readonly size: number;
  /** Verified nodes only. A Map, so a tree with millions of leaves costs only what is known. */
  private readonly known = new Map<number, Uint8Array>();

  constructor(leafCount: number) {
    assertLeafCount(leafCount);
    const width = roundupPow2(leafCount);
    this.leafCount = leafCount;
    this.firstLeaf = width - 1;
    this.size = 2 * width - 1;
  }

  /** Trusts `root` (from the cap or the UEB). Setting a different root later is a BadHashError. */
  setRoot(root: Uint8Array): void {
    assertBytes(root, 'root', HASH_BYTES);
    const have = this.known.get(0);
    if (have !== undefined) {
      if (!equalBytes(have, root)) throw new BadHashError('the root hash differs from the root already set');
      return;
    }
    this.known.set(0, root.slice());
  }

  /** Like HashTree.neededHashes, minus the nodes already verified. */
  neededHashes(leafIndex: number, includeLeaf = false): number[] {
    assertLeafIndex(leafIndex, this.leafCount);
    const node = this.firstLeaf + leafIndex;
    const out = uncles(node);
    if (includeLeaf) out.unshift(node);
    return out.filter((i) => !this.known.has(i));
  }

  /** The verified hash of leaf `i`, or undefined while it is unverified. */
  getLeaf(i: number): Uint8Array | undefined {
    assertLeafIndex(i, this.leafCount);
    return this.known.get(this.firstLeaf + i)?.slice();
  }

  /** The verified hash of node `i`, or undefined while it is unverified. */
  getNode(i: number): Uint8Array | undefined {
    if (!Number.isSafeInteger(i) || i < 0 || i >= this.size) {
      throw new RangeError(`node ${i} is out of range: the tree has ${this.size} nodes`);
    }
    return this.known.get(i)?.slice();
  }

  /**
   * Adds node hashes (by node index) and leaf hashes (by leaf number). Every new hash is checked
   * against the tree up to an already verified node, and all of them are kept, or none: on
   * BadHashError or NotEnoughHashesError the tree is exactly as before (Tahoe's set_hashes).
   */
  setHashes(hashes: Map<number, Uint8Array>, leaves: Map<number, Uint8Array> = new Map()): void {
    if (!(hashes instanceof Map)) throw new TypeError('"hashes" expected a Map of node index to hash');
    if (!(leaves instanceof Map)) throw new TypeError('"leaves" expected a Map of leaf number to hash');
    if (!this.known.has(0)) {
      throw new NotEnoughHashesError('the root hash is not set: call setRoot() with the trusted root first');
    }
    const incoming = new Map<number, Uint8Array>();
    for (const [i, h] of hashes) {
      if (!Number.isSafeInteger(i) || i < 0 || i >= this.size) {
        throw new RangeError(`node ${i} is out of range: the tree has ${this.size} nodes`);
      }
      this.checkHashBytes(h, `node ${i}`);
      incoming.set(i, h);
    }
    for (const [leafNum, h] of leaves) {
      assertLeafIndex(leafNum, this.leafCount);
      this.checkHashBytes(h, `leaf ${leafNum}`);
      const i = this.firstLeaf + leafNum;
      const other = incoming.get(i);
      if (other !== undefined && !equalBytes(other, h)) {
        throw new BadHashError(`conflicting hashes given for leaf ${leafNum} and node ${i}`);
      }
      incoming.set(i, h);
    }

    // Staged nodes become known only if every one of them verifies.
    const staged = new Map<number, Uint8Array>();
    const get = (i: number): Uint8Array | undefined => staged.get(i) ?? this.known.get(i);
    const toCheck: Set<number>[] = [];
    const mark = (i: number): void => {
      const d = depthOf(i);
      (toCheck[d] ??= new Set()).add(i);
    };
    for (const [i, h] of incoming) {
      const have = this.known.get(i);
      if (have !== undefined) {
        if (!equalBytes(have, h)) throw new BadHashError(`${this.describe(i)} differs from the verified hash`);
        continue;
      }
      staged.set(i, h.slice());
      mark(i);
    }
    // Deepest level first: each unverified node and its sibling give their parent, which either
    // matches a node we hold or becomes unverified itself one level up (Tahoe's "red dots").
    for (let level = toCheck.length - 1; level >= 1; level--) {
      const thisLevel = toCheck[level];
      if (thisLevel === undefined) continue;
      for (const i of thisLevel) {
        const sibling = i % 2 === 1 ? i + 1 : i - 1;
        const siblingHash = get(sibling);
        if (siblingHash === undefined) {
          throw new NotEnoughHashesError(`cannot verify ${this.describe(i)}: its sibling node ${sibling} is missing`);
        }
        const [leftNum, rightNum] = i % 2 === 1 ? [i, sibling] : [sibling, i];
        const computed = pairHash(get(leftNum)!, get(rightNum)!);
        const parent = Math.floor((i - 1) / 2);
        const parentHash = get(parent);
        if (parentHash !== undefined) {
          if (!equalBytes(parentHash, computed)) {
            throw new BadHashError(`the hash of nodes ${leftNum} and ${rightNum} does not match ${this.describe(parent)}`);
          }
        } else {
          staged.set(parent, computed);
          mark(parent);
        }
        thisLevel.delete(sibling); // verified together with i
      }
    }
    for (const [i, h] of staged) this.known.set(i, h);
  }

  private checkHashBytes(h: unknown, what: string): asserts h is Uint8Array {
    if (!(h instanceof Uint8Array)) throw new TypeError(`the hash of ${what} is not a Uint8Array`);
    if (h.length !== HASH_BYTES) throw new BadHashError(`the hash of ${what} has ${h.length} bytes, not ${HASH_BYTES}`);
  }

  private describe(i: number): string {
    return i >= this.firstLeaf ? `node ${i} (leaf ${i - this.firstLeaf} of ${this.leafCount})` : `node ${i}`;
  }
}
