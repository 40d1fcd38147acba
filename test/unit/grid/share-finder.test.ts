/**
 * The share finder on a direct StorageApi fake: fastest responders first, distinct share
 * numbers, another copy after a corruption report or a failed server, bounded queries, null
 * when the ring is exhausted.
 */
import { describe, expect, it } from 'vitest';
import type { StorageBroker } from '../../../src/core/grid/broker.js';
import { ShareFinder } from '../../../src/core/grid/share-finder.js';
import type { StorageApi } from '../../../src/core/storage/api.js';
import { FakeClock } from '../../fakes/fake-clock.js';

interface Spec {
  shares: number[];
  /** listShares answers after this many fake ms. */
  delay?: number;
  failReads?: boolean;
}

function setup(specs: Spec[], concurrency = 10) {
  const clock = new FakeClock();
  const log = { listShares: 0, inFlight: 0, maxInFlight: 0, advised: [] as string[] };
  const apis = specs.map((spec, i): StorageApi => {
    const unused = (): never => {
      throw new Error('not used');
    };
    return {
      listShares: async (_si, { signal }) => {
        log.listShares++;
        log.inFlight++;
        log.maxInFlight = Math.max(log.maxInFlight, log.inFlight);
        try {
          await clock.sleep(spec.delay ?? 0, { signal });
          return spec.shares;
        } finally {
          log.inFlight--;
        }
      },
      readShare: async (_si, shareNum, offset, length) => {
        if (spec.failReads) throw new Error('connection lost');
        return new Uint8Array(length).fill(i * 16 + shareNum + offset);
      },
      adviseCorruptShare: async (_si, shareNum, reason) => void log.advised.push(`${i}/${shareNum}: ${reason}`),
      getVersion: unused,
      allocateBuckets: unused,
      writeShare: unused,
      closeShare: unused,
      abortShare: unused,
      addLease: unused,
    };
  });
  const broker: StorageBroker = {
    servers: () => specs.map((_, i) => ({ nodeId: `n${i}` })),
    connect: async (nodeId) => apis[Number(String(nodeId).slice(1))]!,
  };
  const stop = clock.startAuto();
  const finder = new ShareFinder(broker, clock, { storageIndex: new Uint8Array(16), k: 3, concurrency, timeoutMs: 30_000 }, new AbortController().signal);
  return { finder, log, stop };
}

const opts = { signal: new AbortController().signal };

describe('ShareFinder', () => {
  it('hands out distinct share numbers, fastest responders first, then null', async () => {
    const { finder, stop } = setup([
      { shares: [0], delay: 50 },
      { shares: [1], delay: 10 },
      { shares: [2], delay: 30 },
      { shares: [1, 3], delay: 20 },
    ]);
    try {
      const got: number[] = [];
      for (;;) {
        const r = await finder.next(opts);
        if (r === null) break;
        got.push(r.shareNum);
      }
      expect(got).toEqual([1, 3, 2, 0]);
      expect(finder.stats).toMatchObject({ asked: 4, answered: 4, failed: 0 });
    } finally {
      stop();
    }
  });

  it('after a corruption report, offers another copy of that share and tells the holder', async () => {
    const { finder, log, stop } = setup([{ shares: [0] }, { shares: [0] }]);
    try {
      const first = await finder.next(opts);
      first!.reportCorrupt!('block hash mismatch');
      const second = await finder.next(opts);
      expect(second!.shareNum).toBe(0);
      expect(await second!.read(0, 1, opts)).not.toEqual(await first!.read(0, 1, opts));
      expect(await finder.next(opts)).toBeNull();
      await new Promise((r) => setImmediate(r));
      expect(log.advised).toHaveLength(1);
      expect(log.advised[0]).toContain('block hash mismatch');
    } finally {
      stop();
    }
  });

  it('a server whose read fails is not used again', async () => {
    const { finder, stop } = setup([{ shares: [0, 1], failReads: true }, { shares: [1], delay: 10 }]);
    try {
      const a = await finder.next(opts);
      await expect(a!.read(0, 4, opts)).rejects.toThrow('connection lost');
      const b = await finder.next(opts);
      expect(b!.shareNum).toBe(1);
      await expect(b!.read(0, 4, opts)).resolves.toHaveLength(4);
      expect(await finder.next(opts)).toBeNull();
    } finally {
      stop();
    }
  });

  it('asks at most `concurrency` servers at once, and stops asking once k shares are known', async () => {
    const specs = Array.from({ length: 12 }, (_, i) => ({ shares: [i], delay: 5 }));
    const { finder, log, stop } = setup(specs, 2);
    try {
      for (let i = 0; i < 3; i++) expect(await finder.next(opts)).not.toBeNull();
      expect(log.maxInFlight).toBeLessThanOrEqual(2);
      expect(log.listShares).toBeLessThan(12);
    } finally {
      stop();
    }
  });
});
