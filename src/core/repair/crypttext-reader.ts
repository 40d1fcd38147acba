/**
 * Reading a file's crypttext segment by segment without the read key (what a repairer holding
 * only a verify cap can do): k verified shares, each segment's blocks checked against their block
 * hash trees, decoded by the SegmentRunner without decryption, and the crypttext checked against
 * the crypttext hash tree. A bad or unreachable share is dropped (a bad one reported) and
 * replaced by the next candidate; the segment is read again.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { BadCrypttextError, BadShareError, NotEnoughSharesError, SegmentRunnerError, ShareUnavailableError } from '../immutable/errors.js';
import type { SegmentRunner } from '../immutable/runner.js';
import { segmentSpan } from '../immutable/segmentation.js';
import { VerifiedShare, type ExpectedFile, type OpenContext, type VerifiedFile } from '../immutable/verified-share.js';
import type { CensusServer } from './census.js';
import { copyReader, type CopyContext } from './share-copy.js';

/** One copy that may be read: a share number at a server that listed it. */
export interface Candidate {
  readonly holder: CensusServer;
  readonly share: number;
}

/** A verified segment of crypttext and the block hashes of the shares it came from. */
export interface CrypttextSegment {
  readonly index: number;
  /** The segment's crypttext without padding. */
  readonly crypttext: Uint8Array;
  readonly crypttextHash: Uint8Array;
  /** share number → taggedHash(TAG_BLOCK, block) of each block used (verified). */
  readonly blockHashes: ReadonlyMap<number, Uint8Array>;
}

type ShareProblem = BadShareError | ShareUnavailableError;

function isShareProblem(err: unknown): err is ShareProblem {
  return err instanceof BadShareError || err instanceof ShareUnavailableError;
}

export class CrypttextReader {
  private readonly active: VerifiedShare[] = [];
  private readonly problems: Error[] = [];
  private readonly openCtx: OpenContext;
  private next = 0;

  constructor(
    private readonly ctx: CopyContext,
    /** Copies in the order to try them (distinct share numbers are picked, duplicates skipped). */
    private readonly candidates: readonly Candidate[],
    expected: ExpectedFile,
    private readonly runner: SegmentRunner,
    private readonly signal: AbortSignal,
  ) {
    this.openCtx = { expected };
  }

  /** Opens shares until k good distinct ones are active; the verified UEB and its trees. */
  async open(): Promise<VerifiedFile> {
    const k = this.openCtx.expected.k;
    while (this.active.length < k) {
      const candidate = this.candidates[this.next++];
      if (candidate === undefined) throw new NotEnoughSharesError(this.active.length, k, this.problems);
      if (this.active.some((s) => s.shareNum === candidate.share)) continue;
      const reader = copyReader(this.ctx, candidate.holder, candidate.share);
      try {
        this.active.push(await VerifiedShare.open(reader, this.openCtx, this.signal));
      } catch (err) {
        this.signal.throwIfAborted();
        if (!isShareProblem(err)) throw err;
        this.problems.push(err);
        if (err instanceof BadShareError) reader.reportCorrupt!(err.message);
      }
    }
    return this.openCtx.file!;
  }

  /** Segment `j`'s crypttext, verified; replaces shares that fail on the way. */
  async segment(j: number): Promise<CrypttextSegment> {
    for (;;) {
      const file = await this.open();
      const chosen = this.active.slice(0, file.seg.k);
      const outcome = await this.tryRead(j, chosen, file);
      if ('problem' in outcome) {
        const at = this.active.indexOf(outcome.problem.share);
        if (at >= 0) this.active.splice(at, 1);
        this.problems.push(outcome.problem.err);
        if (outcome.problem.err instanceof BadShareError) outcome.problem.share.reader.reportCorrupt!(outcome.problem.err.message);
        continue;
      }
      return outcome;
    }
  }

  private async tryRead(
    j: number,
    chosen: VerifiedShare[],
    file: VerifiedFile,
  ): Promise<CrypttextSegment | { problem: { share: VerifiedShare; err: ShareProblem } }> {
    const { signal } = this;
    const span = segmentSpan(file.seg, j);
    const [reads, ctRead] = await Promise.all([
      Promise.allSettled(chosen.map((s) => s.readBlock(j, signal))),
      Promise.allSettled([chosen[0]!.readCrypttextNodes(j, signal)]),
    ]);
    signal.throwIfAborted();
    for (let x = 0; x < reads.length; x++) {
      const r = reads[x]!;
      if (r.status === 'rejected') {
        if (!isShareProblem(r.reason)) throw r.reason;
        return { problem: { share: chosen[x]!, err: r.reason } };
      }
    }
    const ct = ctRead[0]!;
    if (ct.status === 'rejected') {
      if (!isShareProblem(ct.reason)) throw ct.reason;
      return { problem: { share: chosen[0]!, err: ct.reason } };
    }
    const fetched = reads.map((r) => (r as PromiseFulfilledResult<{ block: Uint8Array; nodes: Map<number, Uint8Array> }>).value);
    // One buffer of our own for the k blocks: the runner may transfer (detach) it.
    const owned = new Uint8Array(chosen.length * span.blockSize);
    const blocks = fetched.map((f, x) => {
      owned.set(f.block, x * span.blockSize);
      return owned.subarray(x * span.blockSize, (x + 1) * span.blockSize);
    });
    const decoded = await this.runner.decodeSegment(
      { k: file.seg.k, n: file.seg.n, segmentIndex: j, length: span.length, shareNums: chosen.map((s) => s.shareNum), blocks },
      { signal },
    );
    if (decoded.segmentIndex !== j || decoded.blockHashes.length !== chosen.length || decoded.data.length !== span.length) {
      throw new SegmentRunnerError(`the segment runner returned a malformed result for segment ${j}`);
    }
    for (let x = 0; x < chosen.length; x++) {
      try {
        chosen[x]!.checkBlock(j, decoded.blockHashes[x]!, fetched[x]!.nodes);
      } catch (err) {
        if (!isShareProblem(err)) throw err;
        return { problem: { share: chosen[x]!, err } };
      }
    }
    try {
      chosen[0]!.checkCrypttextNodes(j, ct.value);
    } catch (err) {
      if (!isShareProblem(err)) throw err;
      return { problem: { share: chosen[0]!, err } };
    }
    const leaf = file.crypttextTree.getLeaf(j);
    if (leaf === undefined || !equalBytes(leaf, decoded.crypttextHash)) {
      throw new BadCrypttextError(j, `segment ${j} decoded from verified blocks does not match the crypttext hash tree: the file was encoded wrongly`);
    }
    const blockHashes = new Map(chosen.map((s, x) => [s.shareNum, decoded.blockHashes[x]!] as const));
    return { index: j, crypttext: decoded.data, crypttextHash: decoded.crypttextHash, blockHashes };
  }
}
