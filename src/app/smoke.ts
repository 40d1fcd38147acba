/**
 * Placeholder self-checks until the real node lands: a module Web Worker answers, and IndexedDB
 * opens (through idb) and round-trips a value. The smoke e2e test reads their results in the page.
 */
import { openDB } from 'idb';

/** Posts a ping to a fresh module worker and resolves when the pong comes back. */
export async function pingWorker(opts: { signal: AbortSignal }): Promise<'ok'> {
  const worker = new Worker(new URL('./smoke.worker.ts', import.meta.url), { type: 'module', name: 'bric-smoke' });
  try {
    return await new Promise<'ok'>((resolve, reject) => {
      const nonce = Math.random();
      opts.signal.addEventListener('abort', () => reject(opts.signal.reason), { once: true });
      worker.addEventListener('error', (e) => reject(new Error(`the worker failed to start: ${e.message}`)));
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
