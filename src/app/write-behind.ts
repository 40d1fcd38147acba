/**
 * Write-behind for a remote storage server: writeShare resolves once the request is queued on the
 * link (its payload copied), not when the peer answers, while at most `windowBytes` of writes to
 * that server are unanswered. The encoder waits for every share's write of a segment before the
 * next segment's, so without this each segment paid a round trip to the slowest of the N peers and
 * the channels idled between segments. A failed write fails the next write or the close of that
 * server, which the uploader treats as the server lost (as if the write itself had failed).
 * @module
 */
import { bytesToHex } from '../core/bytes.js';
import type { StorageApi } from '../core/storage/api.js';

export interface WriteBehindInit {
  /** Bytes of unanswered writes to this server; a write beyond waits. */
  windowBytes: number;
  /** Time each write has to be answered (the caller's own deadline ends when we return early). */
  timeoutMs: number;
  /** Copy each write's bytes first: for a server that keeps them rather than serializing them at once. */
  copy?: boolean;
}

export function writeBehind(api: StorageApi, init: WriteBehindInit): StorageApi {
  const inFlight = new Map<Promise<void>, { share: string; bytes: number }>();
  let bytes = 0;
  let failure: unknown;
  const key = (si: Uint8Array, n: number): string => `${bytesToHex(si)}/${n}`;

  const waitForRoom = async (needed: number, signal: AbortSignal): Promise<void> => {
    while (inFlight.size > 0 && bytes + needed > init.windowBytes) {
      signal.throwIfAborted();
      await Promise.race([...inFlight.keys(), aborted(signal)]);
    }
  };
  const settleShare = async (share: string): Promise<void> => {
    const pending = [...inFlight].filter(([, w]) => w.share === share).map(([p]) => p);
    await Promise.allSettled(pending);
  };

  return {
    getVersion: (opts) => api.getVersion(opts),
    allocateBuckets: (...args) => api.allocateBuckets(...args),
    async writeShare(si, n, offset, data, opts) {
      if (failure !== undefined) throw failure;
      await waitForRoom(data.length, opts.signal);
      if (failure !== undefined) throw failure;
      opts.signal.throwIfAborted();
      // storageClient copies `data` into its payload before its first await; a local server may
      // keep it until written, so it gets its own copy (blocks 0..k−1 share the caller's buffer).
      const write = api.writeShare(si, n, offset, init.copy === true ? data.slice() : data, { signal: AbortSignal.timeout(init.timeoutMs) }).then(
        () => undefined,
        (err: unknown) => {
          failure ??= err;
        },
      );
      const entry = { share: key(si, n), bytes: data.length };
      inFlight.set(write, entry);
      bytes += entry.bytes;
      void write.finally(() => {
        inFlight.delete(write);
        bytes -= entry.bytes;
      });
    },
    async closeShare(si, n, opts) {
      await Promise.race([settleShare(key(si, n)), aborted(opts.signal)]);
      if (failure !== undefined) throw failure;
      return api.closeShare(si, n, opts);
    },
    abortShare: (...args) => api.abortShare(...args),
    listShares: (...args) => api.listShares(...args),
    readShare: (...args) => api.readShare(...args),
    addLease: (...args) => api.addLease(...args),
    adviseCorruptShare: (...args) => api.adviseCorruptShare(...args),
  };
}

/** A promise that rejects with the signal's reason when it aborts (never settles otherwise). */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
