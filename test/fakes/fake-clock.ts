/**
 * A discrete-event clock for tests: time moves only when told (advance) or, in auto mode, when
 * the process has nothing else to do (every promise settled), jumping straight to the next timer.
 * So timeouts and latency are exercised without waiting and without timing thresholds.
 * @module
 */
import type { Clock } from '../../src/core/grid/clock.js';

interface Timer {
  at: number;
  seq: number;
  fire: () => void;
}

export class FakeClock implements Clock {
  private time = 0;
  private seq = 0;
  private timers: Timer[] = [];
  private auto = false;

  /** Milliseconds since the clock was made. */
  now(): number {
    return this.time;
  }

  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void> {
    const { signal } = opts;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const timer: Timer = {
        at: this.time + Math.max(0, ms),
        seq: this.seq++,
        fire: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });
  }

  /** setTimeout-shaped timers, for code that takes a timer function. */
  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const controller = new AbortController();
    this.sleep(ms, { signal: controller.signal }).then(fn, () => undefined);
    return { cancel: () => controller.abort() };
  }

  clearTimeout(handle: { cancel(): void } | undefined): void {
    handle?.cancel();
  }

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and letting each one's work run. */
  async advance(ms: number): Promise<void> {
    const until = this.time + ms;
    for (;;) {
      await settle();
      const next = this.earliest();
      if (next === undefined || next.at > until) break;
      this.fireNext();
    }
    this.time = until;
    await settle();
  }

  /**
   * Auto mode: whenever the process is idle (no pending promise work), jump to the next timer.
   * Returns a function that stops it. Idle is judged by a few setImmediate turns (all the memory
   * grid needs) and, before time jumps ahead, `idleMs` of real time for work outside promises.
   */
  startAuto(opts: { idleMs?: number } = {}): () => void {
    const idleMs = opts.idleMs ?? 5;
    this.auto = true;
    const loop = async (): Promise<void> => {
      while (this.auto) {
        await settle();
        if (!this.auto) break;
        const next = this.earliest();
        if (next === undefined) {
          await new Promise((r) => setTimeout(r, 1));
          continue;
        }
        if (next.at > this.time) {
          // Jumping ahead: first give real asynchronous work (WebCrypto, I/O) a moment to land,
          // so a deadline does not fire while an answer is merely computing.
          await new Promise((r) => setTimeout(r, idleMs));
          await settle();
          if (!this.auto || this.earliest() !== next) continue;
        }
        this.fireNext();
      }
    };
    void loop();
    return () => {
      this.auto = false;
    };
  }

  private earliest(): Timer | undefined {
    let best: Timer | undefined;
    for (const t of this.timers) if (best === undefined || t.at < best.at || (t.at === best.at && t.seq < best.seq)) best = t;
    return best;
  }

  private fireNext(): void {
    const next = this.earliest();
    if (next === undefined) return;
    this.timers = this.timers.filter((t) => t !== next);
    if (next.at > this.time) this.time = next.at;
    next.fire();
  }
}

/** Lets every queued promise reaction and immediate run (a few turns of the event loop). */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
