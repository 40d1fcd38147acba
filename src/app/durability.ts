/**
 * Keeping the person's files alive (node.ts wires it): the RepairScheduler over the caps this
 * person keeps in this grid (persisted in durability-db.ts, so the list survives reloads and a
 * tab that takes over repair knows every file), run by one tab per person and grid at a time (a
 * Web Lock; when that tab closes, a waiting one takes over). The tab that repairs tells the
 * person's other tabs what it learns (a BroadcastChannel), so every health bar sees it.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { base32Encode, bytesToHex, concatBytes, utf8ToBytes } from '../core/bytes.js';
import { deriveStorageIndex } from '../core/cap/storage-index.js';
import { formatCap, parseCap } from '../core/cap/parse.js';
import type { ChkReadCap, ChkVerifyCap, LitCap } from '../core/cap/types.js';
import type { StorageBroker } from '../core/grid/broker.js';
import type { Clock } from '../core/grid/clock.js';
import type { SegmentRunner } from '../core/immutable/runner.js';
import { FileChecker, RepairScheduler, type CheckResult, type FileHealth, type RepairEvent, type VerifyProgress } from '../core/repair/index.js';
import { deleteKeptCap, loadKeptCaps, putKeptCap } from './durability-db.js';
import { activityOf, knownHealthOf, repairTestSettings, stateOfCheck, type KnownHealth, type RepairActivity } from './health-model.js';

export type { KnownHealth, RepairActivity } from './health-model.js';

/** What the node tells about repair, and what health bars ask of it. */
export interface NodeDurability {
  /** True while this tab holds the person's repair lock (and so runs the checks and repairs). */
  running(): boolean;
  /** Every CHK file this tab's scheduler knows, with its health (empty in a tab that does not hold the lock). */
  status(): FileHealth[];
  /** Calls `listener` for each check and repair this tab does; returns the unsubscribe function. */
  subscribe(listener: (event: RepairEvent) => void): () => void;
  /** Keeps a file alive from now on (persisted for this grid; LIT caps hold their data: nothing to keep). */
  add(cap: ChkReadCap | LitCap): void;
  /** Stops keeping a file alive (its shares stay until their leases run out). */
  forget(cap: ChkReadCap | LitCap): void;
  /** The latest health known of a file (base32 storage index), from this tab or the one that repairs. */
  health(storageIndex: string): KnownHealth | undefined;
  /** Recent checks and repairs by whichever tab of this person repairs, newest last. */
  activity(): readonly RepairActivity[];
  /** Calls `listener` whenever health() or activity() may have changed. */
  watch(listener: () => void): () => void;
  /** Counts the file's good shares now (listShares only; cheap). */
  check(cap: ChkReadCap | ChkVerifyCap, opts: { signal: AbortSignal }): Promise<CheckResult>;
  /** Fetches every share and checks every hash: costs about N/k × the file's size in transfer. */
  verify(cap: ChkReadCap | ChkVerifyCap, opts: { signal: AbortSignal; onProgress?(p: VerifyProgress): void }): Promise<CheckResult>;
}

export interface DurabilityComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
  readonly runner: SegmentRunner;
}

export interface DurabilityInit {
  /** The person's lease secret (the GridClient's). */
  readonly leaseSecret: Uint8Array;
  /** The grid's room: one repairer per person per grid (caps of one grid mean nothing in another). */
  readonly room: string;
  /** Ends the scheduler and gives up (or stops waiting for) the lock. */
  readonly signal: AbortSignal;
  /** Happiness a healthy file has, and below which it is repaired (the person's encoding). @default DEFAULT_HAPPY */
  readonly happy?: number;
}

/** A person's name for the repair lock: a digest of their lease secret and the grid, not the secret. */
export function repairLockName(leaseSecret: Uint8Array, room: string): string {
  const person = bytesToHex(sha256(concatBytes(utf8ToBytes('bric-repair-person:'), leaseSecret, utf8ToBytes(`:${room}`)))).slice(0, 32);
  return `bric-repair-${person}`;
}

/** Messages between one person's tabs in one grid. */
type Message =
  | { readonly kind: 'caps-changed' }
  | { readonly kind: 'health'; readonly health: KnownHealth }
  | { readonly kind: 'activity'; readonly activity: RepairActivity }
  | { readonly kind: 'health-please' };

