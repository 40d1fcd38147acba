/** Harness module for the smoke test: the placeholder app's self-checks, callable from Playwright. */
export { pingWorker, probeIndexedDb } from '../../../src/app/smoke.js';

/** Proves the harness itself works: returns its argument unchanged. */
export function echo<T>(value: T): T {
  return value;
}

declare global {
  interface BricHarness {
    smoke: typeof import('./smoke.js');
  }
}
