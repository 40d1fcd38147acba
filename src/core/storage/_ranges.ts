/**
 * The byte ranges written so far into one pending share, kept merged and sorted, so the server
 * can tell a rewrite of the same bytes (allowed, for retries) from a conflicting one (Tahoe's
 * BucketWriter._already_written).
 * @module
 */

export class WrittenRanges {
  /** Disjoint, non-adjacent half-open ranges [start, end), ascending. */
  readonly #ranges: Array<[number, number]> = [];

  get count(): number {
    return this.#ranges.length;
  }

  /** The furthest byte written (0 when nothing is). */
  get end(): number {
    return this.#ranges.at(-1)?.[1] ?? 0;
  }

  /** The parts of [start, end) already written, ascending. */
  overlapping(start: number, end: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    if (end <= start) return out;
    for (let i = this.#first(start); i < this.#ranges.length; i++) {
      const [s, e] = this.#ranges[i]!;
      if (s >= end) break;
      out.push([Math.max(s, start), Math.min(e, end)]);
    }
    return out;
  }

  /** How many ranges there would be after adding [start, end). */
  countAfterAdding(start: number, end: number): number {
    if (end <= start) return this.#ranges.length;
    const [from, to] = this.#touching(start, end);
    return this.#ranges.length - (to - from) + 1;
  }

  add(start: number, end: number): void {
    if (end <= start) return;
    const [from, to] = this.#touching(start, end);
    const merged: [number, number] = [start, end];
    if (to > from) {
      merged[0] = Math.min(start, this.#ranges[from]![0]);
      merged[1] = Math.max(end, this.#ranges[to - 1]![1]);
    }
    this.#ranges.splice(from, to - from, merged);
  }

  /** Index of the first range whose end is after `pos` (binary search). */
  #first(pos: number): number {
    let lo = 0;
    let hi = this.#ranges.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#ranges[mid]![1] <= pos) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** [from, to): the ranges that overlap or are adjacent to [start, end) (they merge with it). */
  #touching(start: number, end: number): [number, number] {
    let from = this.#first(start);
    if (from > 0 && this.#ranges[from - 1]![1] === start) from--;
    let to = from;
    while (to < this.#ranges.length && this.#ranges[to]![0] <= end) to++;
    return [from, to];
  }
}
