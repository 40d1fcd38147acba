/**
 * One copy of one share on one server, as a ShareReader for the key-less verification of
 * immutable/verified-share.ts: reads under a deadline, counts the bytes they bring, and tells
 * the holder when the copy turns out corrupt (Tahoe's advise_corrupt_share), best effort.
 * @module
 */
import { withDeadline, type Clock } from '../grid/clock.js';
import type { ShareReader } from '../immutable/source.js';
import type { CensusServer } from './census.js';
import type { CorruptShare } from './check-result.js';

export interface CopyContext {
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly storageIndex: Uint8Array;
  /** Share bytes read so far, over every copy of this context. */
  bytesRead: number;
  /** Corruption found so far, one entry per copy, in the order found. */
  readonly corrupt: CorruptShare[];
}

/** A ShareReader for `shareNum` at `holder`. */
export function copyReader(ctx: CopyContext, holder: CensusServer, shareNum: number): ShareReader {
  let reported = false;
  return {
    shareNum,
    read: async (offset, length, opts) => {
      const bytes = await withDeadline(ctx.clock, ctx.timeoutMs, opts.signal, `peer ${holder.name}`, (signal) =>
        holder.api.readShare(ctx.storageIndex, shareNum, offset, length, { signal }),
      );
      ctx.bytesRead += bytes.length;
      return bytes;
    },
    reportCorrupt: (reason) => {
      if (reported) return;
      reported = true;
      ctx.corrupt.push({ server: holder.name, id: holder.id, share: shareNum, reason });
      // A fresh signal: the report should reach the holder even when the caller has moved on.
      void withDeadline(ctx.clock, ctx.timeoutMs, new AbortController().signal, `peer ${holder.name}`, (signal) =>
        holder.api.adviseCorruptShare(ctx.storageIndex, shareNum, truncateReason(reason), { signal }),
      ).catch(() => undefined);
    },
  };
}

/** Reasons travel bounded (MAX_CORRUPT_REASON_BYTES is 1024 UTF-8 bytes; 300 characters fit any script). */
function truncateReason(reason: string): string {
  return reason.length <= 300 ? reason : `${reason.slice(0, 299)}…`;
}
