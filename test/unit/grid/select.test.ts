/**
 * Server selection on a direct in-process StorageApi fake: the ring walk, one share per server
 * first, full and silent servers skipped, existing shares counted, the unhappiness words, and
 * allocations aborted whenever placement gives up.
 */
import { describe, expect, it } from 'vitest';
import type { ServerDescriptor, StorageBroker } from '../../../src/core/grid/broker.js';
import { UploadUnhappinessError } from '../../../src/core/grid/errors.js';
import { permuteServers } from '../../../src/core/grid/ring.js';
import { selectServers, type SelectInit } from '../../../src/core/grid/select.js';
import type { AllocateResult, StorageApi } from '../../../src/core/storage/api.js';
import { CapacityExceededError } from '../../../src/core/storage/errors.js';
import { FakeClock } from '../../fakes/fake-clock.js';

interface FakeOpts {
  /** Shares it can still take (Infinity by default). */
  room?: number;
  have?: number[];
  hang?: boolean;
  fail?: boolean;
}

class FakeServer {
  allocated = new Set<number>();
  aborted: number[] = [];
  room: number;
  have: Set<number>;
  calls = 0;
  constructor(readonly id: string, readonly opts: FakeOpts) {
    this.room = opts.room ?? Infinity;
    this.have = new Set(opts.have ?? []);
  }
  api(): StorageApi {
    const unused = (): never => {
      throw new Error('not used by placement');
    };
    return {
      getVersion: unused,
      allocateBuckets: async (_si, _r, _c, shareNums, _size, { signal }): Promise<AllocateResult> => {
        this.calls++;
        if (this.opts.fail) throw new Error('connection reset');
        if (this.opts.hang) return new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason)));
        const alreadyHave = [...this.have];
        const allocated: number[] = [];
        for (const s of shareNums) {
          if (this.have.has(s) || this.allocated.has(s)) continue;
          if (this.room <= 0) continue;
          this.room--;
          this.allocated.add(s);
          allocated.push(s);
        }
        if (allocated.length === 0 && shareNums.some((s) => !this.have.has(s))) throw CapacityExceededError.forSizes(0, 1000);
        return { alreadyHave, allocated };
      },
      abortShare: async (_si, shareNum) => {
        this.aborted.push(shareNum);
        this.allocated.delete(shareNum);
      },
      writeShare: unused,
      closeShare: unused,
      listShares: unused,
      readShare: unused,
      addLease: unused,
      adviseCorruptShare: unused,
    };
  }
}

function grid(specs: FakeOpts[], announce?: (i: number) => number | undefined) {
  const servers = specs.map((o, i) => new FakeServer(`node-${i}`, o));
  const connects: string[] = [];
  const broker: StorageBroker = {
    servers: () => servers.map((s, i): ServerDescriptor => ({ nodeId: s.id, availableBytes: announce?.(i) })),
    connect: async (nodeId) => {
      connects.push(String(nodeId));
      const server = servers.find((s) => s.id === nodeId);
      if (server === undefined) throw new Error('unknown node');
      return server.api();
    },
  };
  return { servers, broker, connects };
}

const storageIndex = new Uint8Array(16).fill(7);
const init: SelectInit = {
  storageIndex,
  shareSize: 12_345_678,
  n: 10,
  happy: 7,
  leaseSecret: new Uint8Array(32).fill(1),
  concurrency: 4,
  timeoutMs: 30_000,
};
const signal = () => new AbortController().signal;
const inRing = (servers: FakeServer[]) =>
  permuteServers(storageIndex, servers.map((s) => ({ nodeId: s.id }))).map((d) => servers.find((s) => s.id === d.nodeId)!);

