/**
 * The immutable decoder (Tahoe's immutable/downloader, simplified): pulls k shares, verifies each
 * against the cap's UEB hash, then per segment reads k blocks, verifies them, decodes and decrypts
 * them through the SegmentRunner, checks the crypttext hash and yields the plaintext. A bad share
 * is dropped (and reported corrupt), another is pulled, and the segment is tried again. Given a
 * byte range, only the segments holding it are fetched and verified (media seeking).
 * @module
 */
import type { ChkReadCap } from '../cap/types.js';
import { assertBytes, equalBytes } from '../bytes.js';
import { deriveCipherKey } from '../crypto/cipher.js';
import { wipe } from '../crypto/keys.js';
import { HASH_BYTES } from '../hash/hashtree.js';
import { DEFAULT_PIPELINE_DEPTH, MAX_FILE_BYTES, MAX_PIPELINE_DEPTH, MAX_SHARES } from '../limits.js';
import { pipelined } from './_pipeline.js';
import { BadCrypttextError, BadShareError, NotEnoughSharesError, SegmentRunnerError, ShareUnavailableError } from './errors.js';
import type { SegmentRunner } from './runner.js';
import type { DecodedSegment } from './segment.js';
import { segmentSpan } from './segmentation.js';
import type { ShareSource } from './source.js';
import { VerifiedShare, type OpenContext, type VerifiedFile } from './verified-share.js';

export interface DecodeOptions {
  signal: AbortSignal;
  /** Plaintext bytes yielded so far, after each segment. */
  onProgress?(bytesDone: number): void;
  /** Segments in flight (default: DEFAULT_PIPELINE_DEPTH, or the runner's concurrency + 1 if larger). */
  pipelineDepth?: number;
  /**
   * Only these plaintext bytes (media seeking): just the segments that hold them are fetched and
   * verified (each segment's Merkle chains make it verifiable alone), and the output is trimmed to
   * the range; onProgress then counts the range's bytes. Clamped to the file.
   */
  range?: { readonly offset: number; readonly length: number };
}

/** The segments [first, end) that hold `range` of a file cut as `seg`, or all of them. */
function segmentWindow(seg: { segmentSize: number; numSegments: number; size: number }, range: DecodeOptions['range']): { first: number; end: number } {
  if (range === undefined) return { first: 0, end: seg.numSegments };
  const from = Math.min(range.offset, seg.size);
  const to = Math.min(range.offset + range.length, seg.size);
  if (to <= from) return { first: 0, end: 0 };
  return { first: Math.floor(from / seg.segmentSize), end: Math.floor((to - 1) / seg.segmentSize) + 1 };
}

type ShareProblem = BadShareError | ShareUnavailableError;

function isShareProblem(err: unknown): err is ShareProblem {
  return err instanceof BadShareError || err instanceof ShareUnavailableError;
}

/** The shares in use, and the source of more. */
class ShareSet {
  readonly active: VerifiedShare[] = [];
  readonly problems: Error[] = [];
  readonly ctx: OpenContext;

  constructor(
    private readonly source: ShareSource,
    cap: ChkReadCap,
    private readonly signal: AbortSignal,
  ) {
    this.ctx = { expected: { uebHash: cap.uebHash, k: cap.k, n: cap.n, size: cap.size } };
  }

  /** Pulls shares until `k` distinct good ones are active, or throws NotEnoughSharesError. */
  async fill(k: number): Promise<VerifiedFile> {
    while (this.active.length < k) {
      const reader = await this.source.next({ signal: this.signal });
      if (reader === null) throw new NotEnoughSharesError(this.active.length, k, this.problems);
      if (this.active.some((s) => s.shareNum === reader.shareNum)) continue; // another copy of a share in use
      try {
        this.active.push(await VerifiedShare.open(reader, this.ctx, this.signal));
      } catch (err) {
        if (!isShareProblem(err)) throw err;
        this.problems.push(err);
        if (err instanceof BadShareError) reader.reportCorrupt?.(err.message);
      }
    }
    return this.ctx.file!;
  }

