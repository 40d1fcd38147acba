/**
 * The immutable encoder (Tahoe's immutable/encode.py): streams the file segment by segment through
 * the SegmentRunner (encrypt, hash, erasure-code), writes each block to its share as it is made,
 * and at the end writes the hash trees and the UEB to every share and returns the readcap.
 * @module
 */
import type { ChkReadCap } from '../cap/types.js';
import { deriveStorageIndex } from '../cap/storage-index.js';
import { deriveCipherKey } from '../crypto/cipher.js';
import { assertConvergenceSecret, assertReadKey, createConvergenceHasher, wipe } from '../crypto/keys.js';
import { HashTree } from '../hash/hashtree.js';
import { DEFAULT_PIPELINE_DEPTH, MAX_PIPELINE_DEPTH } from '../limits.js';
import { pipelined } from './_pipeline.js';
import { WriteWindow } from './_write-window.js';
import { SegmentRunnerError, SourceReadError } from './errors.js';
import { blockOffset, computeLayout, encodeHeader, encodeShareHashChain, shareHashChainIndices, type ShareLayout } from './layout.js';
import type { SegmentRunner } from './runner.js';
import type { EncodedSegment } from './segment.js';
import { effectiveParams, segmentation, segmentSpan, type EncodingParams, type Segmentation } from './segmentation.js';
import type { FileSource, ShareWriter } from './source.js';
import { encodeUeb, hashUeb } from './ueb.js';

export type Keying = { readonly convergenceSecret: Uint8Array } | { readonly randomKey: Uint8Array };

/** Everything known before the first share byte is written, so servers can be asked for space. */
export interface PreparedImmutable {
  /** The 16-byte read key (it ends up in the cap). */
  readonly key: Uint8Array;
  /** Where the shares live: deriveStorageIndex(key). */
  readonly storageIndex: Uint8Array;
  /** The effective parameters (segment size shrunk to the file and rounded to k). */
  readonly params: EncodingParams;
  readonly size: number;
  /** Exact bytes of every share. */
  readonly shareSize: number;
  readonly segmentation: Segmentation;
  readonly layout: ShareLayout;
}

export interface EncodeOptions {
  signal: AbortSignal;
  /** Plaintext bytes whose blocks are all written, after each segment. */
  onProgress?(bytesDone: number): void;
  /** Segments in flight (default: DEFAULT_PIPELINE_DEPTH, or the runner's concurrency + 1 if larger). */
  pipelineDepth?: number;
}

async function readExactly(source: FileSource, offset: number, length: number, into: Uint8Array, signal: AbortSignal): Promise<void> {
  const got = await source.read(offset, length, { signal });
  if (!(got instanceof Uint8Array) || got.length !== length) {
    throw new SourceReadError(
      `the file source returned ${got instanceof Uint8Array ? got.length : typeof got} bytes for a read of ${length} at offset ${offset}`,
    );
  }
  into.set(got);
}

/** Computes the read key (a first pass over the file in convergent mode) and the share layout. */
export async function prepareImmutable(
  source: FileSource,
  params: EncodingParams,
  keying: Keying,
  opts: { signal: AbortSignal; onProgress?(bytesHashed: number): void },
): Promise<PreparedImmutable> {
  if (typeof source !== 'object' || source === null || typeof source.read !== 'function') throw new TypeError('"source" expected a FileSource');
  const size = source.size;
  const effective = effectiveParams(params, size);
  const seg = segmentation(effective, size);
  let key: Uint8Array;
  if ('randomKey' in keying) {
    assertReadKey(keying.randomKey, 'randomKey');
    key = keying.randomKey.slice();
  } else if ('convergenceSecret' in keying) {
    assertConvergenceSecret(keying.convergenceSecret);
    const hasher = createConvergenceHasher(keying.convergenceSecret, effective.k, effective.n, effective.segmentSize);
    const buf = new Uint8Array(seg.segmentSize);
    for (let j = 0; j < seg.numSegments; j++) {
      const span = segmentSpan(seg, j);
      const view = buf.subarray(0, span.length);
      await readExactly(source, span.offset, span.length, view, opts.signal);
      hasher.update(view);
      opts.onProgress?.(span.offset + span.length);
    }
    wipe(buf);
    key = hasher.digest();
  } else {
    throw new TypeError('"keying" expected { convergenceSecret } or { randomKey }');
  }
  const layout = computeLayout(seg);
  return { key, storageIndex: deriveStorageIndex(key), params: effective, size, shareSize: layout.end, segmentation: seg, layout };
}

function pipelineDepth(opts: EncodeOptions, runner: SegmentRunner): number {
  const depth = opts.pipelineDepth ?? Math.max(DEFAULT_PIPELINE_DEPTH, runner.concurrency + 1);
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > MAX_PIPELINE_DEPTH) {
    throw new RangeError(`"pipelineDepth" must be a whole number from 1 to ${MAX_PIPELINE_DEPTH}, got ${depth}`);
  }
  return depth;
}

