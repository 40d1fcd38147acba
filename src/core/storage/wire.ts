/**
 * The storage protocol over rpc: serveStorage answers a peer's calls from a local StorageApi;
 * storageClient is a StorageApi whose calls go to a peer. Payloads follow wire-layout.ts. A remote
 * node behaves as a local one: the same argument checks, and its named errors come back as the
 * same classes (the rpc carries them as RemoteError with the original name).
 * @module
 */
import { bytesToHex, utf8ToBytes } from '../bytes.js';
import { MAX_CORRUPT_REASON_BYTES, MAX_NODE_ID_CHARS, MAX_SHARE_READ_BYTES, MAX_SHARE_WRITE_BYTES } from '../limits.js';
import { RemoteError } from '../wire/errors.js';
import type { Rpc } from '../wire/rpc-port.js';
import * as v from './_validate.js';
import type { AllocateResult, StorageApi, StorageOpts, StorageVersion } from './api.js';
import { STORAGE_ERRORS, StorageWireError } from './errors.js';
import { PayloadReader, PayloadWriter, STORAGE_METHODS as M } from './wire-layout.js';

const NEVER = new AbortController().signal;
const EMPTY_OK = new PayloadWriter().finish();
const SI = v.STORAGE_INDEX_BYTES;
const SECRET = v.LEASE_SECRET_BYTES;

export interface StorageService {
  /** Requests whose payload broke the layout (answered with StorageWireError). */
  readonly malformedRequests: number;
  /** Shares this peer allocated and has not closed or aborted (aborted for it if the link closes). */
  readonly pendingShares: number;
}

/**
 * Answers the storage methods on `rpc` from `server`. As Tahoe aborts a BucketWriter whose
 * connection is lost, shares this peer allocated and never closed are aborted when rpc closes.
 */
export function serveStorage(rpc: Rpc, server: StorageApi): StorageService {
  let malformed = 0;
  const pending = new Map<string, [Uint8Array, number]>();
  const key = (si: Uint8Array, n: number): string => `${bytesToHex(si)}/${n}`;
  const handle = (method: string, fn: (r: PayloadReader, opts: StorageOpts) => Promise<Uint8Array>): void => {
    rpc.handle(method, async (payload, opts) => {
      let r: PayloadReader;
      try {
        r = new PayloadReader(payload, method);
      } catch (err) {
        malformed++;
        throw err;
      }
      return fn(r, opts).catch((err: unknown) => {
        if (err instanceof StorageWireError) malformed++;
        throw err;
      });
    });
  };
  const shareArgs = (r: PayloadReader): [Uint8Array, number] => [r.bytes(SI), r.u8()];

  handle(M.getVersion, async (r, opts) => {
    r.end();
    const ver = await server.getVersion(opts);
    return new PayloadWriter()
      .shortText(ver.nodeId)
      .u64(ver.maxShareBytes)
      .u64(ver.availableBytes)
      .u64(ver.capacityBytes)
      .u64(ver.usedBytes)
      .u32(ver.protocolVersion)
      .finish();
  });
  handle(M.allocateBuckets, async (r, opts) => {
    const si = r.bytes(SI).slice();
    const [renew, cancel, size, nums] = [r.bytes(SECRET), r.bytes(SECRET), r.u64(), r.shareNums()];
    r.end();
    const res = await server.allocateBuckets(si, renew, cancel, nums, size, opts);
    if (opts.signal.aborted) {
      // The requester cancelled: it will never learn of these shares, so they must not hold space.
      for (const n of res.allocated) await server.abortShare(si, n, { signal: NEVER }).catch(() => undefined);
      throw opts.signal.reason;
    }
    for (const n of res.allocated) pending.set(key(si, n), [si, n]);
    return new PayloadWriter().shareNums(res.alreadyHave).shareNums(res.allocated).finish();
  });
  handle(M.writeShare, async (r, opts) => {
    const [si, n] = shareArgs(r);
    const offset = r.u64();
    await server.writeShare(si, n, offset, r.rest(MAX_SHARE_WRITE_BYTES, 'data'), opts);
    return EMPTY_OK;
  });
  handle(M.closeShare, async (r, opts) => {
    const [si, n] = shareArgs(r);
    r.end();
    await server.closeShare(si, n, opts);
    pending.delete(key(si, n));
    return EMPTY_OK;
  });
  handle(M.abortShare, async (r, opts) => {
    const [si, n] = shareArgs(r);
    r.end();
    pending.delete(key(si, n)); // whatever happens next, it is no longer this peer's to clean up
    await server.abortShare(si, n, opts);
    return EMPTY_OK;
  });
  handle(M.listShares, async (r, opts) => {
    const si = r.bytes(SI);
    r.end();
    return new PayloadWriter().shareNums(await server.listShares(si, opts)).finish();
  });
  handle(M.readShare, async (r, opts) => {
    const [si, n] = shareArgs(r);
    const [offset, length] = [r.u64(), r.u32()];
    r.end();
    return new PayloadWriter().bytes(await server.readShare(si, n, offset, length, opts)).finish();
  });
  handle(M.addLease, async (r, opts) => {
    const [si, renew, cancel] = [r.bytes(SI), r.bytes(SECRET), r.bytes(SECRET)];
    r.end();
    await server.addLease(si, renew, cancel, opts);
    return EMPTY_OK;
  });
  handle(M.adviseCorruptShare, async (r, opts) => {
    const [si, n] = shareArgs(r);
    const reason = r.utf8(r.rest(MAX_CORRUPT_REASON_BYTES, 'reason'), 'reason');
    await server.adviseCorruptShare(si, n, reason, opts);
    return EMPTY_OK;
  });

  rpc.onClose(() => {
    for (const [si, n] of pending.values()) server.abortShare(si, n, { signal: NEVER }).catch(() => undefined);
    pending.clear();
  });

  return {
    get malformedRequests() {
      return malformed;
    },
    get pendingShares() {
      return pending.size;
    },
  };
}

