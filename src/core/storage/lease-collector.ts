/**
 * The lease collector: a node's clock-driven loop around its expiry passes (Tahoe's lease
 * expirer crawler, storage/expirer.py): every `intervalMs` it deletes the immutable shares and
 * mutable slots whose every lease has run out and frees their space, counted exactly. The passes
 * are the servers' own (StorageServer and MutableSlotServer collectExpired, under their locks);
 * this only schedules them.
 * @module
 */
import { LEASE_COLLECT_INTERVAL_MS } from '../limits.js';

/** What one pass freed. */
export interface Collected {
  /** Immutable shares deleted. */
  readonly shares: number;
  /** Mutable slots deleted. */
  readonly slots: number;
  readonly bytes: number;
}

/** A server with an expiry pass: StorageServer (shares) and MutableSlotServer (slots) have one. */
export interface ExpiringStore {
  collectExpired(opts: { signal: AbortSignal }): Promise<{ readonly bytes: number; readonly shares?: number; readonly slots?: number }>;
}

/** Time for the loop (the shape of core's Clock; storage does not import the grid's). */
export interface CollectorClock {
  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void>;
}

export interface LeaseCollectorComponents {
  /** The node's servers: its StorageServer, and its MutableSlotServer where it has one. */
  readonly servers: readonly ExpiringStore[];
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
  slotsFreed = 0;
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

  /** One pass over every server now (one after another: each holds its own locks). */
  async collectOnce(opts: { signal: AbortSignal }): Promise<Collected> {
    let shares = 0;
    let slots = 0;
    let bytes = 0;
    for (const server of this.components.servers) {
      const got = await server.collectExpired(opts);
      shares += got.shares ?? 0;
      slots += got.slots ?? 0;
      bytes += got.bytes;
    }
    const freed = { shares, slots, bytes };
    this.passes++;
    this.sharesFreed += shares;
    this.slotsFreed += slots;
    this.bytesFreed += bytes;
    if (shares + slots > 0) this.init.onCollected?.(freed);
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