  drop(share: VerifiedShare, err: ShareProblem): void {
    const at = this.active.indexOf(share);
    if (at >= 0) this.active.splice(at, 1);
    this.problems.push(err);
    if (err instanceof BadShareError) share.reader.reportCorrupt?.(err.message);
  }
}

interface Fetched {
  /** The first share that failed while fetching, or the decoded segment and what to verify it with. */
  failed?: { share: VerifiedShare; err: ShareProblem };
  blockNodes?: Map<number, Uint8Array>[];
  crypttextNodes?: Map<number, Uint8Array>;
  decoded?: DecodedSegment;
}

function assertCap(cap: ChkReadCap): void {
  if (typeof cap !== 'object' || cap === null || cap.kind !== 'chk') throw new TypeError('"cap" expected a CHK read cap');
  assertBytes(cap.key, 'cap.key', 16);
  assertBytes(cap.uebHash, 'cap.uebHash', HASH_BYTES);
  const ok = (v: number, min: number, max: number): boolean => Number.isSafeInteger(v) && v >= min && v <= max;
  if (!ok(cap.k, 1, MAX_SHARES) || !ok(cap.n, cap.k, MAX_SHARES) || !ok(cap.size, 0, MAX_FILE_BYTES)) {
    throw new RangeError(`"cap" has impossible parameters k=${cap.k}, N=${cap.n}, size=${cap.size}`);
  }
}

/** The plaintext of the file `cap` names, segment by segment, every byte verified. */
export function decodeImmutable(cap: ChkReadCap, shares: ShareSource, runner: SegmentRunner, opts: DecodeOptions): AsyncIterable<Uint8Array> {
  assertCap(cap);
  const depth = opts.pipelineDepth ?? Math.max(DEFAULT_PIPELINE_DEPTH, runner.concurrency + 1);
  if (!Number.isSafeInteger(depth) || depth < 1 || depth > MAX_PIPELINE_DEPTH) {
    throw new RangeError(`"pipelineDepth" must be a whole number from 1 to ${MAX_PIPELINE_DEPTH}, got ${depth}`);
  }
  const r = opts.range;
  if (r !== undefined && !(Number.isSafeInteger(r.offset) && r.offset >= 0 && Number.isSafeInteger(r.length) && r.length >= 0)) {
    throw new RangeError(`"range" must have a whole offset and length of 0 or more, got ${String(r.offset)} and ${String(r.length)}`);
  }
  return decodeSegments(cap, shares, runner, opts, depth);
}

async function* decodeSegments(
  cap: ChkReadCap,
  shares: ShareSource,
  runner: SegmentRunner,
  opts: DecodeOptions,
  depth: number,
): AsyncGenerator<Uint8Array> {
  const { signal } = opts;
  const set = new ShareSet(shares, cap, signal);
  const file = await set.fill(cap.k);
  const { seg } = file;
  const cipherKey = deriveCipherKey(cap.key);
  const { first, end } = segmentWindow(seg, opts.range);
  const range = opts.range;
  let yielded = 0;
  try {
    let j = first;
    while (j < end) {
      const chosen = set.active.slice(0, seg.k);
      let failed = false;
      const start = (i: number): Promise<Fetched> => fetchSegment(i, chosen, file, runner, cipherKey, signal);
      for await (const [i, fetched] of pipelined(j, end, depth, start)) {
        signal.throwIfAborted();
        const problem = fetched.failed ?? verifySegment(i, fetched, chosen, file);
        if (problem !== undefined) {
          set.drop(problem.share, problem.err);
          failed = true;
          break;
        }
        const span = segmentSpan(seg, i);
        j = i + 1;
        let data = fetched.decoded!.data;
        if (range !== undefined) {
          data = data.subarray(Math.max(0, range.offset - span.offset), Math.min(span.length, range.offset + range.length - span.offset));
          yielded += data.length;
        }
        opts.onProgress?.(range === undefined ? span.offset + span.length : yielded);
        if (data.length > 0) yield data;
      }
      if (failed) await set.fill(seg.k);
    }
  } finally {
    wipe(cipherKey);
  }
}

