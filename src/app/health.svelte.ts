/**
 * The health of one file as its health bar shows it (runes facade over NodeDurability): good
 * shares found of k needed and N made, happiness, when it was last checked, the repair activity
 * of the person's repairing tab, and a verify the person starts after being told its cost.
 * @module
 */
import { base32Encode } from '../core/bytes.js';
import { deriveStorageIndex } from '../core/cap/storage-index.js';
import { parseCap } from '../core/cap/parse.js';
import type { ChkReadCap } from '../core/cap/types.js';
import type { VerifyProgress } from '../core/repair/index.js';
import type { KnownHealth, RepairActivity } from './health-model.js';
import type { NodeServices } from './node-api.js';

/** Activity lines shown per file. */
const ACTIVITY_SHOWN = 3;
/** How often "checked 2 min ago" is brought up to date. */
const AGO_REFRESH_MS = 15_000;
/**
 * A new tab first waits this long for the repairing tab's answer (it replies to every tab that
 * opens with the health it knows) before checking a file itself: a long files list then costs
 * no burst of checks at every tab opened.
 */
const FIRST_CHECK_DELAY_MS = 2_000;

export class FileHealthState {
  /** chk: a file on the grid; lit: its bytes are in the cap (nothing to check); bad: not a cap bric reads. */
  kind = $state<'chk' | 'lit' | 'bad'>('bad');
  cap = $state.raw<ChkReadCap | undefined>(undefined);
  health = $state.raw<KnownHealth | undefined>(undefined);
  activity = $state.raw<readonly RepairActivity[]>([]);
  /** True while this tab's first check runs (no health known yet). */
  checking = $state(false);
  /** True while this tab is the person's repairer. */
  repairer = $state(false);
  verifyPhase = $state<'idle' | 'confirm' | 'running' | 'done' | 'failed'>('idle');
  verifyProgress = $state.raw<VerifyProgress | undefined>(undefined);
  verifyWords = $state<string | undefined>(undefined);
  now = $state(Date.now());

  #services: NodeServices | undefined;
  #life: AbortController | undefined;
  #verify: AbortController | undefined;

  /** Follows `capText` on `services` until the returned function is called. */
  attach(services: NodeServices | undefined, capText: string): () => void {
    this.#life?.abort();
    const life = new AbortController();
    this.#life = life;
    this.#services = services;
    this.health = undefined;
    this.activity = [];
    this.verifyPhase = 'idle';
    let cap;
    try {
      cap = parseCap(capText);
    } catch {
      this.kind = 'bad';
      return () => life.abort();
    }
    if (cap.kind === 'lit') this.kind = 'lit';
    if (cap.kind !== 'chk') return () => life.abort();
    this.kind = 'chk';
    this.cap = cap;
    const si = base32Encode(deriveStorageIndex(cap.key));
    const timer = setInterval(() => (this.now = Date.now()), AGO_REFRESH_MS);
    life.signal.addEventListener('abort', () => {
      clearInterval(timer);
      this.#verify?.abort();
    });
    if (services === undefined) return () => life.abort();
    const { durability } = services;
    const refresh = (): void => {
      this.health = durability.health(si);
      // Checks show as "last checked"; the list keeps what changed something (repairs, failures).
      this.activity = durability
        .activity()
        .filter((a) => a.storageIndex === si && a.type !== 'checked')
        .slice(-ACTIVITY_SHOWN);
      this.repairer = durability.running();
      this.now = Date.now();
    };
    const unwatch = durability.watch(refresh);
    life.signal.addEventListener('abort', unwatch);
    refresh();
    if (this.health === undefined) void this.#firstCheck(services, cap, life.signal);
    return () => life.abort();
  }

  /** The person asked to verify: show what it costs first. */
  askVerify(): void {
    if (this.verifyPhase !== 'running') this.verifyPhase = 'confirm';
  }

  cancelVerify(): void {
    this.#verify?.abort();
    this.verifyPhase = 'idle';
  }

  async startVerify(): Promise<void> {
    const services = this.#services;
    const cap = this.cap;
    if (services === undefined || cap === undefined || this.verifyPhase === 'running') return;
    const run = new AbortController();
    this.#verify = run;
    this.verifyPhase = 'running';
    this.verifyProgress = undefined;
    try {
      await services.joined(run.signal);
      const result = await services.durability.verify(cap, { signal: run.signal, onProgress: (p) => (this.verifyProgress = p) });
      if (run.signal.aborted) return;
      const corrupt = result.corrupt.length;
      this.verifyWords =
        `verified ${result.sharesFound} share copies` +
        (corrupt > 0 ? `, ${corrupt} corrupt (reported to their holders)` : ', every hash good') +
        (result.cost === undefined ? '' : `; read ${result.cost.words}`);
      this.verifyPhase = 'done';
    } catch (error) {
      if (run.signal.aborted) return;
      this.verifyWords = `verify failed: ${error instanceof Error ? error.message : String(error)}`;
      this.verifyPhase = 'failed';
    }
  }

  async #firstCheck(services: NodeServices, cap: ChkReadCap, signal: AbortSignal): Promise<void> {
    try {
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, FIRST_CHECK_DELAY_MS);
        signal.addEventListener('abort', () => (clearTimeout(t), reject(signal.reason)), { once: true });
      });
      if (this.health !== undefined) return;
      this.checking = true;
      await services.joined(signal);
      await services.durability.check(cap, { signal });
    } catch {
      // Shown as "not checked yet"; the repairing tab's checks arrive later anyway.
    } finally {
      if (!signal.aborted) this.checking = false;
    }
  }
}
