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
  const unlink = link(parent, controller);
  clock.sleep(ms, { signal: timer.signal }).then(
    () => controller.abort(new ServerTimeoutError(`${what} did not answer within ${formatSeconds(ms)}`)),
    () => undefined, // the timer was cancelled by done()
  );
  return {
    signal: controller.signal,
    done(): void {
      unlink();
      timer.abort();
    },
  };
}

// One abort listener per parent signal, fanning out to every child: an upload runs N writes at
// once under one signal, and a listener each would pile up on it.
const children = new WeakMap<AbortSignal, Set<AbortController>>();

function link(parent: AbortSignal, child: AbortController): () => void {
  if (parent.aborted) {
    child.abort(parent.reason);
    return () => undefined;
  }
  let set = children.get(parent);
  if (set === undefined) {
    const created = new Set<AbortController>();
    set = created;
    children.set(parent, created);
    parent.addEventListener(
      'abort',
      () => {
        for (const c of created) c.abort(parent.reason);
        created.clear();
      },
      { once: true },
    );
  }
  set.add(child);
  const own = set;
  return () => void own.delete(child);
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
