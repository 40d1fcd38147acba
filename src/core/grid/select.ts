/**
 * Server selection for an immutable upload (Tahoe's Tahoe2ServerSelector, adapted to tabs):
 * walk the permuted ring asking each server for one share, then spread the shares left over
 * on the servers that took one; fail before any share data is sent unless servers-of-happiness
 * holds. Connections are opened only to the servers the walk reaches.
 * @module
 */
import type { StorageApi } from '../storage/api.js';
import { nodeIdBytes, nodeIdKey, serverName, type ServerDescriptor, type StorageBroker } from './broker.js';
import { withDeadline, type Clock } from './clock.js';
import { describeUnhappiness, UploadUnhappinessError } from './errors.js';
import { maximumMatching } from './happiness.js';
import { deriveLeaseSecrets } from './lease-secrets.js';
import { abortAllocations, Placement, type PlacedServer } from './placement.js';
import { permuteServers } from './ring.js';

export interface SelectInit {
  readonly storageIndex: Uint8Array;
  /** Exact bytes of one share (computeShareSize): what each server must reserve. */
  readonly shareSize: number;
  /** N: shares of the file. */
  readonly n: number;
  /** Servers-of-happiness the upload requires. */
  readonly happy: number;
  readonly leaseSecret: Uint8Array;
  /** Allocation requests in flight at once. */
  readonly concurrency: number;
  /** Time for connecting to one server and its answer. */
  readonly timeoutMs: number;
}

/** What the walk saw, for the error message. */
interface Tally {
  full: number;
  unreachable: number;
}

/**
 * Places the N shares. Resolves with a placement whose happiness ≥ happy; otherwise aborts
 * every allocation it made and rejects with UploadUnhappinessError naming the numbers.
 */
export async function selectServers(
  broker: StorageBroker,
  clock: Clock,
  init: SelectInit,
  opts: { signal: AbortSignal },
): Promise<Placement> {
  const { storageIndex, shareSize, n, happy } = init;
  const placement = new Placement(storageIndex, n);
  const tally: Tally = { full: 0, unreachable: 0 };
  const ring = permuteServers(storageIndex, broker.servers());
  // Servers that announced too little room are not connected to at all: tabs pay per connection.
  const candidates = ring.filter((s) => s.availableBytes === undefined || s.availableBytes >= shareSize);
  tally.full += ring.length - candidates.length;

  const pending = new Set<number>(); // shares asked for in requests in flight
  const ask = makeAsker(broker, clock, init, placement, tally, pending);
  try {
    // First pass: one share per server, in ring order, until every share has a home and
    // happiness holds (a server that already has shares may make more servers necessary).
    const inFlight = new Set<Promise<void>>();
    let next = 0;
    for (;;) {
      while (inFlight.size < init.concurrency && next < candidates.length) {
        const share = pickShare(placement, pending, happy, inFlight.size);
        if (share === undefined) break;
        const server = candidates[next++]!;
        const task: Promise<void> = ask(server, [share], opts.signal).finally(() => inFlight.delete(task));
        inFlight.add(task);
      }
      if (inFlight.size === 0) break;
      await Promise.race(inFlight);
      opts.signal.throwIfAborted();
    }

    // Second pass: the ring is exhausted and shares are left: spread them evenly, fewest first,
    // over the servers that took a share and did not say they were full.
    for (;;) {
      const homeless = placement.homeless();
      const open = placement.servers.filter((p) => !p.full);
      if (homeless.length === 0 || open.length === 0) break;
      const batches = spread(homeless, open);
      await Promise.all([...batches].map(([placed, shares]) => ask(placed.server, shares, opts.signal)));
      opts.signal.throwIfAborted();
    }

    const happiness = placement.happiness();
    if (happiness < happy) {
      const detail = { happiness, happy, full: tally.full, unreachable: tally.unreachable, known: ring.length };
      throw new UploadUnhappinessError(describeUnhappiness(detail, shareSize), detail);
    }
    return placement;
  } catch (error) {
    await abortAllocations(clock, init.timeoutMs, storageIndex, placement.writers().map(toTarget));
    throw error;
  }
}

