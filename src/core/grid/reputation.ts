/**
 * Peer reputation: faults counted per storage server (a bad share, a timeout, a protocol error,
 * a connection dropped mid-request), and `avoid(peer)` once a peer reaches the threshold within
 * the window, for a while. A grid of strangers' tabs is hostile by default (issue 7): the
 * verifying decoder refuses bad data, this table stops us asking its sender again.
 * @module
 */
import { BricError } from '../errors.js';
import { REPUTATION_AVOID_MS, REPUTATION_FAULT_THRESHOLD, REPUTATION_FAULT_WINDOW_MS, REPUTATION_MAX_PEERS } from '../limits.js';
import { nodeIdKey, type NodeId } from './broker.js';

/** What a peer did wrong. */
export type PeerFault =
  /** A share it served failed verification (block, hash chain, UEB), or it claimed a share it cannot read. */
  | 'bad-share'
  /** It did not answer a request in time. */
  | 'timeout'
  /** It broke the protocol: a malformed or impossible reply, a broken allocation promise. */
  | 'protocol'
  /** Its connection went away while a request was waiting (endless churn adds up). */
  | 'dropped';

export const PEER_FAULTS: readonly PeerFault[] = ['bad-share', 'timeout', 'protocol', 'dropped'];

/** A request was refused locally because its server is avoided. */
export class AvoidedPeerError extends BricError {
  override name = 'AvoidedPeerError';
}

export interface ReputationComponents {
  /** Milliseconds (only differences matter); the app passes Date.now, tests a FakeClock. */
  readonly clock: { now(): number };
}

export interface ReputationInit {
  /** Faults within the window that make a peer avoided. @default REPUTATION_FAULT_THRESHOLD */
  threshold: number;
  /** @default REPUTATION_FAULT_WINDOW_MS */
  windowMs: number;
  /** @default REPUTATION_AVOID_MS */
  avoidMs: number;
  /** @default REPUTATION_MAX_PEERS */
  maxPeers: number;
}

/** One peer's record, as `report()` gives it. */
export interface PeerRecord {
  readonly peer: string;
  /** Faults inside the window now. */
  readonly recent: number;
  /** Every fault ever counted, by kind (for status and tests). */
  readonly totals: Readonly<Record<PeerFault, number>>;
  /** The last fault's words. */
  readonly lastReason: string | undefined;
  /** Clock time until which the peer is avoided; undefined when it is not. */
  readonly avoidedUntil: number | undefined;
}

interface Entry {
  /** Times of the faults inside the window (at most `threshold` kept). */
  times: number[];
  totals: Record<PeerFault, number>;
  lastReason: string | undefined;
  avoidedUntil: number | undefined;
}

export class PeerReputation {
  readonly init: ReputationInit;
  private readonly clock: { now(): number };
  /** Insertion order is recency: the first entry is forgotten first when the table is full. */
  private readonly peers = new Map<string, Entry>();
  private readonly listeners = new Set<(peer: string, reason: string) => void>();

  constructor(components: ReputationComponents, init: Partial<ReputationInit> = {}) {
    this.clock = components.clock;
    this.init = {
      threshold: init.threshold ?? REPUTATION_FAULT_THRESHOLD,
      windowMs: init.windowMs ?? REPUTATION_FAULT_WINDOW_MS,
      avoidMs: init.avoidMs ?? REPUTATION_AVOID_MS,
      maxPeers: init.maxPeers ?? REPUTATION_MAX_PEERS,
    };
    for (const [name, v] of Object.entries(this.init)) {
      if (!Number.isSafeInteger(v) || v < 1) throw new RangeError(`"${name}" must be a whole number of at least 1, got ${String(v)}`);
    }
  }

  /**
   * Counts a fault against `peer`. Returns true when this fault made it avoided (listeners are
   * told then, once, so the caller can drop its connection).
   */
  fault(peer: NodeId, kind: PeerFault, reason: string): boolean {
    if (!PEER_FAULTS.includes(kind)) throw new RangeError(`"kind" must be one of ${PEER_FAULTS.join(', ')}, got ${String(kind)}`);
    const key = nodeIdKey(peer);
    const now = this.clock.now();
    const entry = this.touch(key, now);
    entry.totals[kind]++;
    entry.lastReason = reason;
    entry.times.push(now);
    if (entry.times.length > this.init.threshold) entry.times.shift();
    if (entry.avoidedUntil !== undefined || entry.times.length < this.init.threshold) return false;
    entry.avoidedUntil = now + this.init.avoidMs;
    const why = `${entry.times.length} faults within ${Math.round(this.init.windowMs / 1000)} s, the last: ${kind} (${reason})`;
    for (const listener of this.listeners) {
      try {
        listener(key, why);
      } catch {
        // A listener's failure must not stop the others or the caller.
      }
    }
    return true;
  }

  /** True while `peer` is avoided: leave it out of placement and downloads, refuse to dial it. */
  avoid(peer: NodeId): boolean {
    const entry = this.peers.get(nodeIdKey(peer));
    if (entry === undefined) return false;
    this.expire(entry, this.clock.now());
    return entry.avoidedUntil !== undefined;
  }

  /** Faults inside the window now. */
  faults(peer: NodeId): number {
    const entry = this.peers.get(nodeIdKey(peer));
    if (entry === undefined) return 0;
    this.expire(entry, this.clock.now());
    return entry.times.length;
  }

  /** Peers avoided now. */
  avoided(): string[] {
    const now = this.clock.now();
    return [...this.peers].filter(([, e]) => (this.expire(e, now), e.avoidedUntil !== undefined)).map(([k]) => k);
  }

  report(peer: NodeId): PeerRecord {
    const key = nodeIdKey(peer);
    const entry = this.peers.get(key);
    if (entry !== undefined) this.expire(entry, this.clock.now());
    return {
      peer: key,
      recent: entry?.times.length ?? 0,
      totals: { ...(entry?.totals ?? zeroTotals()) },
      lastReason: entry?.lastReason,
      avoidedUntil: entry?.avoidedUntil,
    };
  }

  /** Forgets everything about `peer` (a person vouched for it). */
  forgive(peer: NodeId): void {
    this.peers.delete(nodeIdKey(peer));
  }

  /** Peers in the table (bounded by maxPeers). */
  get size(): number {
    return this.peers.size;
  }

  /** Called once each time a peer becomes avoided. Returns an unsubscribe function. */
  onAvoid(listener: (peer: string, reason: string) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  private touch(key: string, now: number): Entry {
    let entry = this.peers.get(key);
    if (entry === undefined) {
      entry = { times: [], totals: zeroTotals(), lastReason: undefined, avoidedUntil: undefined };
      while (this.peers.size >= this.init.maxPeers) {
        const oldest = this.peers.keys().next().value;
        if (oldest === undefined) break;
        this.peers.delete(oldest);
      }
    } else {
      this.peers.delete(key);
      this.expire(entry, now);
    }
    this.peers.set(key, entry);
    return entry;
  }

  private expire(entry: Entry, now: number): void {
    if (entry.avoidedUntil !== undefined && now >= entry.avoidedUntil) {
      entry.avoidedUntil = undefined;
      entry.times = [];
    }
    while (entry.times.length > 0 && now - entry.times[0]! >= this.init.windowMs) entry.times.shift();
  }
}

function zeroTotals(): Record<PeerFault, number> {
  return { 'bad-share': 0, timeout: 0, protocol: 0, dropped: 0 };
}
