/**
 * The new share copies of one repair: where they go (planRepair over the census, allocated on
 * each server before any byte flows, re-planned around servers that refuse or fail), then their
 * writes and closes. Bookkeeping is the uploader's Placement (grid/placement.ts): servers that
 * hold good shares are its "already have", new copies its allocations. A server lost while
 * writing is dropped and its allocations aborted; the rest of the repair goes on without it.
 * @module
 */
import { nodeIdBytes } from '../grid/broker.js';
import { withDeadline, type Clock } from '../grid/clock.js';
import { deriveLeaseSecrets } from '../grid/lease-secrets.js';
import { abortAllocations, Placement, type PlacedServer } from '../grid/placement.js';
import type { CensusServer } from './census.js';
import type { CorruptShare, ServerShares } from './check-result.js';
import { planRepair } from './plan.js';

export interface NewSharesInit {
  readonly storageIndex: Uint8Array;
  readonly n: number;
  /** Exact bytes of one share. */
  readonly shareSize: number;
  readonly leaseSecret: Uint8Array;
  readonly timeoutMs: number;
}

export class NewShares {
  readonly placement: Placement;
  /** Bytes of share data written to servers. */
  bytesWritten = 0;
  private readonly readonly = new Set<string>();
  private readonly closed = new Map<PlacedServer, Set<number>>();

  constructor(
    private readonly clock: Clock,
    private readonly init: NewSharesInit,
    /** Servers that answered the census, in ring order, with the shares they listed. */
    answered: readonly CensusServer[],
    /** Copies known corrupt: not counted as held; their holders take no new shares of this file. */
    corrupt: readonly CorruptShare[],
  ) {
    this.placement = new Placement(init.storageIndex, init.n);
    const bad = new Set(corrupt.map((c) => `${c.id}/${c.share}`));
    for (const holder of answered) {
      const placed = this.placement.entry(holder.server, holder.api);
      for (const s of holder.shares) if (!bad.has(`${holder.id}/${s}`)) placed.alreadyHave.add(s);
      // It cannot take a good copy of a share it holds corrupt (that share number is taken there),
      // and it has shown itself unreliable for this file: it gets none.
      if (holder.shares.some((s) => bad.has(`${holder.id}/${s}`))) this.readonly.add(placed.key);
      const room = holder.server.availableBytes;
      if (room !== undefined && room < init.shareSize) placed.full = true;
    }
  }

  /**
   * Allocates the copies the plan asks for, planning again while servers refuse or fail, so
   * happiness rises as far as the reachable servers allow. Returns the copies allocated.
   */
  async allocate(signal: AbortSignal): Promise<number> {
    const { placement } = this;
    for (let round = 0; round <= placement.servers.length; round++) {
      const byKey = new Map(placement.servers.map((p) => [p.key, p]));
      const writes = planRepair({
        peers: placement.servers.map((p) => p.key),
        readonly: new Set(placement.servers.filter((p) => p.full || this.readonly.has(p.key)).map((p) => p.key)),
        n: this.init.n,
        holdings: new Map(placement.servers.map((p) => [p.key, [...p.alreadyHave, ...p.allocated]])),
      });
      if (writes.size === 0) break;
      await Promise.all([...writes].map(([key, shares]) => this.ask(byKey.get(key)!, shares, signal)));
      signal.throwIfAborted();
    }
    return placement.writers().reduce((sum, p) => sum + p.allocated.size, 0);
  }

  private async ask(placed: PlacedServer, shares: number[], signal: AbortSignal): Promise<void> {
    const { storageIndex, shareSize, leaseSecret, timeoutMs } = this.init;
    const { renewSecret, cancelSecret } = deriveLeaseSecrets(leaseSecret, storageIndex, nodeIdBytes(placed.server.nodeId));
    try {
      const answer = await withDeadline(this.clock, timeoutMs, signal, `peer ${placed.name}`, (sig) =>
        placed.api.allocateBuckets(storageIndex, renewSecret, cancelSecret, shares, shareSize, { signal: sig }),
      );
      const asked = new Set(shares);
      for (const s of answer.allocated) if (asked.has(s)) placed.allocated.add(s);
      // Held already (another repairer was quicker, or the census missed it): counts as held.
      for (const s of answer.alreadyHave) if (asked.has(s)) placed.alreadyHave.add(s);
      if (shares.some((s) => !placed.allocated.has(s) && !placed.alreadyHave.has(s))) placed.full = true;
    } catch (err) {
      signal.throwIfAborted();
      if (err instanceof Error && err.name === 'CapacityExceededError') {
        placed.full = true;
        return;
      }
      // Unreachable now: neither its shares nor its room count; free what an earlier round reserved.
      const earlier = this.placement.drop(placed);
      if (earlier.length > 0) void abortAllocations(this.clock, timeoutMs, storageIndex, [{ api: placed.api, name: placed.name, shares: earlier }]);
    }
  }

  /** Writes `data` at `offset` of share `shareNum` on every server allocated for it. */
  async write(shareNum: number, offset: number, data: Uint8Array, signal: AbortSignal): Promise<void> {
    const targets = this.placement.writersOf(shareNum);
    await Promise.all(
      targets.map((p) =>
        this.call(p, signal, async (sig) => {
          await p.api.writeShare(this.init.storageIndex, shareNum, offset, data, { signal: sig });
          this.bytesWritten += data.length;
        }),
      ),
    );
  }

  /** Share numbers being written (allocated on a server still with us). */
  shareNums(): number[] {
    const out = new Set<number>();
    for (const p of this.placement.writers()) for (const s of p.allocated) out.add(s);
    return [...out].sort((a, b) => a - b);
  }

  /** Closes every allocated copy; returns the copies now held, per server. */
  async closeAll(signal: AbortSignal): Promise<ServerShares[]> {
    const { storageIndex } = this.init;
    await Promise.all(
      this.placement.writers().flatMap((p) =>
        [...p.allocated].map((s) =>
          this.call(p, signal, async (sig) => {
            await p.api.closeShare(storageIndex, s, { signal: sig });
            const done = this.closed.get(p) ?? new Set<number>();
            done.add(s);
            this.closed.set(p, done);
          }),
        ),
      ),
    );
    return [...this.closed].map(([p, shares]) => ({ name: p.name, id: p.key, shares: [...shares].sort((a, b) => a - b) }));
  }

  /** Aborts every allocation not closed, so nothing half-written stays claimed. */
  async abortOpen(): Promise<void> {
    const targets = this.placement.writers().map((p) => ({
      api: p.api,
      name: p.name,
      shares: [...p.allocated].filter((s) => !this.closed.get(p)?.has(s)),
    }));
    await abortAllocations(this.clock, this.init.timeoutMs, this.init.storageIndex, targets);
  }

  /** One request under a deadline; a server that fails is dropped and its open allocations aborted. */
  private async call(p: PlacedServer, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
    try {
      await withDeadline(this.clock, this.init.timeoutMs, signal, `peer ${p.name}`, fn);
    } catch {
      signal.throwIfAborted();
      if (!this.placement.servers.includes(p)) return; // dropped already (several calls failed together)
      const open = this.placement.drop(p).filter((s) => !this.closed.get(p)?.has(s));
      void abortAllocations(this.clock, this.init.timeoutMs, this.init.storageIndex, [{ api: p.api, name: p.name, shares: open }]);
    }
  }
}
