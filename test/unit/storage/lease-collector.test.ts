/**
 * The lease collector over a real StorageServer and memory store, on a fake clock: passes every
 * interval, shares whose every lease ran out deleted with their space counted exactly, renewed
 * ones kept, failures reported and survived, the loop stopped by its signal.
 */
import { describe, expect, it } from 'vitest';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { LEASE_DURATION_MS } from '../../../src/core/limits.js';
import { LeaseCollector, type Collected } from '../../../src/core/storage/lease-collector.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const DAY = 24 * 60 * 60 * 1000;
const HOUR = 60 * 60 * 1000;
const opts = () => ({ signal: new AbortController().signal });

function setup() {
  const clock = new FakeClock();
  const store = new MemoryShareStore();
  // Leases use wall time: the epoch plus the fake clock.
  const server = new StorageServer({ store, clock: { now: () => 1_700_000_000_000 + clock.now() } }, { nodeId: 'node-a', capacityBytes: 100_000 });
  return { clock, store, server };
}

async function upload(server: StorageServer, index: Uint8Array, shareNum: number, size: number, renew = patternBytes(32, 1)) {
  await server.allocateBuckets(index, renew, patternBytes(32, 2), [shareNum], size, opts());
  await server.writeShare(index, shareNum, 0, patternBytes(size, shareNum + 3), opts());
  await server.closeShare(index, shareNum, opts());
}

describe('LeaseCollector', () => {
  it('runs a pass every interval; frees exactly what expired; keeps what was renewed', async () => {
    const { clock, server } = setup();
    await upload(server, si(1), 0, 1000);
    await upload(server, si(1), 3, 1000);
    await upload(server, si(2), 0, 700);
    const freed: Collected[] = [];
    const collector = new LeaseCollector({ servers: [server], clock }, { intervalMs: DAY, onCollected: (f) => freed.push(f) });
    const controller = new AbortController();
    const running = collector.run({ signal: controller.signal });
    await clock.advance(20 * DAY);
    await server.addLease(si(2), patternBytes(32, 9), patternBytes(32, 10), opts()); // another client's lease, 31 days from day 20
    expect(collector.passes).toBe(21); // day 0, then one a day
    await clock.advance(11 * DAY); // day 31: si(1)'s only lease has run out
    expect(freed).toEqual([{ shares: 2, slots: 0, bytes: 2000 }]);
    expect(await server.listShares(si(1), opts())).toEqual([]);
    expect((await server.getVersion(opts())).usedBytes).toBe(700);
    await clock.advance(20 * DAY); // day 51: the renewed lease ran out too
    expect(freed).toEqual([{ shares: 2, slots: 0, bytes: 2000 }, { shares: 1, slots: 0, bytes: 700 }]);
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
    expect([collector.sharesFreed, collector.bytesFreed]).toEqual([3, 2700]);
    expect(server.stats().expiredShares).toBe(3);
    controller.abort();
    await running;
    expect(clock.pendingTimers).toBe(0);
  });

  it('uses LEASE_DURATION_MS by default: a share is kept until its lease has fully run', async () => {
    const { clock, server } = setup();
    await upload(server, si(3), 1, 10);
    const collector = new LeaseCollector({ servers: [server], clock });
    await clock.advance(LEASE_DURATION_MS - 1);
    expect(await collector.collectOnce(opts())).toEqual({ shares: 0, slots: 0, bytes: 0 });
    await clock.advance(1);
    expect(await collector.collectOnce(opts())).toEqual({ shares: 1, slots: 0, bytes: 10 });
    expect(collector.intervalMs).toBe(HOUR);
  });

  it('adds up the passes of several servers (shares and mutable slots)', async () => {
    const clock = new FakeClock();
    const shares = { collectExpired: () => Promise.resolve({ shares: 2, bytes: 300 }) };
    const slots = { collectExpired: () => Promise.resolve({ slots: 1, bytes: 40 }) };
    const collector = new LeaseCollector({ servers: [shares, slots], clock });
    expect(await collector.collectOnce(opts())).toEqual({ shares: 2, slots: 1, bytes: 340 });
    expect([collector.sharesFreed, collector.slotsFreed, collector.bytesFreed]).toEqual([2, 1, 340]);
  });

  it('reports a failed pass and keeps going; refuses a bad interval', async () => {
    const clock = new FakeClock();
    let calls = 0;
    const errors: unknown[] = [];
    const server = {
      collectExpired: () => (++calls === 1 ? Promise.reject(new Error('the store refused')) : Promise.resolve({ shares: 0, bytes: 0 })),
    };
    const collector = new LeaseCollector({ servers: [server], clock }, { intervalMs: HOUR, onError: (e) => errors.push(e) });
    const controller = new AbortController();
    const running = collector.run({ signal: controller.signal });
    await clock.advance(2 * HOUR);
    expect([calls, collector.passes, errors.length]).toEqual([3, 2, 1]);
    controller.abort();
    await running;
    expect(() => new LeaseCollector({ servers: [server], clock }, { intervalMs: 0 })).toThrow(RangeError);
  });
});
