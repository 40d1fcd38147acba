/**
 * A token bucket over injected time (no timers): tokens refill at a steady rate up to a burst,
 * work takes them. `spend` may leave the bucket in debt, so one large job (a repair measured in
 * bytes) can run as soon as the bucket is not empty and is paid off before the next.
 * @module
 */

export class TokenBucket {
  private tokens: number;
  private at: number;

  /**
   * @param ratePerMs tokens added per millisecond
   * @param burst most tokens held (the bucket starts full)
   * @param now the clock's time now
   */
  constructor(
    readonly ratePerMs: number,
    readonly burst: number,
    now: number,
  ) {
    if (!(ratePerMs > 0) || !Number.isFinite(ratePerMs)) throw new RangeError(`"ratePerMs" must be a positive number, got ${ratePerMs}`);
    if (!(burst > 0) || !Number.isFinite(burst)) throw new RangeError(`"burst" must be a positive number, got ${burst}`);
    this.tokens = burst;
    this.at = now;
  }

  /** Tokens held at `now` (negative while in debt). */
  available(now: number): number {
    if (now > this.at) {
      this.tokens = Math.min(this.burst, this.tokens + (now - this.at) * this.ratePerMs);
      this.at = now;
    }
    return this.tokens;
  }

  /** Takes `cost` tokens if that many are held; false (and nothing taken) otherwise. */
  take(now: number, cost = 1): boolean {
    if (this.available(now) < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Takes `cost` tokens whatever is held (the bucket may go into debt). */
  spend(now: number, cost: number): void {
    this.available(now);
    this.tokens -= cost;
  }

  /** Milliseconds until `need` tokens are held (0 when they are now; Infinity if more than the burst). */
  waitMs(now: number, need = 1): number {
    const have = this.available(now);
    if (have >= need) return 0;
    if (need > this.burst) return Infinity;
    return Math.ceil((need - have) / this.ratePerMs);
  }
}