function assertEncoded(r: EncodedSegment, j: number, n: number, blockSize: number): void {
  if (r.segmentIndex !== j || r.blocks.length !== n || r.blockHashes.length !== n || r.blocks.some((b) => b.length !== blockSize)) {
    throw new SegmentRunnerError(`the segment runner returned a malformed result for segment ${j}`);
  }
}

/** Encodes the file into N shares through `writer` and returns its readcap. */
export async function encodeImmutable(
  prepared: PreparedImmutable,
  source: FileSource,
  runner: SegmentRunner,
  writer: ShareWriter,
  opts: EncodeOptions,
): Promise<ChkReadCap> {
  const { segmentation: seg, layout } = prepared;
  const { k, n } = seg;
  if (source.size !== prepared.size) {
    throw new SourceReadError(`the file is now ${source.size} bytes, but it was ${prepared.size} bytes when prepared`);
  }
  const depth = pipelineDepth(opts, runner);
  const cipherKey = deriveCipherKey(prepared.key);
  // Segments overlap their writes: each share's writes go out in order, one at a time, and a share
  // whose server is quick runs ahead of a slow one instead of every segment waiting for the
  // slowest. A segment is read only when every write of the segment `depth` before it has
  // settled, so at most `depth` segments are held between read and written (memory ≈ segment
  // size × depth × N/k), and at most N writes are unanswered.
  const writes = new WriteWindow(opts.signal);
  const { signal } = writes;
  try {
    writes.add(-1, Array.from({ length: n }, (_, s) => () => writer.write(s, 0, encodeHeader(layout, s), { signal })));

    const crypttextHashes: Uint8Array[] = [];
    const blockHashes: Uint8Array[][] = Array.from({ length: n }, () => []);
    // Any failure stops the window first: a segment waiting for room must not wait for writes that
    // will never be added while the pipeline settles its tasks.
    const start = async (j: number): Promise<EncodedSegment> => {
      try {
        if (j - depth >= -1) await writes.settled(j - depth);
        const span = segmentSpan(seg, j);
        const data = new Uint8Array(span.paddedLength);
        await readExactly(source, span.offset, span.length, data.subarray(0, span.length), signal);
        return await runner.encodeSegment(
          { k, n, segmentIndex: j, offset: span.offset, length: span.length, cipherKey, data },
          { signal },
        );
      } catch (error) {
        throw writes.stop(error);
      }
    };
    for await (const [j, r] of pipelined(0, seg.numSegments, depth, start)) {
      try {
        signal.throwIfAborted();
        const span = segmentSpan(seg, j);
        assertEncoded(r, j, n, span.blockSize);
        const at = blockOffset(layout, seg, j);
        writes.add(
          j,
          r.blocks.map((block, s) => () => writer.write(s, at, block, { signal })),
          () => opts.onProgress?.(span.offset + span.length),
        );
        crypttextHashes.push(r.crypttextHash);
        r.blockHashes.forEach((h, s) => blockHashes[s]!.push(h));
      } catch (error) {
        throw writes.stop(error);
      }
    }

    // The hash trees, the share hash chains and the UEB, one write per share.
    const blockTrees = blockHashes.map((leaves) => new HashTree(leaves));
    const shareTree = new HashTree(blockTrees.map((t) => t.root));
    const crypttextTree = new HashTree(crypttextHashes);
    const ueb = encodeUeb(seg, crypttextTree.root, shareTree.root);
    const crypttextNodes = treeBytes(crypttextTree);
    writes.add(
      seg.numSegments,
      blockTrees.map((tree, s) => () => {
        const chain = new Map(shareHashChainIndices(s, n).map((i) => [i, shareTree.node(i)] as const));
        const tail = new Uint8Array(layout.end - layout.blockHashTree);
        tail.set(treeBytes(tree), 0);
        tail.set(encodeShareHashChain(chain, s, n), layout.shareHashChain - layout.blockHashTree);
        tail.set(crypttextNodes, layout.crypttextHashTree - layout.blockHashTree);
        tail.set(ueb, layout.ueb - layout.blockHashTree);
        return writer.write(s, layout.blockHashTree, tail, { signal });
      }),
    );
    await writes.drain();
    return { kind: 'chk', key: prepared.key.slice(), uebHash: hashUeb(ueb), k, n, size: prepared.size };
  } catch (error) {
    // The first failed write (or the caller's abort), not what it caused downstream.
    throw writes.stop(error);
  } finally {
    writes.close();
    wipe(cipherKey);
  }
}

/** Every node of a tree, node 0 first, concatenated. */
function treeBytes(tree: HashTree): Uint8Array {
  const out = new Uint8Array(tree.nodeCount * 32);
  for (let i = 0; i < tree.nodeCount; i++) out.set(tree.node(i), i * 32);
  return out;
}
