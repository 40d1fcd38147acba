/** The segment pipeline: results in order, bounded in-flight work, nothing left running on failure. */
import { describe, expect, it } from 'vitest';
import { pipelined } from '../../../src/core/immutable/_pipeline.js';

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

describe('pipelined', () => {
  it('yields in order however the tasks finish, never more than depth running', async () => {
    let running = 0;
    let most = 0;
    const start = async (i: number): Promise<number> => {
      running++;
      most = Math.max(most, running);
      for (let t = 0; t < (i * 7) % 5; t++) await Promise.resolve();
      running--;
      return i * 10;
    };
    const seen: [number, number][] = [];
    for await (const r of pipelined(2, 20, 3, start)) seen.push(r);
    expect(seen).toEqual(Array.from({ length: 18 }, (_, x) => [x + 2, (x + 2) * 10]));
    expect(most).toBeLessThanOrEqual(3);
  });

  it('starts the next task before handing out a result', async () => {
    const started: number[] = [];
    const it = pipelined(0, 5, 2, (i) => (started.push(i), Promise.resolve(i)))[Symbol.asyncIterator]();
    await it.next();
    expect(started).toEqual([0, 1, 2]);
    await it.return(undefined);
  });

  it('on a failure, waits for the tasks still running, then throws', async () => {
    const slow = deferred<number>();
    let slowSettled = false;
    const start = (i: number): Promise<number> =>
      i === 0 ? Promise.reject(new Error('task 0 failed')) : slow.promise.then((v) => ((slowSettled = true), v));
    const run = (async () => {
      for await (const _ of pipelined(0, 3, 3, start)) void _;
    })();
    let done = false;
    void run.catch(() => (done = true));
    await new Promise((r) => setTimeout(r, 5));
    expect(done).toBe(false);
    slow.resolve(1);
    await expect(run).rejects.toThrow('task 0 failed');
    expect(slowSettled).toBe(true);
  });

  it('on an early break, waits for the tasks still running', async () => {
    const gates = [deferred<number>(), deferred<number>(), deferred<number>()];
    const settled: number[] = [];
    gates[0]!.resolve(0);
    const loop = (async () => {
      for await (const [i] of pipelined(0, 3, 3, (i) => gates[i]!.promise.then((v) => (settled.push(i), v)))) if (i === 0) break;
    })();
    await new Promise((r) => setTimeout(r, 5));
    gates[1]!.resolve(1);
    gates[2]!.resolve(2);
    await loop;
    expect(settled.sort()).toEqual([0, 1, 2]);
  });
});
