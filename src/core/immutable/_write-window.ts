/**
 * The encoder's writes in flight: each share's writes go out one after another, in offset order,
 * and a share that is ahead need not wait for the others, so a segment no longer waits a round
 * trip to the slowest server before the next starts. Callers bound how many groups are pending.
 * The first failed write aborts the window's signal with its error, which stops every write
 * still running or queued, and everything waiting on the window, at once.
 * @module
 */

interface Slot {
  readonly done: Promise<void>;
  resolve(settled: Promise<void>): void;
}

export class WriteWindow {
  readonly #controller = new AbortController();
  readonly #slots = new Map<number, Slot>();
  readonly #outer: AbortSignal;
  readonly #onOuterAbort = (): void => this.#controller.abort(this.#outer.reason);
  /** Settles when every group added so far has settled, in the order they were added. */
  #last: Promise<void> = Promise.resolve();
  /** Per share: settles when its last queued write has settled. */
  readonly #shareTails: Promise<void>[] = [];
  /** Resolves when the window's signal aborts (one listener, however many waits). */
  readonly #stopped: Promise<void>;

  constructor(outer: AbortSignal) {
    this.#outer = outer;
    const signal = this.#controller.signal;
    this.#stopped = new Promise((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    if (outer.aborted) this.#onOuterAbort();
    else outer.addEventListener('abort', this.#onOuterAbort, { once: true });
  }

  /** Aborted by the caller's signal or by the first failed write (reason: that error). */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * Queues group `i`: `writes[s]` (which should use this window's signal) starts once share s's
   * write of the previous group has succeeded. `onDone` runs once the group and every earlier
   * group have succeeded, in group order (progress). Does not wait.
   */
  add(i: number, writes: readonly (() => Promise<unknown>)[], onDone?: () => void): void {
    const started = writes.map((write, s) => {
      const write1 = (this.#shareTails[s] ?? Promise.resolve())
        .then(() => {
          // A failure anywhere stops every share: its later writes are never sent.
          this.signal.throwIfAborted();
          return write();
        })
        .then(
          () => undefined,
          (error: unknown) => {
            this.#fail(error);
            throw error;
          },
        );
      this.#shareTails[s] = write1.catch(() => {});
      return write1;
    });
    const mine = Promise.all(started).then(
      () => undefined,
      (error: unknown) => this.#fail(error),
    );
    const done = Promise.all([this.#last, mine]).then(() => {
      if (this.signal.aborted) return;
      try {
        onDone?.();
      } catch (error) {
        this.#fail(error);
      }
    });
    this.#last = done;
    this.#slot(i).resolve(done);
  }

  /** Waits until group `i` and every earlier group have settled (or the window stops). */
  async settled(i: number): Promise<void> {
    const slot = this.#slot(i);
    await Promise.race([slot.done, this.#stopped]);
    this.#slots.delete(i);
    this.signal.throwIfAborted();
  }

  /** Waits for every group added so far. */
  async drain(): Promise<void> {
    await Promise.race([this.#last, this.#stopped]);
    this.signal.throwIfAborted();
  }

  /**
   * Ends the window: stops what is still running and returns the error the encode should fail
   * with (the first failed write or the caller's abort, if either came first, else `error`).
   */
  stop(error: unknown): unknown {
    const reason = this.signal.aborted ? (this.signal.reason as unknown) : error;
    this.#fail(error);
    return reason;
  }

  /** Detaches from the caller's signal. */
  close(): void {
    this.#outer.removeEventListener('abort', this.#onOuterAbort);
  }

  #fail(error: unknown): void {
    if (!this.signal.aborted) this.#controller.abort(error);
  }

  #slot(i: number): Slot {
    let slot = this.#slots.get(i);
    if (slot === undefined) {
      let resolve!: (settled: Promise<void>) => void;
      const done = new Promise<void>((r) => (resolve = r));
      slot = { done, resolve };
      this.#slots.set(i, slot);
    }
    return slot;
  }
}
