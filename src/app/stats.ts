/**
 * Where a node's time goes, for the bench and the curious (window.bricNode.stats()): busy time of
 * the segment runner's jobs and of storage requests by method, counted where they are awaited.
 * Jobs and requests overlap (pipelining), so busy times add up to more than the wall time.
 * @module
 */
import type { SegmentRunner } from '../core/immutable/runner.js';
import type { StorageApi } from '../core/storage/api.js';

export type NodeStats = Record<string, number>;

function add(stats: NodeStats, key: string, value: number): void {
  stats[key] = (stats[key] ?? 0) + value;
}

/**
 * A runner that adds each job's time (queueing in the pool included) to `stats`, and the time at
 * least one job was outstanding ("runner active ms": close to the wall time when the workers are
 * the limiting stage).
 */
export function timedRunner(runner: SegmentRunner, stats: NodeStats): SegmentRunner {
  let outstanding = 0;
  let activeSince = 0;
  const timed = <A extends unknown[], R>(name: string, fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      const t0 = performance.now();
      if (outstanding++ === 0) activeSince = t0;
      try {
        return await fn(...args);
      } finally {
        const t1 = performance.now();
        if (--outstanding === 0) add(stats, 'runner active ms', t1 - activeSince);
        add(stats, `${name} ms`, t1 - t0);
        add(stats, `${name} jobs`, 1);
      }
    };
  return {
    get concurrency() {
      return runner.concurrency;
    },
    encodeSegment: timed('encode', runner.encodeSegment.bind(runner)),
    decodeSegment: timed('decode', runner.decodeSegment.bind(runner)),
    hashBlocks: timed('hashBlocks', runner.hashBlocks.bind(runner)),
    close: () => runner.close(),
  };
}

/** A StorageApi that adds the time of each call to `stats` under `${prefix} ${method} ms`. */
export function timedStorage(api: StorageApi, stats: NodeStats, prefix: string): StorageApi {
  return new Proxy(api, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function' || typeof key !== 'string') return value;
      return async (...args: unknown[]) => {
        const t0 = performance.now();
        try {
          return await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
        } finally {
          add(stats, `${prefix} ${key} ms`, performance.now() - t0);
        }
      };
    },
  });
}

export function addStat(stats: NodeStats, key: string, value: number): void {
  add(stats, key, value);
}
