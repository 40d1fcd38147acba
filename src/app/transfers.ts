/**
 * A node's uploads and restores as the page asks for them. An upload waits briefly for the grid's
 * presence list, then goes through ResumableUploads: the File is kept until the upload is done, so a
 * reloaded or closed tab finishes it when it comes back (resumePending), and the file joins repair.
 * A restore waits for the grid, then streams verified plaintext. Timings go to the node's stats.
 * @module
 */
import type { ChkReadCap, LitCap } from '../core/cap/types.js';
import { LIT_MAX_BYTES, RESUME_SINGLE_PASS_BELOW_BYTES } from '../core/limits.js';
import type { NodeServices, RestorePhase, UploadOutcome } from './node-api.js';
import { ResumableUploads, type PendingUpload, type ResumeOutcome } from './resume.js';
import { addStat, type NodeStats } from './stats.js';
import { testNumber } from './test-settings.js';

/** localStorage key a test build reads for a lower single-pass threshold, so a test file takes the passes. */
export const TEST_SINGLE_PASS_BYTES_KEY = 'bric-single-pass-bytes';

/** How long an upload waits for the grid's presence list before placing shares anyway. */
const JOIN_WAIT_BEFORE_UPLOAD_MS = 10_000;

export interface TransferDeps {
  readonly services: NodeServices;
  readonly stats: NodeStats;
  /** True once the signaling server said who is in the grid. */
  isJoined(): boolean;
}

export interface ResumeCallbacks {
  signal: AbortSignal;
  onStart?(upload: PendingUpload): void;
  onProgress?(done: number, total: number): void;
  onOutcome?(id: string, outcome: ResumeOutcome | Error): void;
}

export interface Transfers {
  upload(file: File, o: { signal: AbortSignal; onProgress?(done: number, total: number): void }): Promise<UploadOutcome>;
  restore(cap: ChkReadCap | LitCap, o: { signal: AbortSignal; onPhase?(phase: RestorePhase): void }): AsyncIterable<Uint8Array>;
  /** Finishes the uploads a reloaded or closed tab of this person left in this grid. */
  resumePending(o: ResumeCallbacks): Promise<ResumeOutcome[]>;
}

export function makeTransfers(deps: TransferDeps): Transfers {
  const { services, stats } = deps;
  // Small files go in one pass (resuming sends them again); large ones in passes, so a reload loses at most one.
  const onePass = new ResumableUploads(services, { passes: 1 });
  const inPasses = new ResumableUploads(services);

  return {
    async upload(file, o) {
      const t0 = performance.now();
      if (file.size > LIT_MAX_BYTES) {
        services.warmUp();
        // A file chosen the moment the page opened: let presence arrive before placement counts
        // the peers (if signaling is down, placement then says how few peers it found).
        await services.joined(AbortSignal.any([o.signal, AbortSignal.timeout(JOIN_WAIT_BEFORE_UPLOAD_MS)])).catch(() => o.signal.throwIfAborted());
      }
      const uploads = file.size < testNumber(TEST_SINGLE_PASS_BYTES_KEY, RESUME_SINGLE_PASS_BELOW_BYTES) ? onePass : inPasses;
      const outcome = await uploads.upload(file, { signal: o.signal, ...(o.onProgress === undefined ? {} : { onProgress: o.onProgress }) });
      addStat(stats, 'upload ms', performance.now() - t0);
      return { cap: outcome.cap, link: outcome.link };
    },

    async *restore(cap, o) {
      const total = cap.kind === 'lit' ? cap.data.length : cap.size;
      if (cap.kind === 'chk') services.warmUp();
      if (cap.kind === 'chk' && !deps.isJoined()) {
        o.onPhase?.({ phase: 'waiting-for-grid', bytesDone: 0, total });
        await services.joined(o.signal);
      }
      o.onPhase?.({ phase: 'finding-shares', bytesDone: 0, total });
      const t0 = performance.now();
      yield* services.client.download(cap, { signal: o.signal, onProgress: (done) => o.onPhase?.({ phase: 'restoring', bytesDone: done, total }) });
      addStat(stats, 'restore ms', performance.now() - t0);
    },

    async resumePending(o) {
      await services.joined(AbortSignal.any([o.signal, AbortSignal.timeout(JOIN_WAIT_BEFORE_UPLOAD_MS)])).catch(() => o.signal.throwIfAborted());
      // Resumed in passes: the shares an earlier attempt closed are skipped, the rest sent (all of a one-pass upload).
      return inPasses.resumePending(o);
    },
  };
}
