/**
 * Verification of share data against a UEB hash, without the read key (so a verifier holding only
 * a verify cap can use it too): the UEB against the cap, each share's header against the UEB, its
 * share hash chain against the UEB's share root, each block against its block hash tree, and the
 * crypttext hash tree against the UEB's crypttext root.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { BadHashError } from '../hash/errors.js';
import { IncompleteHashTree } from '../hash/hashtree.js';
import { BadBlockError, BadShareError, UebError } from './errors.js';
import { assertHeaderMatches, computeLayout, parseHeader, parseShareHashChain, SHARE_HEADER_BYTES, CHAIN_ENTRY_BYTES, type ShareLayout } from './layout.js';
import { segmentSpan, type Segmentation } from './segmentation.js';
import type { ShareReader } from './source.js';
import { readExact, TreeRegion } from './_share-read.js';
import { hashUeb, parseUeb, uebSegmentation, type Ueb } from './ueb.js';

/** What the cap says: the UEB hash and the parameters the UEB must repeat. */
export interface ExpectedFile {
  readonly uebHash: Uint8Array;
  readonly k: number;
  readonly n: number;
  readonly size: number;
}

/** The verified UEB and the trees every share is checked against. */
export interface VerifiedFile {
  readonly ueb: Ueb;
  readonly seg: Segmentation;
  readonly layout: ShareLayout;
  /** The share hash tree, from the UEB's root; shares' chains fill it in. */
  readonly shareTree: IncompleteHashTree;
  /** The crypttext hash tree, from the UEB's root. */
  readonly crypttextTree: IncompleteHashTree;
  /** True once the whole crypttext tree was loaded from some share (small trees only). */
  crypttextTreeLoaded: boolean;
}

function isBadHash(err: unknown): boolean {
  return err instanceof BadHashError;
}

/**
 * Checks UEB bytes read from share `shareNum` against the cap. A UEB that does not hash to the
 * cap's value is that share's fault (BadShareError); an authentic UEB that does not parse or
 * disagrees with the cap is every share's, so UebError goes to the caller as is.
 */
export function verifyUeb(uebBytes: Uint8Array, expected: ExpectedFile, shareNum: number): VerifiedFile {
  if (!equalBytes(hashUeb(uebBytes), expected.uebHash)) {
    throw new BadShareError(shareNum, "its UEB does not match the cap's UEB hash");
  }
  const ueb = parseUeb(uebBytes);
  if (ueb.k !== expected.k || ueb.n !== expected.n || ueb.size !== expected.size) {
    throw new UebError(
      `the UEB says k=${ueb.k}, N=${ueb.n}, size=${ueb.size} but the cap says k=${expected.k}, N=${expected.n}, size=${expected.size}`,
    );
  }
  const seg = uebSegmentation(ueb);
  const shareTree = new IncompleteHashTree(ueb.n);
  shareTree.setRoot(ueb.shareRoot);
  const crypttextTree = new IncompleteHashTree(seg.numSegments);
  crypttextTree.setRoot(ueb.crypttextRoot);
  return { ueb, seg, layout: computeLayout(seg), shareTree, crypttextTree, crypttextTreeLoaded: false };
}

/** What opening a share checks against; `file` is filled in by the first share with a good UEB. */
export interface OpenContext {
  readonly expected: ExpectedFile;
  file?: VerifiedFile;
}

/** One share whose header and share hash chain are verified; checks its blocks one by one. */
export class VerifiedShare {
  private constructor(
    readonly reader: ShareReader,
    readonly file: VerifiedFile,
    private readonly blockTree: IncompleteHashTree,
    private readonly blockRegion: TreeRegion,
    readonly crypttextRegion: TreeRegion,
  ) {}

  get shareNum(): number {
    return this.reader.shareNum;
  }