/** Activity entries kept for the health bars. */
const ACTIVITY_KEPT = 50;

const storageIndexOf = (cap: ChkReadCap): string => base32Encode(deriveStorageIndex(cap.key));

/** The files this node keeps healthy, and their repair. */
export class Durability implements NodeDurability {
  /** storage index → cap: this tab's own adds, and (in the tab that repairs) the whole kept list. */
  readonly #caps = new Map<string, ChkReadCap>();
  readonly #listeners = new Set<(event: RepairEvent) => void>();
  readonly #watchers = new Set<() => void>();
  readonly #known = new Map<string, KnownHealth>();
  /** Caps added here whose record is still being written. */
  readonly #unsaved = new Set<string>();
  #activity: RepairActivity[] = [];
  readonly #scheduler: RepairScheduler;
  readonly #checker: FileChecker;
  readonly #clock: Clock;
  readonly #room: string;
  readonly #channel: BroadcastChannel | undefined;
  #running = false;
  #checks: Promise<void> = Promise.resolve();

  constructor(components: DurabilityComponents, init: DurabilityInit) {
    this.#clock = components.clock;
    this.#room = init.room;
    this.#checker = new FileChecker(components, { leaseSecret: init.leaseSecret, ...(init.happy === undefined ? {} : { happy: init.happy }) });
    const lockName = repairLockName(init.leaseSecret, init.room);
    this.#scheduler = new RepairScheduler(
      { clock: components.clock, checker: this.#checker },
      {
        caps: () => this.#caps.values(),
        ...repairTestSettings(),
        onEvent: (event) => this.#onEvent(event),
      },
    );
    const { signal } = init;
    this.#channel = typeof BroadcastChannel === 'undefined' ? undefined : new BroadcastChannel(lockName);
    if (this.#channel !== undefined) {
      this.#channel.onmessage = (e: MessageEvent<Message>) => this.#onMessage(e.data);
      signal.addEventListener('abort', () => this.#channel?.close(), { once: true });
      this.#post({ kind: 'health-please' });
    }
    // Waits (queued) while another tab of this person repairs; aborting drops the queued request.
    void navigator.locks
      .request(lockName, { signal }, async () => {
        this.#running = true;
        try {
          await this.#loadKept();
          await this.#scheduler.run({ signal });
        } finally {
          this.#running = false;
        }
      })
      .catch(() => undefined);
  }

  add(cap: ChkReadCap | LitCap): void {
    if (cap.kind !== 'chk') return;
    const storageIndex = storageIndexOf(cap);
    // Known already (loaded from the list, or added here and saved): home walks add every file again.
    if (this.#caps.has(storageIndex)) return;
    this.#caps.set(storageIndex, cap);
    this.#unsaved.add(storageIndex);
    this.#scheduler.poke();
    void putKeptCap({ room: this.#room, storageIndex, cap: formatCap(cap), addedAt: Date.now() })
      .then(
        () => this.#post({ kind: 'caps-changed' }),
        (error: unknown) => console.warn('bric: could not remember a file for repair:', error),
      )
      .finally(() => this.#unsaved.delete(storageIndex));
  }

  forget(cap: ChkReadCap | LitCap): void {
    if (cap.kind !== 'chk') return;
    const storageIndex = storageIndexOf(cap);
    this.#caps.delete(storageIndex);
    this.#known.delete(storageIndex);
    this.#scheduler.poke();
    void deleteKeptCap(this.#room, storageIndex).then(
      () => this.#post({ kind: 'caps-changed' }),
      (error: unknown) => console.warn('bric: could not forget a file:', error),
    );
    this.#notify();
  }

  running(): boolean {
    return this.#running;
  }

  status(): FileHealth[] {
    return this.#scheduler.status();
  }

  subscribe(listener: (event: RepairEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  health(storageIndex: string): KnownHealth | undefined {
    return this.#known.get(storageIndex);
  }

  activity(): readonly RepairActivity[] {
    return this.#activity;
  }

  watch(listener: () => void): () => void {
    this.#watchers.add(listener);
    return () => this.#watchers.delete(listener);
  }

  async check(cap: ChkReadCap | ChkVerifyCap, opts: { signal: AbortSignal }): Promise<CheckResult> {
    // Health bars of a long list check one after another, never all at once.
    const turn = this.#checks.then(() => this.#checker.check(cap, { signal: opts.signal }));
    this.#checks = turn.then(
      () => undefined,
      () => undefined,
    );
    const result = await turn;
    this.#learnt(result);
    return result;
  }

  async verify(cap: ChkReadCap | ChkVerifyCap, opts: { signal: AbortSignal; onProgress?(p: VerifyProgress): void }): Promise<CheckResult> {
    const result = await this.#checker.verify(cap, { signal: opts.signal, ...(opts.onProgress ? { onProgress: opts.onProgress } : {}) });
    this.#learnt(result);
    if (!result.healthy) this.#scheduler.poke();
    return result;
  }

  /** A check or verify this tab made on the person's behalf: its health, for every tab. */
  #learnt(result: CheckResult): void {
    const health: KnownHealth = { storageIndex: result.storageIndex, state: stateOfCheck(result, this.#checker.happy), result, checkedAtMs: Date.now() };
    this.#remember(health);
    this.#post({ kind: 'health', health });
  }

  /** The repair lock is ours: the kept list (every tab's adds, earlier visits too) is the scheduler's. */
  async #loadKept(): Promise<void> {
    let records;
    try {
      records = await loadKeptCaps(this.#room);
    } catch (error) {
      console.warn('bric: could not read the files kept for repair:', error);
      return;
    }
    const seen = new Set<string>();
    for (const r of records) {
      try {
        const cap = parseCap(r.cap);
        if (cap.kind !== 'chk') continue;
        seen.add(r.storageIndex);
        if (!this.#caps.has(r.storageIndex)) this.#caps.set(r.storageIndex, cap);
      } catch {
        // A record this version cannot read: left in place for a newer one.
      }
    }
    // Forgotten in another tab: gone from the database (a cap added here, still on its way there, stays).
    for (const si of [...this.#caps.keys()]) if (!seen.has(si) && !this.#unsaved.has(si)) this.#caps.delete(si);
    this.#scheduler.poke();
  }

  #onEvent(event: RepairEvent): void {
    for (const l of [...this.#listeners]) l(event);
    const offset = Date.now() - this.#clock.now();
    const activity = activityOf(event, Date.now());
    this.#pushActivity(activity);
    this.#post({ kind: 'activity', activity });
    const fh = this.#scheduler.status().find((h) => h.storageIndex === event.storageIndex);
    if (fh !== undefined) {
      const health = knownHealthOf(fh, offset);
      this.#remember(health);
      this.#post({ kind: 'health', health });
    }
  }

  #onMessage(message: Message): void {
    switch (message.kind) {
      case 'caps-changed':
        if (this.#running) void this.#loadKept();
        return;
      case 'health':
        this.#remember(message.health);
        return;
      case 'activity':
        this.#pushActivity(message.activity);
        return;
      case 'health-please':
        if (!this.#running) return;
        for (const h of this.#known.values()) this.#post({ kind: 'health', health: h });
        for (const a of this.#activity.slice(-10)) this.#post({ kind: 'activity', activity: a });
    }
  }

  #remember(health: KnownHealth): void {
    const old = this.#known.get(health.storageIndex);
    if (old !== undefined && old.checkedAtMs !== undefined && health.checkedAtMs !== undefined && old.checkedAtMs > health.checkedAtMs && old.state === health.state) return;
    this.#known.set(health.storageIndex, health);
    this.#notify();
  }

  #pushActivity(activity: RepairActivity): void {
    // Checks come every few minutes for every file: only each file's latest is kept, so they
    // never push repairs out of the list.
    const kept = activity.type === 'checked' ? this.#activity.filter((a) => a.type !== 'checked' || a.storageIndex !== activity.storageIndex) : this.#activity;
    this.#activity = [...kept.slice(-(ACTIVITY_KEPT - 1)), activity];
    this.#notify();
  }

  #notify(): void {
    for (const w of [...this.#watchers]) {
      try {
        w();
      } catch {
        // A failing health bar must not stop the others.
      }
    }
  }

  #post(message: Message): void {
    try {
      this.#channel?.postMessage(message);
    } catch {
      // Closed (the node is shutting down).
    }
  }
}