/** Reads segment `i`'s blocks (and hash nodes) from the chosen shares and has the runner decode them. */
async function fetchSegment(
  i: number,
  chosen: VerifiedShare[],
  file: VerifiedFile,
  runner: SegmentRunner,
  cipherKey: Uint8Array,
  signal: AbortSignal,
): Promise<Fetched> {
  const span = segmentSpan(file.seg, i);
  const crypttextShare = chosen[0]!;
  const [reads, crypttextRead] = await Promise.all([
    Promise.allSettled(chosen.map((s) => s.readBlock(i, signal))),
    Promise.allSettled([crypttextShare.readCrypttextNodes(i, signal)]),
  ]);
  signal.throwIfAborted();
  for (let x = 0; x < reads.length; x++) {
    const r = reads[x]!;
    if (r.status === 'rejected') {
      if (!isShareProblem(r.reason)) throw r.reason;
      return { failed: { share: chosen[x]!, err: r.reason } };
    }
  }
  const ct = crypttextRead[0]!;
  if (ct.status === 'rejected') {
    if (!isShareProblem(ct.reason)) throw ct.reason;
    return { failed: { share: crypttextShare, err: ct.reason } };
  }
  const fulfilled = reads.map((r) => (r as PromiseFulfilledResult<{ block: Uint8Array; nodes: Map<number, Uint8Array> }>).value);
  // One buffer of our own for the k blocks: the runner may transfer (detach) it.
  const owned = new Uint8Array(chosen.length * span.blockSize);
  const blocks = fulfilled.map((f, x) => {
    owned.set(f.block, x * span.blockSize);
    return owned.subarray(x * span.blockSize, (x + 1) * span.blockSize);
  });
  const decoded = await runner.decodeSegment(
    {
      k: file.seg.k,
      n: file.seg.n,
      segmentIndex: i,
      length: span.length,
      shareNums: chosen.map((s) => s.shareNum),
      blocks,
      decrypt: { cipherKey, offset: span.offset },
    },
    { signal },
  );
  if (decoded.segmentIndex !== i || decoded.blockHashes.length !== chosen.length || decoded.data.length !== span.length) {
    throw new SegmentRunnerError(`the segment runner returned a malformed result for segment ${i}`);
  }
  return { blockNodes: fulfilled.map((f) => f.nodes), crypttextNodes: ct.value, decoded };
}

/** Checks a decoded segment; returns the share to drop, or throws when no share is to blame. */
function verifySegment(i: number, fetched: Fetched, chosen: VerifiedShare[], file: VerifiedFile): Fetched['failed'] {
  const decoded = fetched.decoded!;
  for (let x = 0; x < chosen.length; x++) {
    try {
      chosen[x]!.checkBlock(i, decoded.blockHashes[x]!, fetched.blockNodes![x]!);
    } catch (err) {
      if (isShareProblem(err)) return { share: chosen[x]!, err };
      throw err;
    }
  }
  try {
    chosen[0]!.checkCrypttextNodes(i, fetched.crypttextNodes!);
  } catch (err) {
    if (isShareProblem(err)) return { share: chosen[0]!, err };
    throw err;
  }
  const expected = file.crypttextTree.getLeaf(i);
  if (expected === undefined || !equalBytes(expected, decoded.crypttextHash)) {
    throw new BadCrypttextError(
      i,
      `segment ${i} decoded from verified blocks does not match the crypttext hash tree: the file was encoded wrongly`,
    );
  }
  return undefined;
}
