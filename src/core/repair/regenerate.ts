/**
 * Regenerating blocks without the read key: the crypttext of a segment, padded with zeros as the
 * encoder padded it, is the k primary blocks; zfec's encoding of them gives every share's block
 * of that segment, byte for byte what the uploader made. The block hashes of all N shares feed
 * the block hash trees, whose roots must rebuild the UEB's share root.
 * @module
 */
import { createCodec, type Codec } from '../codec/rs.js';
import { HashTree } from '../hash/hashtree.js';
import type { SegmentRunner } from '../immutable/runner.js';
import type { SegmentSpan } from '../immutable/segmentation.js';
import type { CrypttextSegment } from './crypttext-reader.js';

/** Every node of a tree, node 0 first, concatenated (the share layout's tree regions). */
export function treeBytes(tree: HashTree): Uint8Array {
  const out = new Uint8Array(tree.nodeCount * 32);
  for (let i = 0; i < tree.nodeCount; i++) out.set(tree.node(i), i * 32);
  return out;
}

export class BlockRegenerator {
  private readonly codec: Codec;
  /** Block hashes of every share, per segment: blockHashes[share][segment]. */
  readonly blockHashes: Uint8Array[][];
  readonly crypttextHashes: Uint8Array[] = [];

  constructor(
    private readonly k: number,
    private readonly n: number,
    private readonly runner: SegmentRunner,
  ) {
    this.codec = createCodec(k, n);
    this.blockHashes = Array.from({ length: n }, () => []);
  }

  /**
   * The blocks of `wanted` shares for one segment; records every share's block hash (those of
   * the shares the segment was decoded from are already known and verified).
   */
  async segment(span: SegmentSpan, got: CrypttextSegment, wanted: readonly number[], signal: AbortSignal): Promise<Map<number, Uint8Array>> {
    const { k, n } = this;
    const padded = new Uint8Array(span.paddedLength);
    padded.set(got.crypttext);
    const primaries = Array.from({ length: k }, (_, i) => padded.subarray(i * span.blockSize, (i + 1) * span.blockSize));
    const unknown = Array.from({ length: n }, (_, s) => s).filter((s) => !got.blockHashes.has(s));
    const needed = [...new Set([...unknown, ...wanted])].sort((a, b) => a - b);
    const blocks = this.codec.encode(primaries, needed);
    const bySharenum = new Map(needed.map((s, i) => [s, blocks[i]!] as const));
    // The runner may transfer what it is given: it hashes copies, and the blocks stay ours to write.
    const hashes = await this.runner.hashBlocks({ blocks: unknown.map((s) => bySharenum.get(s)!.slice()) }, { signal });
    const all = new Map(got.blockHashes);
    unknown.forEach((s, i) => all.set(s, hashes[i]!));
    for (let s = 0; s < n; s++) this.blockHashes[s]!.push(all.get(s)!);
    this.crypttextHashes.push(got.crypttextHash);
    return new Map(wanted.map((s) => [s, bySharenum.get(s)!] as const));
  }
}