/** A StorageApi for the peer at the other end of `rpc`. */
export function storageClient(rpc: Rpc): StorageApi {
  const call = async (method: string, payload: Uint8Array, opts: StorageOpts): Promise<PayloadReader> => {
    let answer: Uint8Array;
    try {
      answer = await rpc.request(method, payload, { signal: opts.signal });
    } catch (err) {
      throw restoreError(err);
    }
    return new PayloadReader(answer, `${method} response`);
  };
  const done = async (method: string, payload: Uint8Array, opts: StorageOpts): Promise<void> => {
    (await call(method, payload, opts)).end();
  };
  const share = (si: Uint8Array, n: number): PayloadWriter => new PayloadWriter().bytes(si).u8(n);

  return {
    async getVersion(opts): Promise<StorageVersion> {
      const r = await call(M.getVersion, new PayloadWriter().finish(), opts);
      const nodeId = r.shortText(MAX_NODE_ID_CHARS, 'nodeId');
      const [maxShareBytes, availableBytes, capacityBytes, usedBytes, protocolVersion] = [r.u64(), r.u64(), r.u64(), r.u64(), r.u32()];
      r.end();
      if (nodeId.length === 0) r.fail('the node id is empty');
      return { nodeId, maxShareBytes, availableBytes, capacityBytes, usedBytes, protocolVersion };
    },
    async allocateBuckets(si, renewSecret, cancelSecret, shareNums, allocatedSize, opts): Promise<AllocateResult> {
      v.assertStorageIndex(si);
      v.assertLeaseSecret(renewSecret, 'renewSecret');
      v.assertLeaseSecret(cancelSecret, 'cancelSecret');
      v.assertShareNums(shareNums);
      v.assertAllocatedSize(allocatedSize);
      const req = new PayloadWriter().bytes(si).bytes(renewSecret).bytes(cancelSecret).u64(allocatedSize).shareNums(shareNums);
      const r = await call(M.allocateBuckets, req.finish(), opts);
      const [alreadyHave, allocated] = [r.shareNums(), r.shareNums()];
      r.end();
      const asked = new Set(shareNums);
      const answered = [...alreadyHave, ...allocated];
      if (answered.some((n) => !asked.has(n)) || new Set(answered).size !== answered.length) {
        r.fail('it names shares that were not asked for, or one share twice');
      }
      return { alreadyHave, allocated };
    },
    async writeShare(si, shareNum, offset, data, opts): Promise<void> {
      v.assertStorageIndex(si);
      v.assertShareNum(shareNum);
      v.assertOffset(offset);
      v.assertWriteData(data);
      await done(M.writeShare, share(si, shareNum).u64(offset).bytes(data).finish(), opts);
    },
    async closeShare(si, shareNum, opts): Promise<void> {
      v.assertStorageIndex(si);
      v.assertShareNum(shareNum);
      await done(M.closeShare, share(si, shareNum).finish(), opts);
    },
    async abortShare(si, shareNum, opts): Promise<void> {
      v.assertStorageIndex(si);
      v.assertShareNum(shareNum);
      await done(M.abortShare, share(si, shareNum).finish(), opts);
    },
    async listShares(si, opts): Promise<number[]> {
      v.assertStorageIndex(si);
      const r = await call(M.listShares, new PayloadWriter().bytes(si).finish(), opts);
      const nums = r.shareNums();
      r.end();
      if (nums.some((n, i) => i > 0 && n <= nums[i - 1]!)) r.fail('share numbers are not ascending');
      return nums;
    },
    async readShare(si, shareNum, offset, length, opts): Promise<Uint8Array> {
      v.assertStorageIndex(si);
      v.assertShareNum(shareNum);
      v.assertOffset(offset);
      v.assertReadLength(length);
      const r = await call(M.readShare, share(si, shareNum).u64(offset).u32(length).finish(), opts);
      return r.rest(Math.min(length, MAX_SHARE_READ_BYTES), 'data').slice();
    },
    async addLease(si, renewSecret, cancelSecret, opts): Promise<void> {
      v.assertStorageIndex(si);
      v.assertLeaseSecret(renewSecret, 'renewSecret');
      v.assertLeaseSecret(cancelSecret, 'cancelSecret');
      await done(M.addLease, new PayloadWriter().bytes(si).bytes(renewSecret).bytes(cancelSecret).finish(), opts);
    },
    async adviseCorruptShare(si, shareNum, reason, opts): Promise<void> {
      v.assertStorageIndex(si);
      v.assertShareNum(shareNum);
      v.assertReason(reason);
      const encoder = new PayloadWriter().bytes(si).u8(shareNum);
      await done(M.adviseCorruptShare, encoder.bytes(utf8ToBytes(reason)).finish(), opts);
    },
  };
}

/**
 * A RemoteError whose name is one of ours becomes that class again, with the remote's own message
 * (and the RemoteError as its cause); anything else passes through unchanged.
 */
export function restoreError(err: unknown): unknown {
  if (!(err instanceof RemoteError)) return err;
  const Ctor = (STORAGE_ERRORS as Record<string, (new (message: string, options?: { cause?: unknown }) => Error) | undefined>)[err.remoteName];
  if (Ctor === undefined) return err;
  const prefix = `the peer answered with ${err.remoteName}: `;
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message;
  return new Ctor(message, { cause: err });
}
