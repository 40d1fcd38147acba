/**
 * Keeping the person's files alive from this tab (node.ts wires it): the RepairScheduler over the
 * caps of the files this person uploaded, run by one tab per person and grid at a time (a Web Lock;
 * when that tab closes, a waiting one takes over), with a FileChecker that leases with the same
 * secret as the GridClient. Status and events are for the node's API (health bars later).
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '../core/bytes.js';
import type { Cap, ChkReadCap, LitCap } from '../core/cap/types.js';
import type { StorageBroker } from '../core/grid/broker.js';
import type { Clock } from '../core/grid/clock.js';
import type { SegmentRunner } from '../core/immutable/runner.js';
import { FileChecker, RepairScheduler, type FileHealth, type RepairEvent } from '../core/repair/index.js';

/** What the node tells about repair. */
export interface NodeDurability {
  /** True while this tab holds the person's repair lock (and so runs the checks and repairs). */
  running(): boolean;
  /** Every CHK file this tab knows, with its health (empty in a tab that does not hold the lock). */
  status(): FileHealth[];
  /** Calls `listener` for each check and repair this tab does; returns the unsubscribe function. */
  subscribe(listener: (event: RepairEvent) => void): () => void;
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
}

/** A person's name for the repair lock: a digest of their lease secret and the grid, not the secret. */
export function repairLockName(leaseSecret: Uint8Array, room: string): string {
  const person = bytesToHex(sha256(concatBytes(utf8ToBytes('bric-repair-person:'), leaseSecret, utf8ToBytes(`:${room}`)))).slice(0, 32);
  return `bric-repair-${person}`;
}

/** The files this node keeps healthy, and their repair. */
export class Durability implements NodeDurability {
  readonly #caps = new Map<string, Cap>();
  readonly #listeners = new Set<(event: RepairEvent) => void>();
  readonly #scheduler: RepairScheduler;
  #running = false;

  constructor(components: DurabilityComponents, init: DurabilityInit) {
    const checker = new FileChecker(components, { leaseSecret: init.leaseSecret });
    this.#scheduler = new RepairScheduler(
      { clock: components.clock, checker },
      {
        caps: () => this.#caps.values(),
        onEvent: (event) => {
          for (const l of [...this.#listeners]) l(event);
        },
      },
    );
    const { signal } = init;
    // Waits (queued) while another tab of this person repairs; aborting drops the queued request.
    void navigator.locks
      .request(repairLockName(init.leaseSecret, init.room), { signal }, async () => {
        this.#running = true;
        try {
          await this.#scheduler.run({ signal });
        } finally {
          this.#running = false;
        }
      })
      .catch(() => undefined);
  }

  /** A file this person uploaded (LIT caps hold their data in the cap: nothing to repair). */
  add(cap: ChkReadCap | LitCap): void {
    if (cap.kind !== 'chk') return;
    this.#caps.set(bytesToHex(cap.key), cap); // the read key names the file (its storage index derives from it)
    this.#scheduler.poke();
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
}