/** The share to ask the next server for: a homeless one, else one that raises happiness. */
function pickShare(placement: Placement, pending: Set<number>, happy: number, inFlight: number): number | undefined {
  const homeless = placement.homeless().filter((s) => !pending.has(s));
  if (homeless.length > 0) return homeless[0];
  if (inFlight > 0 || placement.happiness() >= happy) return undefined;
  // Every share has a home but on too few servers: a share left out of a maximum matching,
  // placed on a new server, extends the matching by one (an augmenting path of length one).
  const byServer = new Map<string, number[]>();
  for (const [share, holders] of placement.sharemap()) {
    for (const key of holders) byServer.set(key, [...(byServer.get(key) ?? []), share]);
  }
  const matched = maximumMatching(byServer);
  for (let s = 0; s < placement.shareCount; s++) if (!matched.has(s)) return s;
  return undefined;
}

/** Homeless shares → servers, each to the one holding fewest so far (ring order on ties). */
function spread(homeless: number[], open: PlacedServer[]): Map<PlacedServer, number[]> {
  const load = new Map(open.map((p) => [p, p.allocated.size + p.alreadyHave.size]));
  const batches = new Map<PlacedServer, number[]>();
  for (const share of homeless) {
    let best = open[0]!;
    for (const p of open) if (load.get(p)! < load.get(best)!) best = p;
    load.set(best, load.get(best)! + 1);
    batches.set(best, [...(batches.get(best) ?? []), share]);
  }
  return batches;
}

function makeAsker(
  broker: StorageBroker,
  clock: Clock,
  init: SelectInit,
  placement: Placement,
  tally: Tally,
  pending: Set<number>,
) {
  const counted = new Set<string>(); // servers already counted as full or unreachable
  const count = (server: ServerDescriptor, kind: keyof Tally): void => {
    const key = nodeIdKey(server.nodeId);
    if (counted.has(key)) return;
    counted.add(key);
    tally[kind]++;
  };

  return async (server: ServerDescriptor, shares: number[], signal: AbortSignal): Promise<void> => {
    for (const s of shares) pending.add(s);
    let api: StorageApi | undefined;
    let gaveUp = false;
    const { renewSecret, cancelSecret } = deriveLeaseSecrets(init.leaseSecret, init.storageIndex, nodeIdBytes(server.nodeId));
    const request = async (sig: AbortSignal) => {
      api = await broker.connect(server.nodeId, { signal: sig });
      const answer = await api.allocateBuckets(init.storageIndex, renewSecret, cancelSecret, shares, init.shareSize, { signal: sig });
      if (gaveUp) {
        // A late answer from a server we stopped waiting for: free what it reserved.
        void abortAllocations(clock, init.timeoutMs, init.storageIndex, [{ api, name: serverName(server), shares: answer.allocated }]);
      }
      return answer;
    };
    try {
      const answer = await withDeadline(clock, init.timeoutMs, signal, `peer ${serverName(server)}`, request).catch((e: unknown) => {
        gaveUp = true;
        throw e;
      });
      const placed = placement.entry(server, api!);
      const asked = new Set(shares);
      for (const s of answer.allocated) if (asked.has(s)) placed.allocated.add(s);
      for (const s of answer.alreadyHave) if (s >= 0 && s < placement.shareCount) placed.alreadyHave.add(s);
      // A share neither allocated nor held was refused: the server has no room for it.
      if (shares.some((s) => !placed.allocated.has(s) && !placed.alreadyHave.has(s))) {
        placed.full = true;
        count(server, 'full');
      }
    } catch (error) {
      signal.throwIfAborted();
      const full = isCapacityError(error);
      count(server, full ? 'full' : 'unreachable');
      // Full, or failed once: it gets no second-pass shares.
      if (full && api !== undefined) placement.entry(server, api).full = true;
      const placed = placement.servers.find((p) => p.key === nodeIdKey(server.nodeId));
      if (placed !== undefined) placed.full = true;
    } finally {
      for (const s of shares) pending.delete(s);
    }
  };
}

function isCapacityError(error: unknown): boolean {
  return error instanceof Error && error.name === 'CapacityExceededError';
}

function toTarget(p: PlacedServer): { api: StorageApi; name: string; shares: Iterable<number> } {
  return { api: p.api, name: p.name, shares: p.allocated };
}