  /**
   * Opens a share: header, then (when `ctx.file` is not yet known) its UEB, which sets `ctx.file`,
   * then its share hash chain; small hash trees are read and verified whole.
   */
  static async open(reader: ShareReader, ctx: OpenContext, signal: AbortSignal): Promise<VerifiedShare> {
    const { expected } = ctx;
    const s = reader.shareNum;
    if (!Number.isInteger(s) || s < 0 || s >= expected.n) {
      throw new BadShareError(s, `there is no share ${String(s)} of a file with N=${expected.n}`);
    }
    const header = parseHeader(await readExact(reader, 0, SHARE_HEADER_BYTES, 'header', signal), s);
    let file = ctx.file;
    if (file === undefined) {
      const { ueb, end } = header.offsets;
      file = verifyUeb(await readExact(reader, ueb, end - ueb, 'UEB', signal), expected, s);
      ctx.file = file; // authentic even if the rest of this share turns out bad
    }
    const { layout, seg } = file;
    assertHeaderMatches(header, layout);
    const chainBytes = await readExact(reader, layout.shareHashChain, layout.chainEntries * CHAIN_ENTRY_BYTES, 'share hash chain', signal);
    try {
      file.shareTree.setHashes(parseShareHashChain(chainBytes, s, seg.n));
    } catch (err) {
      if (isBadHash(err)) throw new BadShareError(s, "its share hash chain does not match the UEB's share root", undefined, { cause: err });
      throw err;
    }
    const blockTree = new IncompleteHashTree(seg.numSegments);
    blockTree.setRoot(file.shareTree.getLeaf(s)!);
    const blockRegion = new TreeRegion(reader, layout.blockHashTree, layout.treeNodes, 'block hash tree');
    const crypttextRegion = new TreeRegion(reader, layout.crypttextHashTree, layout.treeNodes, 'crypttext hash tree');
    const share = new VerifiedShare(reader, file, blockTree, blockRegion, crypttextRegion);
    if (blockRegion.small) {
      const nodes = await blockRegion.all(signal);
      share.setTreeHashes(blockTree, nodes, 'block hash tree does not match its root in the share hash tree');
    }
    if (crypttextRegion.small && !file.crypttextTreeLoaded) {
      const nodes = await crypttextRegion.all(signal);
      share.setTreeHashes(file.crypttextTree, nodes, "crypttext hash tree does not match the UEB's crypttext root");
      file.crypttextTreeLoaded = true;
    }
    return share;
  }

  private setTreeHashes(tree: IncompleteHashTree, nodes: Map<number, Uint8Array>, what: string, segmentIndex?: number): void {
    try {
      tree.setHashes(nodes);
    } catch (err) {
      if (isBadHash(err)) throw new BadShareError(this.shareNum, `its ${what}`, segmentIndex, { cause: err });
      throw err;
    }
  }

  /** Reads block `j` and the block-hash-tree nodes needed to check it that are not yet known. */
  async readBlock(j: number, signal: AbortSignal): Promise<{ block: Uint8Array; nodes: Map<number, Uint8Array> }> {
    const { layout, seg } = this.file;
    const span = segmentSpan(seg, j);
    const needed = this.blockTree.neededHashes(j);
    const [block, nodes] = await Promise.all([
      readExact(this.reader, layout.blocks + j * seg.blockSize, span.blockSize, `block ${j}`, signal),
      needed.length === 0 ? new Map<number, Uint8Array>() : this.blockRegion.nodes(needed, signal),
    ]);
    return { block, nodes };
  }

  /** Accepts block `j` (known by its hash) or throws BadBlockError. */
  checkBlock(j: number, blockHash: Uint8Array, nodes: Map<number, Uint8Array>): void {
    try {
      this.blockTree.setHashes(nodes, new Map([[j, blockHash]]));
    } catch (err) {
      if (isBadHash(err)) throw new BadBlockError(this.shareNum, j, 'the block does not match its block hash tree', { cause: err });
      throw err;
    }
  }

  /** Reads the crypttext-tree nodes (leaf included) still needed to know segment `j`'s crypttext hash. */
  async readCrypttextNodes(j: number, signal: AbortSignal): Promise<Map<number, Uint8Array>> {
    const needed = this.file.crypttextTree.neededHashes(j, true);
    return needed.length === 0 ? new Map() : this.crypttextRegion.nodes(needed, signal);
  }

  /** Adds crypttext-tree nodes this share gave for segment `j`; throws BadShareError if they do not verify. */
  checkCrypttextNodes(j: number, nodes: Map<number, Uint8Array>): void {
    if (nodes.size > 0) this.setTreeHashes(this.file.crypttextTree, nodes, "crypttext hash tree does not match the UEB's crypttext root", j);
  }
}
