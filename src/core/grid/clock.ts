/**
 * Time for the grid client: the injected Clock port (core owns no real timers) and the one
 * helper built on it, a signal that aborts when a deadline passes or its parent aborts.
 * @module
 */
import { ServerTimeoutError } from './errors.js';

/** The time source of core. Real adapters use performance.now/setTimeout; tests a fake clock. */
export interface Clock {
  /** Milliseconds, monotonic. */
  now(): number;
  /** Resolves after `ms`; rejects with `signal.reason` once the signal aborts. */
  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void>;
}

export interface Deadline {
  readonly signal: AbortSignal;
  /** Stops the timer (always call it, or the clock keeps a sleeper until the deadline). */
  done(): void;
}

/**
 * A signal that aborts when `parent` aborts (with its reason) or after `ms` (with a
 * ServerTimeoutError saying `what` took too long).
 */
export function deadline(clock: Clock, ms: number, parent: AbortSignal, what: string): Deadline {
  const controller = new AbortController();
  const timer = new AbortController();
  const onParent = (): void => controller.abort(parent.reason);
  if (parent.aborted) onParent();
  else parent.addEventListener('abort', onParent, { once: true });
  clock.sleep(ms, { signal: timer.signal }).then(
    () => controller.abort(new ServerTimeoutError(`${what} did not answer within ${formatSeconds(ms)}`)),
    () => undefined, // the timer was cancelled by done()
  );
  return {
    signal: controller.signal,
    done(): void {
      parent.removeEventListener('abort', onParent);
      timer.abort();
    },
  };
}

/** Runs `fn` under a deadline, always releasing the timer. */
export async function withDeadline<T>(
  clock: Clock,
  ms: number,
  parent: AbortSignal,
  what: string,
  fn: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const d = deadline(clock, ms, parent, what);
  try {
    return await raceAbort(fn(d.signal), d.signal);
  } finally {
    d.done();
  }
}

/**
 * Settles with `promise`, or rejects with the signal's reason as soon as it aborts, so a callee
 * that ignores its signal (a hung peer) cannot hold the caller.
 */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) {
    promise.catch(() => undefined);
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function formatSeconds(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000} s` : `${(ms / 1000).toFixed(1)} s`;
}
