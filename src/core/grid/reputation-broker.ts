/**
 * Reputation wired in at the StorageBroker port, so upload, download, share finding, placement
 * and repair all gain it without a change: avoided servers leave `servers()` and `connect()`
 * refuses them; every StorageApi call is watched, its failures counted as faults and its replies
 * checked for the impossible; a corruption report the client sends (adviseCorruptShare, after
 * the verifying decoder refused a block, hash chain or UEB) counts a bad share against the holder.
 * @module
 */
import { BricError } from '../errors.js';
import { MAX_SHARES } from '../limits.js';
import type { StorageApi } from '../storage/api.js';
import { nodeIdKey, type NodeId, type ServerDescriptor, type StorageBroker } from './broker.js';
import { raceAbort } from './clock.js';
import { AvoidedPeerError, type PeerFault, type PeerReputation } from './reputation.js';

/** A reply that no honest server gives (more bytes than asked, share numbers out of range…). */
export class ImpossibleReplyError extends BricError {
  override name = 'ImpossibleReplyError';
}

export interface ReputableBrokerInit {
  /** This tab's own node: never avoided (its faults are our own disk's). */
  readonly self?: NodeId;
  /** Called once when a server becomes avoided: close its connection. @default none */
  drop?(nodeId: string, reason: string): void;
}

