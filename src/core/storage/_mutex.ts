/**
 * A keyed mutex: operations on one key run one after another, different keys run freely. The
 * storage server serialises by storage index (check-then-act on shares), stores by share.
 * @module
 */

export class KeyedMutex {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Runs `fn` once every earlier `run` with the same key has settled; settles as `fn` does. */
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.#tails.set(key, tail);
    // Forget the key once nothing is queued behind this run, so the map does not grow.
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return result;
  }

  /** Whether anything runs or waits under `key` now. */
  busy(key: string): boolean {
    return this.#tails.has(key);
  }
}
