/**
 * Harness module for the platform smoke test (test/e2e/smoke.spec.ts): a module Web Worker
 * answers and IndexedDB opens (through idb) on the app's origin, under its CSP; and two tabs open
 * a WebRTC data channel through /signal (./_smoke-rtc.ts).
 */
import { openDB } from 'idb';

export { rtcJoin, rtcLeave, rtcReceived, rtcSend, rtcWaitForPeer } from './_smoke-rtc.js';

/** Proves the harness itself works: returns its argument unchanged. */
export function echo<T>(value: T): T {
  return value;
}

/** Posts a ping to a fresh module worker and resolves 'ok' when the matching pong comes back. */
export async function pingWorker(timeoutMs: number): Promise<'ok'> {
  const worker = new Worker(new URL('./_smoke.worker.ts', import.meta.url), { type: 'module', name: 'bric-smoke' });
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    return await new Promise<'ok'>((resolve, reject) => {
      const nonce = Math.random();
      signal.addEventListener('abort', () => reject(new Error('the worker did not answer in time')), { once: true });
      worker.addEventListener('error', (e) => reject(new Error(`the worker failed: ${e.message}`)));
      worker.addEventListener('message', (e: MessageEvent<{ pong?: number }>) => {
        if (e.data.pong === nonce) resolve('ok');
        else reject(new Error('the worker answered something else'));
      });
      worker.postMessage({ ping: nonce });
    });
  } finally {
    worker.terminate();
  }
}

/** Opens a scratch database, writes and reads back one value. */
export async function probeIndexedDb(): Promise<'ok'> {
  const db = await openDB('bric-smoke', 1, {
    upgrade(d) {
      d.createObjectStore('probe');
    },
  });
  try {
    await db.put('probe', 'alive', 'state');
    const back: unknown = await db.get('probe', 'state');
    if (back !== 'alive') throw new Error('IndexedDB returned something other than what was stored');
    return 'ok';
  } finally {
    db.close();
  }
}

declare global {
  interface BricHarness {
    smoke: typeof import('./smoke.js');
  }
}