/** A StorageBroker that leaves avoided servers out and counts every server's faults. */
export function reputableBroker(inner: StorageBroker, reputation: PeerReputation, init: ReputableBrokerInit = {}): StorageBroker {
  const self = init.self === undefined ? undefined : nodeIdKey(init.self);
  if (init.drop !== undefined) {
    const drop = init.drop;
    reputation.onAvoid((peer, reason) => drop(peer, reason));
  }
  return {
    servers(): ServerDescriptor[] {
      return inner.servers().filter((s) => nodeIdKey(s.nodeId) === self || !reputation.avoid(s.nodeId));
    },
    async connect(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<StorageApi> {
      const key = nodeIdKey(nodeId);
      if (key === self) return inner.connect(nodeId, opts);
      refuseAvoided(reputation, nodeId);
      try {
        return watchStorage(await raceAbort(inner.connect(nodeId, opts), opts.signal), nodeId, reputation);
      } catch (error) {
        const kind = classify(error, opts.signal, 'connect');
        if (kind !== undefined) reputation.fault(nodeId, kind, `connect: ${messageOf(error, opts.signal)}`);
        throw error;
      }
    },
  };
}

/** A StorageApi whose calls count faults against `nodeId` and whose replies are checked. */
export function watchStorage(api: StorageApi, nodeId: NodeId, reputation: PeerReputation): StorageApi {
  const watched = async <T>(method: string, opts: { signal: AbortSignal }, call: () => Promise<T>, check?: (value: T) => string | undefined): Promise<T> => {
    refuseAvoided(reputation, nodeId);
    let value: T;
    try {
      // raceAbort: a peer that never answers cannot hold our caller past its deadline.
      value = await raceAbort(call(), opts.signal);
    } catch (error) {
      const kind = classify(error, opts.signal, method);
      if (kind !== undefined) reputation.fault(nodeId, kind, `${method}: ${messageOf(error, opts.signal)}`);
      throw error;
    }
    const wrong = check?.(value);
    if (wrong !== undefined) {
      reputation.fault(nodeId, 'protocol', `${method}: ${wrong}`);
      throw new ImpossibleReplyError(`peer ${nodeIdKey(nodeId)} answered ${method} impossibly: ${wrong}`);
    }
    return value;
  };
  return {
    getVersion: (opts) => watched('getVersion', opts, () => api.getVersion(opts), checkVersion),
    allocateBuckets: (si, renew, cancel, shareNums, size, opts) =>
      watched('allocateBuckets', opts, () => api.allocateBuckets(si, renew, cancel, shareNums, size, opts), (r) => {
        const asked = new Set(shareNums);
        if (!Array.isArray(r.allocated) || !Array.isArray(r.alreadyHave)) return 'not two lists of share numbers';
        if (r.allocated.some((s) => !asked.has(s))) return `allocated share numbers never asked for (${r.allocated.join(', ')})`;
        return checkShareNums(r.alreadyHave);
      }),
    writeShare: (si, n, offset, data, opts) => watched('writeShare', opts, () => api.writeShare(si, n, offset, data, opts)),
    closeShare: (si, n, opts) => watched('closeShare', opts, () => api.closeShare(si, n, opts)),
    abortShare: (si, n, opts) => watched('abortShare', opts, () => api.abortShare(si, n, opts)),
    listShares: (si, opts) => watched('listShares', opts, () => api.listShares(si, opts), checkShareNums),
    readShare: (si, n, offset, length, opts) =>
      watched('readShare', opts, () => api.readShare(si, n, offset, length, opts), (data) =>
        !(data instanceof Uint8Array) ? 'not bytes' : data.length > length ? `${data.length} bytes where at most ${length} were asked for` : undefined,
      ),
    addLease: (si, renew, cancel, opts) => watched('addLease', opts, () => api.addLease(si, renew, cancel, opts)),
    adviseCorruptShare: (si, n, reason, opts) => {
      // We are telling this server that a share it served failed verification: its fault.
      reputation.fault(nodeId, 'bad-share', `share ${n}: ${reason}`);
      return raceAbort(api.adviseCorruptShare(si, n, reason, opts), opts.signal);
    },
  };
}

function refuseAvoided(reputation: PeerReputation, nodeId: NodeId): void {
  if (reputation.avoid(nodeId)) {
    const r = reputation.report(nodeId);
    throw new AvoidedPeerError(`peer ${nodeIdKey(nodeId)} is avoided after repeated faults (last: ${r.lastReason ?? 'unknown'})`);
  }
}

/**
 * Which fault an error is, if any: timeouts and lost connections mid-request; protocol errors
 * (malformed frames or replies, a share it listed but cannot read, an allocation it accepted but
 * cannot fill). Our own cancellations and the server's honest refusals (full, busy) are none.
 */
export function classify(error: unknown, signal: AbortSignal, method: string): PeerFault | undefined {
  const name = nameOf(error);
  if (name === 'AvoidedPeerError' || name === 'ImpossibleReplyError') return undefined;
  if (name === 'PeerTimeoutError' || name === 'ServerTimeoutError') return 'timeout';
  if (signal.aborted) return nameOf(signal.reason) === 'ServerTimeoutError' ? 'timeout' : undefined;
  if (name === 'FrameError') return 'protocol';
  // A StorageWireError caused by a RemoteError is the server refusing our request; without, its reply was malformed.
  if (name === 'StorageWireError' && nameOf((error as { cause?: unknown }).cause) !== 'RemoteError') return 'protocol';
  if (name === 'ShareNotFoundError' && method === 'readShare') return 'bad-share';
  if ((name === 'CapacityExceededError' || name === 'StorageQuotaError') && (method === 'writeShare' || method === 'closeShare')) return 'protocol';
  if (name === 'PeerClosedError') return 'dropped';
  return undefined;
}

function checkShareNums(list: unknown): string | undefined {
  if (!Array.isArray(list)) return 'not a list of share numbers';
  if (list.length > MAX_SHARES) return `${list.length} share numbers (at most ${MAX_SHARES} exist)`;
  if (list.some((s) => !Number.isSafeInteger(s) || s < 0 || s >= MAX_SHARES)) return 'a share number out of range';
  if (new Set(list).size !== list.length) return 'a share number twice';
  return undefined;
}

function checkVersion(v: { availableBytes: number; capacityBytes: number; usedBytes: number; maxShareBytes: number }): string | undefined {
  const fields = [v.availableBytes, v.capacityBytes, v.usedBytes, v.maxShareBytes];
  if (fields.some((x) => typeof x !== 'number' || !Number.isFinite(x) || x < 0)) return 'a size that is not a number of bytes';
  if (v.availableBytes > v.capacityBytes) return `${v.availableBytes} bytes available of a capacity of ${v.capacityBytes}`;
  return undefined;
}

function nameOf(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && typeof (error as { name?: unknown }).name === 'string' ? (error as { name: string }).name : undefined;
}

function messageOf(error: unknown, signal: AbortSignal): string {
  const e = signal.aborted ? signal.reason : error;
  return e instanceof Error ? e.message : String(e);
}
