/** forEachLimit: at most `limit` at once, never two of one key at once, every item done, the first failure wins. */
import { describe, expect, it } from 'vitest';
import { forEachLimit } from '../../../../src/app/folders/pool.js';

const signal = new AbortController().signal;
const tick = () => new Promise((r) => setTimeout(r, 1));

describe('forEachLimit', () => {
  it('keeps to the limit and never runs two items of one key together', async () => {
    const items = Array.from({ length: 40 }, (_, i) => ({ i, key: i % 3 === 0 ? 'same' : i }));
    let inFlight = 0;
    let most = 0;
    const keys = new Set<unknown>();
    const done: number[] = [];
    await forEachLimit(items, 4, async (item) => {
      expect(keys.has(item.key)).toBe(false);
      keys.add(item.key);
      most = Math.max(most, ++inFlight);
      await tick();
      inFlight--;
      keys.delete(item.key);
      done.push(item.i);
    }, signal, (item) => item.key);
    expect(most).toBe(4);
    expect(done.sort((a, b) => a - b)).toEqual(items.map((x) => x.i));
  });

  it('stops at the first failure and rethrows it', async () => {
    let started = 0;
    await expect(
      forEachLimit([1, 2, 3, 4, 5, 6], 2, async (n, s) => {
        started++;
        await tick();
        if (n === 2) throw new Error('two failed');
        s.throwIfAborted();
      }, signal),
    ).rejects.toThrow('two failed');
    expect(started).toBeLessThan(6);
  });
});
