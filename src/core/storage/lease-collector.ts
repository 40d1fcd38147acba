/**
 * The lease collector: a node's clock-driven loop around one expiry pass (Tahoe's lease
 * expirer crawler, storage/expirer.py): every `intervalMs` it deletes the shares whose every
 * lease has run out and frees their space, counted exactly. The pass itself is the server's
 * (StorageServer.collectExpired, under its per-storage-index lock); this only schedules it.
 * @module
 */
import { LEASE_COLLECT_INTERVAL_MS } from '../limits.js';

/** What one pass freed. */
export interface Collected {
  readonly shares: number;
  readonly bytes: number;
}

/** The node side of the collector: StorageServer has it. */
export interface ExpiringStore {
  collectExpired(opts: { signal: AbortSignal }): Promise<Collected>;
}

/** Time for the loop (the shape of core's Clock; storage does not import the grid's). */
export interface CollectorClock {
  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void>;
}

export interface LeaseCollectorComponents {
  readonly server: ExpiringStore;
  readonly clock: CollectorClock;
}

export interface LeaseCollectorInit {
  /** Time between passes. @default LEASE_COLLECT_INTERVAL_MS (1 hour) */
  intervalMs?: number;
  /** After each pass that freed something. */
  onCollected?(freed: Collected): void;
  /** A pass failed (the store refused); the next pass is tried as usual. */
  onError?(error: unknown): void;
}

export class LeaseCollector {
  readonly intervalMs: number;
  /** Totals since the collector was made. */
  passes = 0;
  sharesFreed = 0;
  bytesFreed = 0;

  constructor(
    private readonly components: LeaseCollectorComponents,
    private readonly init: LeaseCollectorInit = {},
  ) {
    this.intervalMs = init.intervalMs ?? LEASE_COLLECT_INTERVAL_MS;
    if (!Number.isFinite(this.intervalMs) || this.intervalMs <= 0) {
      throw new RangeError(`"intervalMs" must be a positive number of milliseconds, got ${this.intervalMs}`);
    }
  }

  /** One pass now. */
  async collectOnce(opts: { signal: AbortSignal }): Promise<Collected> {
    const freed = await this.components.server.collectExpired(opts);
    this.passes++;
    this.sharesFreed += freed.shares;
    this.bytesFreed += freed.bytes;
    if (freed.shares > 0) this.init.onCollected?.(freed);
    return freed;
  }

  /** A pass at once, then one every interval, until `signal` aborts (then it resolves). */
  async run(opts: { signal: AbortSignal }): Promise<void> {
    const { signal } = opts;
    while (!signal.aborted) {
      try {
        await this.collectOnce(opts);
      } catch (err) {
        if (signal.aborted) return;
        this.init.onError?.(err);
      }
      await this.components.clock.sleep(this.intervalMs, { signal }).catch(() => undefined);
    }
  }
}