describe('selectServers', () => {
  it('gives share i to the i-th server of the ring and connects only to those', async () => {
    const g = grid(Array.from({ length: 14 }, () => ({})));
    const placement = await selectServers(g.broker, new FakeClock(), init, { signal: signal() });
    expect(placement.happiness()).toBe(10);
    const ring = inRing(g.servers);
    for (let i = 0; i < 10; i++) expect([...ring[i]!.allocated]).toEqual([i]);
    expect(new Set(g.connects)).toEqual(new Set(ring.slice(0, 10).map((s) => s.id)));
  });

  it('fails with the numbers when fewer than happy servers are online, aborting what it allocated', async () => {
    const g = grid(Array.from({ length: 4 }, () => ({})));
    const err = await selectServers(g.broker, new FakeClock(), init, { signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadUnhappinessError);
    expect((err as Error).message).toContain('only 4 of the 7 peers needed are online');
    for (const s of g.servers) expect(s.allocated.size).toBe(0);
    expect(g.servers.reduce((a, s) => a + s.aborted.length, 0)).toBe(10); // 4 first pass + 6 spread
  });

  it('skips full servers and spreads the rest when enough have room', async () => {
    const g = grid([{ room: 0 }, ...Array.from({ length: 7 }, () => ({}))]);
    const placement = await selectServers(g.broker, new FakeClock(), init, { signal: signal() });
    expect(placement.happiness()).toBe(7);
    expect(placement.homeless()).toEqual([]);
    const loads = g.servers.map((s) => s.allocated.size).sort();
    expect(loads).toEqual([0, 1, 1, 1, 1, 2, 2, 2]);
  });

  it('says "have room" when full servers leave too few', async () => {
    const g = grid([{ room: 0 }, { room: 0 }, { room: 0 }, ...Array.from({ length: 5 }, () => ({}))]);
    const err = await selectServers(g.broker, new FakeClock(), init, { signal: signal() }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadUnhappinessError);
    expect((err as Error).message).toContain('only 5 of the 7 peers needed have room for a share of 12.3 MB');
    expect((err as Error).message).toContain('3 are full');
    for (const s of g.servers) expect(s.allocated.size).toBe(0);
  });

  it('does not connect to servers that announced too little room', async () => {
    const g = grid(Array.from({ length: 10 }, () => ({})), (i) => (i < 2 ? 1000 : undefined));
    const placement = await selectServers(g.broker, new FakeClock(), init, { signal: signal() });
    expect(placement.happiness()).toBe(8);
    expect(g.connects).not.toContain('node-0');
    expect(g.connects).not.toContain('node-1');
  });

  it('counts shares servers already hold and allocates only the others', async () => {
    const specs: FakeOpts[] = Array.from({ length: 10 }, () => ({}));
    const g0 = grid(specs);
    const ring = inRing(g0.servers);
    ring[0]!.have = new Set([0, 1, 2]);
    // One request at a time, as Tahoe's selector walks: the held shares are never asked again.
    const placement = await selectServers(g0.broker, new FakeClock(), { ...init, concurrency: 1 }, { signal: signal() });
    expect(placement.happiness()).toBe(8);
    expect(placement.homeless()).toEqual([]);
    expect(ring[0]!.allocated.size).toBe(0);
    const allocatedShares = g0.servers.flatMap((s) => [...s.allocated]).sort((a, b) => a - b);
    expect(allocatedShares).toEqual([3, 4, 5, 6, 7, 8, 9]);
  });

  it('places copies on more servers when one server holds every share already', async () => {
    const g = grid(Array.from({ length: 9 }, () => ({})));
    const ring = inRing(g.servers);
    ring[0]!.have = new Set([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const placement = await selectServers(g.broker, new FakeClock(), init, { signal: signal() });
    expect(placement.happiness()).toBe(7);
    expect(g.connects.length).toBe(7); // no server beyond the seventh is needed
  });

  it('skips a server that does not answer in time', async () => {
    const clock = new FakeClock();
    const stop = clock.startAuto();
    try {
      const g = grid([{ hang: true }, { fail: true }, ...Array.from({ length: 9 }, () => ({}))]);
      const placement = await selectServers(g.broker, clock, init, { signal: signal() });
      expect(placement.happiness()).toBe(9);
      expect(clock.now()).toBeGreaterThanOrEqual(init.timeoutMs);
      for (const s of g.servers.slice(0, 2)) expect(s.allocated.size).toBe(0);
    } finally {
      stop();
    }
  });

  it('aborts allocations when the caller aborts', async () => {
    const clock = new FakeClock();
    const g = grid([{ hang: true }, ...Array.from({ length: 10 }, () => ({}))]);
    const controller = new AbortController();
    const run = selectServers(g.broker, clock, { ...init, concurrency: 11 }, { signal: controller.signal });
    await clock.advance(0);
    controller.abort(new Error('person cancelled'));
    await expect(run).rejects.toThrow('person cancelled');
    for (const s of g.servers) expect(s.allocated.size).toBe(0);
  });

  it('orders the ring deterministically by storage index and node id', () => {
    const servers = ['a', 'b', 'c', 'd', 'e'].map((nodeId) => ({ nodeId }));
    const order = permuteServers(storageIndex, servers).map((s) => s.nodeId);
    expect(permuteServers(storageIndex, [...servers].reverse()).map((s) => s.nodeId)).toEqual(order);
    expect(new Set(order)).toEqual(new Set(['a', 'b', 'c', 'd', 'e']));
    expect(permuteServers(storageIndex, [...servers, { nodeId: 'a' }]).length).toBe(5);
    // Known answers (frozen): a different storage index gives a different order.
    expect(order.join('')).toBe('ceabd');
    expect(permuteServers(new Uint8Array(16), servers).map((s) => s.nodeId).join('')).toBe('daceb');
  });
});
