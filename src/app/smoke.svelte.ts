/** Runes facade over the placeholder self-checks, for the UI: each status reads 'checking', 'ok' or the error. */
import { pingWorker, probeIndexedDb } from './smoke.js';

export class SmokeStatus {
  worker = $state('checking');
  indexedDb = $state('checking');

  async run(opts: { signal: AbortSignal }): Promise<void> {
    const describe = (err: unknown): string => `failed: ${err instanceof Error ? err.message : String(err)}`;
    await Promise.all([
      pingWorker(opts).then((r) => { this.worker = r; }, (e: unknown) => { this.worker = describe(e); }),
      probeIndexedDb().then((r) => { this.indexedDb = r; }, (e: unknown) => { this.indexedDb = describe(e); }),
    ]);
  }
}
