/**
 * Verifying a file (Tahoe's checker with verify=True): fetch every copy of every share found and
 * check every hash with only what a verify cap gives: each copy's UEB against the cap, its share
 * hash chain against the UEB, every block against its block hash tree, the crypttext hash tree
 * against the UEB. Corrupt copies are reported to their holders. Reads every share: about N/k
 * times the file size, which the result says.
 * @module
 */
import type { Clock } from '../grid/clock.js';
import { formatBytes } from '../grid/errors.js';
import { BadShareError, ShareUnavailableError } from '../immutable/errors.js';
import type { SegmentRunner } from '../immutable/runner.js';
import { VerifiedShare, type ExpectedFile } from '../immutable/verified-share.js';
import type { CheckResult, ServerAnswer, VerifyCost } from './check-result.js';
import { censusOfTarget, requireLeaseSecret, summarizeCensus, type CheckComponents, type CheckConfig } from './check.js';
import type { CensusServer } from './census.js';
import { copyReader, type CopyContext } from './share-copy.js';
import type { FileTarget } from './target.js';

export interface VerifyComponents extends CheckComponents {
  /** Hashes the blocks (in workers when the app has a pool). */
  readonly runner: SegmentRunner;
}

export interface VerifyConfig extends CheckConfig {
  /** Share copies verified at once. */
  readonly verifyConcurrency: number;
}

export interface VerifyProgress {
  readonly copies: number;
  readonly copiesDone: number;
  readonly bytesRead: number;
}

export interface VerifyOptions {
  signal: AbortSignal;
  /** Renew our lease at every server holding shares (needs the lease secret). @default false */
  addLease?: boolean;
  /** After each copy verified. */
  onProgress?(progress: VerifyProgress): void;
}

type Outcome = 'good' | 'corrupt' | 'unavailable';

/** Checks every hash of every share copy reachable; the result lists corrupt copies and the cost. */
export async function verifyFile(components: VerifyComponents, config: VerifyConfig, target: FileTarget, opts: VerifyOptions): Promise<CheckResult> {
  const { storageIndex, expected } = target;
  const { signal } = opts;
  const census = await censusOfTarget(
    components,
    config,
    target,
    {
      leaseSecret: opts.addLease === true ? requireLeaseSecret(config) : undefined,
      everyServer: true, // every copy is verified, also those beyond happiness N
    },
    signal,
  );
  const ctx: CopyContext = { clock: components.clock, timeoutMs: config.requestTimeoutMs, storageIndex, bytesRead: 0, corrupt: [] };
  const copies = census.answered.flatMap((holder) => holder.shares.map((share) => ({ holder, share })));
  const outcomes = new Map<string, Outcome>();
  let next = 0;
  let done = 0;
  const worker = async (): Promise<void> => {
    while (next < copies.length) {
      const { holder, share } = copies[next++]!;
      outcomes.set(`${holder.id}/${share}`, await verifyCopy(ctx, components.runner, expected, holder, share, signal));
      done++;
      opts.onProgress?.({ copies: copies.length, copiesDone: done, bytesRead: ctx.bytesRead });
    }
  };
  await Promise.all(Array.from({ length: Math.min(config.verifyConcurrency, copies.length) }, worker));

  // A copy whose server failed mid-read is neither good nor corrupt: it was not reachable.
  const unreachable = [...census.unreachable];
  const answers: ServerAnswer[] = census.answered.map((h) => {
    const lost = h.shares.filter((s) => outcomes.get(`${h.id}/${s}`) === 'unavailable');
    if (lost.length > 0 && !unreachable.includes(h.name)) unreachable.push(h.name);
    return { name: h.name, id: h.id, shares: h.shares.filter((s) => outcomes.get(`${h.id}/${s}`) !== 'unavailable') };
  });
  return summarizeCensus(config, target, census, ctx.corrupt, { answers, unreachable, cost: verifyCost(ctx.bytesRead, expected) });
}

/** Verifies one copy from its header to its last block. */
async function verifyCopy(
  ctx: CopyContext,
  runner: SegmentRunner,
  expected: ExpectedFile,
  holder: CensusServer,
  shareNum: number,
  signal: AbortSignal,
): Promise<Outcome> {
  const reader = copyReader(ctx, holder, shareNum);
  try {
    // A context of its own: this copy's UEB and its whole crypttext tree are checked, not taken from another.
    const share = await VerifiedShare.open(reader, { expected }, signal);
    for (let j = 0; j < share.file.seg.numSegments; j++) {
      const [{ block, nodes }, crypttextNodes] = await Promise.all([share.readBlock(j, signal), share.readCrypttextNodes(j, signal)]);
      // The runner may transfer the buffer it is given: hand it a copy of our own.
      const [hash] = await runner.hashBlocks({ blocks: [block.slice()] }, { signal });
      share.checkBlock(j, hash!, nodes);
      share.checkCrypttextNodes(j, crypttextNodes);
    }
    return 'good';
  } catch (err) {
    signal.throwIfAborted();
    if (err instanceof BadShareError) {
      reader.reportCorrupt!(err.message);
      return 'corrupt';
    }
    if (err instanceof ShareUnavailableError) return 'unavailable';
    throw err; // an authentic UEB this code cannot read, or that contradicts the cap: every share's problem
  }
}

/** The cost in numbers and words. */
export function verifyCost(bytesRead: number, expected: ExpectedFile): VerifyCost {
  const ratio = expected.size === 0 ? 0 : bytesRead / expected.size;
  const nk = (expected.n / expected.k).toFixed(1);
  return {
    bytesRead,
    fileSize: expected.size,
    ratio,
    words:
      `verifying read ${formatBytes(bytesRead)} for a ${formatBytes(expected.size)} file (${ratio.toFixed(1)}×): ` +
      `it fetches every share, about N/k = ${nk}× the file size`,
  };
}
