/**
 * A first-come, first-served counting semaphore whose waits can be aborted: rpc uses it to keep at
 * most MAX_RPC_PENDING_REQUESTS of our requests in flight to one peer while further ones queue.
 * @module
 */

export class Slots {
  private active = 0;
  private readonly waiters: Array<{ grant(): void; fail(err: unknown): void }> = [];

  constructor(private readonly max: number) {}

  /** Resolves once a slot is ours; rejects with the signal's reason if it aborts first. */
  acquire(signal: AbortSignal): Promise<void> {
    if (this.active < this.max) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const at = this.waiters.indexOf(waiter);
        if (at >= 0) this.waiters.splice(at, 1);
        reject(signal.reason);
      };
      const waiter = {
        grant: (): void => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
        fail: (err: unknown): void => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant(); // the slot passes straight on: `active` stays the same
    else this.active--;
  }

  /** Rejects every waiter (the link closed). */
  failAll(err: unknown): void {
    for (const w of this.waiters.splice(0)) w.fail(err);
  }
}
