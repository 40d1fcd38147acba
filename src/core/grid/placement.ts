/**
 * The bookkeeping of one upload's placement: which server holds or will hold which share,
 * the happiness that gives, and how to let go of servers (lost, or abandoned on failure) while
 * leaving nothing half-written claimed on them.
 * @module
 */
import type { StorageApi } from '../storage/api.js';
import { nodeIdKey, serverName, type ServerDescriptor } from './broker.js';
import { withDeadline, type Clock } from './clock.js';
import { serversOfHappiness } from './happiness.js';

/** One server placement talked to, with what it answered. */
export interface PlacedServer {
  readonly server: ServerDescriptor;
  /** nodeIdKey of the server. */
  readonly key: string;
  /** Readable name for messages. */
  readonly name: string;
  readonly api: StorageApi;
  /** Shares allocated for this upload: they must be written, then closed (or aborted). */
  readonly allocated: Set<number>;
  /** Shares the server holds already (closed, from an earlier upload of the same file). */
  readonly alreadyHave: Set<number>;
  /** True once it refused a share for lack of room: it takes no more new shares. */
  full: boolean;
}

export class Placement {
  /** Servers in permuted-ring order (only those that answered). */
  readonly servers: PlacedServer[] = [];
  private readonly byKey = new Map<string, PlacedServer>();

  constructor(
    readonly storageIndex: Uint8Array,
    readonly shareCount: number,
  ) {}

  /** The entry for a server that answered, created on its first answer. */
  entry(server: ServerDescriptor, api: StorageApi): PlacedServer {
    const key = nodeIdKey(server.nodeId);
    let placed = this.byKey.get(key);
    if (placed === undefined) {
      placed = { server, key, name: serverName(server), api, allocated: new Set(), alreadyHave: new Set(), full: false };
      this.byKey.set(key, placed);
      this.servers.push(placed);
    }
    return placed;
  }

  /** share → keys of the servers that hold it or will. */
  sharemap(): Map<number, Set<string>> {
    const map = new Map<number, Set<string>>();
    for (const placed of this.servers) {
      for (const share of [...placed.allocated, ...placed.alreadyHave]) {
        const holders = map.get(share);
        if (holders === undefined) map.set(share, new Set([placed.key]));
        else holders.add(placed.key);
      }
    }
    return map;
  }

  /** Servers-of-happiness of the placement as it stands. */
  happiness(): number {
    return serversOfHappiness(this.sharemap());
  }

  /** Shares no server holds or will hold. */
  homeless(): number[] {
    const map = this.sharemap();
    const out: number[] = [];
    for (let s = 0; s < this.shareCount; s++) if (!map.has(s)) out.push(s);
    return out;
  }

  /** The servers a share's blocks are written to (allocated there for this upload). */
  writersOf(shareNum: number): PlacedServer[] {
    return this.servers.filter((p) => p.allocated.has(shareNum));
  }

  /** Servers that have allocations to write. */
  writers(): PlacedServer[] {
    return this.servers.filter((p) => p.allocated.size > 0);
  }

  /** Forgets a server (lost): its shares no longer count. Returns the allocations it had. */
  drop(placed: PlacedServer): number[] {
    const index = this.servers.indexOf(placed);
    if (index < 0) return [];
    this.servers.splice(index, 1);
    this.byKey.delete(placed.key);
    return [...placed.allocated];
  }
}

/**
 * Aborts the given allocations (best effort, each under its own deadline and a fresh signal, as
 * the caller's may be aborted already): the server frees the space it reserved.
 */
export async function abortAllocations(
  clock: Clock,
  timeoutMs: number,
  storageIndex: Uint8Array,
  targets: readonly { api: StorageApi; name: string; shares: Iterable<number> }[],
): Promise<void> {
  const calls: Promise<unknown>[] = [];
  for (const { api, name, shares } of targets) {
    for (const share of shares) {
      const call = withDeadline(clock, timeoutMs, new AbortController().signal, `peer ${name}`, (signal) =>
        api.abortShare(storageIndex, share, { signal }),
      );
      calls.push(call.catch(() => undefined));
    }
  }
  await Promise.all(calls);
}
