/** StorageServer over the memory store: capacity, accounting, write rules, quota refusals, leases. */
import { describe, expect, it } from 'vitest';
import { MemoryShareStore, type MemoryShareStoreInit } from '../../../src/adapters/memory/memory-share-store.js';
import { LEASE_DURATION_MS, MAX_LEASES_PER_SHARE, MAX_SHARE_BYTES, MAX_WRITE_RANGES_PER_SHARE, STORAGE_PROTOCOL_VERSION } from '../../../src/core/limits.js';
import { CapacityExceededError, StorageQuotaError } from '../../../src/core/storage/errors.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const DAY = 24 * 60 * 60 * 1000;
const opts = () => ({ signal: new AbortController().signal });
const renew = patternBytes(32, 1);
const cancel = patternBytes(32, 2);

function setup(capacityBytes = 10_000, storeInit: MemoryShareStoreInit = {}) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const store = new MemoryShareStore(storeInit);
  const server = new StorageServer({ store, clock }, { nodeId: 'node-a', capacityBytes });
  return { clock, store, server };
}

async function upload(server: StorageServer, index: Uint8Array, shareNum: number, data: Uint8Array) {
  const r = await server.allocateBuckets(index, renew, cancel, [shareNum], data.length, opts());
  expect(r.allocated).toEqual([shareNum]);
  await server.writeShare(index, shareNum, 0, data, opts());
  await server.closeShare(index, shareNum, opts());
}

describe('getVersion', () => {
  it('reports the node, its capacity and exact usage', async () => {
    const { server } = setup(10_000);
    expect(await server.getVersion(opts())).toEqual({
      nodeId: 'node-a', maxShareBytes: 10_000, availableBytes: 10_000, capacityBytes: 10_000, usedBytes: 0,
      protocolVersion: STORAGE_PROTOCOL_VERSION,
    });
    const big = setup(2 * MAX_SHARE_BYTES).server;
    expect((await big.getVersion(opts())).maxShareBytes).toBe(MAX_SHARE_BYTES);
  });
});

describe('allocateBuckets', () => {
  it('allocates as many shares as fit and refuses the rest before any byte flows', async () => {
    const { server, store } = setup(2500);
    const r = await server.allocateBuckets(si(1), renew, cancel, [3, 0, 1, 2], 1000, opts());
    expect(r).toEqual({ alreadyHave: [], allocated: [0, 1] });
    expect((await store.list(si(1), opts())).map((s) => s.shareNum)).toEqual([0, 1]);
    const v = await server.getVersion(opts());
    expect([v.usedBytes, v.availableBytes]).toEqual([2000, 500]);
    expect(server.stats().capacityRefusals).toBe(2);
  });

  it('says how much is free when no requested share fits at all', async () => {
    const { server, store } = setup(2500);
    await server.allocateBuckets(si(1), renew, cancel, [0, 1], 1000, opts());
    const err = await server.allocateBuckets(si(2), renew, cancel, [0], 1000, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityExceededError);
    expect((err as Error).message).toBe('this node has 500 bytes free, the share needs 1000 bytes');
    expect((err as CapacityExceededError).availableBytes).toBe(500);
    expect(await store.list(si(2), opts())).toEqual([]);
  });

  it('reports shares already held (renewing their lease) and leaves out shares being uploaded', async () => {
    const { server, clock, store } = setup();
    await upload(server, si(1), 0, patternBytes(100, 1));
    await server.allocateBuckets(si(1), renew, cancel, [1], 100, opts());
    clock.t += DAY;
    await server.writeShare(si(1), 1, 0, patternBytes(10, 2), opts()); // share 1's uploader is still at work
    const r = await server.allocateBuckets(si(1), renew, cancel, [0, 1, 2], 100, opts());
    expect(r).toEqual({ alreadyHave: [0], allocated: [2] });
    expect((await store.get(si(1), 0, opts()))!.leases.map((l) => l.expiresAt)).toEqual([clock.t + LEASE_DURATION_MS]);
  });

  it('never lets two concurrent allocations take the same free bytes', async () => {
    const { server } = setup(1500);
    const results = await Promise.allSettled([
      server.allocateBuckets(si(1), renew, cancel, [0], 1000, opts()),
      server.allocateBuckets(si(2), renew, cancel, [0], 1000, opts()),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((await server.getVersion(opts())).usedBytes).toBe(1000);
  });

  it('frees what it reserved when cancelled part-way', async () => {
    const controller = new AbortController();
    const { server } = setup(10_000, {
      fault: (op, _si, shareNum) => {
        if (op === 'createPending' && shareNum === 1) controller.abort(new Error('caller gone'));
      },
    });
    await expect(server.allocateBuckets(si(1), renew, cancel, [0, 1, 2], 1000, { signal: controller.signal })).rejects.toThrow('caller gone');
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
    expect(await server.listShares(si(1), opts())).toEqual([]);
  });

  it('validates every argument at the boundary', async () => {
    const { server } = setup();
    const bad: Array<[unknown[], string]> = [
      [[new Uint8Array(15), renew, cancel, [0], 10], 'storageIndex'],
      [['x'.repeat(16), renew, cancel, [0], 10], 'storageIndex'],
      [[si(1), new Uint8Array(31), cancel, [0], 10], 'renewSecret'],
      [[si(1), renew, null, [0], 10], 'cancelSecret'],
      [[si(1), renew, cancel, [0, 0], 10], 'twice'],
      [[si(1), renew, cancel, [256], 10], 'shareNums'],
      [[si(1), renew, cancel, [1.5], 10], 'shareNums'],
      [[si(1), renew, cancel, Array.from({ length: 257 }, (_, i) => i), 10], 'at most 256'],
      [[si(1), renew, cancel, 'nope', 10], 'shareNums'],
      [[si(1), renew, cancel, [0], -1], 'allocatedSize'],
      [[si(1), renew, cancel, [0], MAX_SHARE_BYTES + 1], 'allocatedSize'],
      [[si(1), renew, cancel, [0], '10'], 'allocatedSize'],
    ];
    for (const [args, words] of bad) {
      const call = (server.allocateBuckets as (...a: unknown[]) => Promise<unknown>).call(server, ...args, opts());
      await expect(call, words).rejects.toThrow(words);
    }
  });
});

describe('accounting and writes', () => {
  it('counts allocations, then sizes, exactly through write, close and abort', async () => {
    const { server } = setup(10_000);
    const used = async () => (await server.getVersion(opts())).usedBytes;
    await server.allocateBuckets(si(1), renew, cancel, [0, 1], 3000, opts());
    expect(await used()).toBe(6000);
    await server.writeShare(si(1), 0, 0, patternBytes(2000, 1), opts());
    expect(await used()).toBe(6000);
    await server.closeShare(si(1), 0, opts());
    expect(await used()).toBe(5000);
    await server.abortShare(si(1), 1, opts());
    expect(await used()).toBe(2000);
    expect((await server.getVersion(opts())).availableBytes).toBe(8000);
    expect(await server.listShares(si(1), opts())).toEqual([0]);
  });

  it('applies Tahoe write rules: inside the allocation, same bytes only on overlap', async () => {
    const { server } = setup();
    const data = patternBytes(1000, 3);
    await server.allocateBuckets(si(1), renew, cancel, [0], 1000, opts());
    await expect(server.writeShare(si(1), 0, 900, data.subarray(0, 101), opts())).rejects.toThrow(expect.objectContaining({ name: 'WriteOutOfBoundsError' }));
    await server.writeShare(si(1), 0, 0, data.subarray(0, 600), opts());
    await server.writeShare(si(1), 0, 500, data.subarray(500, 1000), opts()); // overlap, same bytes: a retry
    const changed = data.slice(550, 650);
    changed[10]! ^= 1;
    await expect(server.writeShare(si(1), 0, 550, changed, opts())).rejects.toThrow(expect.objectContaining({ name: 'ConflictingWriteError' }));
    await server.closeShare(si(1), 0, opts());
    expect(await server.readShare(si(1), 0, 0, 1000, opts())).toEqual(data);
    await expect(server.writeShare(si(1), 0, 0, data.subarray(0, 1), opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareAlreadyClosedError' }));
    await expect(server.closeShare(si(1), 0, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareAlreadyClosedError' }));
    await expect(server.writeShare(si(1), 1, 0, data, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareNotAllocatedError' }));
    await expect(server.abortShare(si(1), 1, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareNotAllocatedError' }));
  });

  it('refuses a share written in too many separate pieces', async () => {
    const { server } = setup(1_000_000);
    await server.allocateBuckets(si(1), renew, cancel, [0], 4 * MAX_WRITE_RANGES_PER_SHARE, opts());
    for (let i = 0; i < MAX_WRITE_RANGES_PER_SHARE; i++) await server.writeShare(si(1), 0, 2 * i, new Uint8Array([1]), opts());
    await expect(server.writeShare(si(1), 0, 2 * MAX_WRITE_RANGES_PER_SHARE + 1, new Uint8Array([1]), opts()))
      .rejects.toThrow(expect.objectContaining({ name: 'TooManyWriteRangesError' }));
    await server.writeShare(si(1), 0, 1, new Uint8Array([7]), opts()); // filling a gap merges pieces
  });

  it('reads only closed shares, cut at their end, bounded in length', async () => {
    const { server } = setup();
    await upload(server, si(1), 0, patternBytes(100, 1));
    await server.allocateBuckets(si(1), renew, cancel, [1], 100, opts());
    await expect(server.readShare(si(1), 1, 0, 10, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareNotFoundError' }));
    await expect(server.readShare(si(1), 2, 0, 10, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareNotFoundError' }));
    expect(await server.readShare(si(1), 0, 90, 50, opts())).toEqual(patternBytes(100, 1).subarray(90));
    await expect(server.readShare(si(1), 0, 0, 16 * 1024 * 1024 + 1, opts())).rejects.toThrow(RangeError);
    expect(await server.listShares(si(1), opts())).toEqual([0]);
  });

  it('drops pending shares a previous page left when it starts', async () => {
    const store = new MemoryShareStore();
    await store.createPending(si(1), 0, 5000, { renewSecret: renew, cancelSecret: cancel, expiresAt: 1 }, opts());
    const server = new StorageServer({ store, clock: { now: () => 0 } }, { nodeId: 'n', capacityBytes: 10_000 });
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
  });
});

describe('capacity at runtime', () => {
  it('takes effect at once, in both directions, and validates', async () => {
    const { server } = setup(3000);
    await server.allocateBuckets(si(1), renew, cancel, [0, 1], 1000, opts());
    server.setCapacity(1500);
    expect(await server.getVersion(opts())).toMatchObject({ capacityBytes: 1500, usedBytes: 2000, availableBytes: 0, maxShareBytes: 0 });
    await expect(server.allocateBuckets(si(2), renew, cancel, [0], 1, opts())).rejects.toThrow(CapacityExceededError);
    server.setCapacity(5000);
    expect((await server.allocateBuckets(si(2), renew, cancel, [0, 1, 2], 1000, opts())).allocated).toEqual([0, 1, 2]);
    expect(() => server.setCapacity(-1)).toThrow(RangeError);
    expect(() => server.setCapacity(1.5)).toThrow(RangeError);
    expect(server.capacityBytes).toBe(5000);
  });
});

describe('the browser refusing (QuotaExceededError)', () => {
  it('on allocation: a clean refusal, nothing counted', async () => {
    let refuse: number | 'all' | undefined = 'all';
    const { server } = setup(10_000, {
      fault: (op, _si, n) => {
        if (op === 'createPending' && (refuse === 'all' || refuse === n)) throw new StorageQuotaError('the browser is full');
      },
    });
    await expect(server.allocateBuckets(si(1), renew, cancel, [0, 1], 1000, opts())).rejects.toThrow(StorageQuotaError);
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
    refuse = 1;
    expect(await server.allocateBuckets(si(1), renew, cancel, [0, 1, 2], 1000, opts())).toEqual({ alreadyHave: [], allocated: [0, 2] });
    expect((await server.getVersion(opts())).usedBytes).toBe(2000);
    expect(server.stats().quotaRefusals).toBe(2);
  });

  it('on write and close: the share stays pending with its allocation, and can be retried or aborted', async () => {
    let refuse: string | undefined;
    const { server } = setup(10_000, {
      fault: (op) => {
        if (op === refuse) throw new StorageQuotaError('the browser is full');
      },
    });
    const data = patternBytes(1000, 5);
    await server.allocateBuckets(si(1), renew, cancel, [0, 1], 1000, opts());
    refuse = 'write';
    await expect(server.writeShare(si(1), 0, 0, data, opts())).rejects.toThrow(StorageQuotaError);
    expect((await server.getVersion(opts())).usedBytes).toBe(2000);
    refuse = undefined;
    await server.writeShare(si(1), 0, 0, data, opts()); // the failed write left no trace, not even as a conflict
    refuse = 'close';
    await expect(server.closeShare(si(1), 0, opts())).rejects.toThrow(StorageQuotaError);
    expect(await server.listShares(si(1), opts())).toEqual([]);
    refuse = undefined;
    await server.closeShare(si(1), 0, opts());
    await server.abortShare(si(1), 1, opts());
    expect((await server.getVersion(opts())).usedBytes).toBe(1000);
    expect(server.stats().quotaRefusals).toBe(2);
  });
});

describe('leases', () => {
  it('renew with the same secret, add with another, expire on the clock', async () => {
    const { server, clock, store } = setup();
    const t0 = clock.t;
    await upload(server, si(1), 0, patternBytes(100, 1));
    await upload(server, si(2), 0, patternBytes(50, 2));
    clock.t = t0 + 10 * DAY;
    await server.addLease(si(1), renew, cancel, opts());
    await server.addLease(si(1), patternBytes(32, 9), patternBytes(32, 10), opts());
    const leases = (await store.get(si(1), 0, opts()))!.leases;
    expect(leases.map((l) => l.expiresAt)).toEqual([t0 + 10 * DAY + LEASE_DURATION_MS, t0 + 10 * DAY + LEASE_DURATION_MS]);
    clock.t = t0 + LEASE_DURATION_MS + DAY; // si(2)'s only lease has run out
    expect(await server.collectExpired(opts())).toEqual({ shares: 1, bytes: 50 });
    expect(await server.listShares(si(2), opts())).toEqual([]);
    expect(await server.listShares(si(1), opts())).toEqual([0]);
    clock.t = t0 + 10 * DAY + LEASE_DURATION_MS;
    expect(await server.collectExpired(opts())).toEqual({ shares: 1, bytes: 100 });
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
    expect(server.stats().expiredShares).toBe(2);
  });

  it('never collects pending shares; refuses leases on what is not here, and past the limit', async () => {
    const { server, clock } = setup();
    await server.allocateBuckets(si(1), renew, cancel, [0], 100, opts());
    clock.t += 10 * LEASE_DURATION_MS;
    expect(await server.collectExpired(opts())).toEqual({ shares: 0, bytes: 0 });
    await expect(server.addLease(si(1), renew, cancel, opts())).rejects.toThrow(expect.objectContaining({ name: 'ShareNotFoundError' }));
    await upload(server, si(3), 0, patternBytes(10, 1));
    for (let i = 1; i < MAX_LEASES_PER_SHARE; i++) await server.addLease(si(3), patternBytes(32, 100 + i), cancel, opts());
    await expect(server.addLease(si(3), patternBytes(32, 99), cancel, opts())).rejects.toThrow(expect.objectContaining({ name: 'TooManyLeasesError' }));
    await server.addLease(si(3), renew, cancel, opts()); // a renewal adds nothing
    expect(await server.allocateBuckets(si(3), patternBytes(32, 98), cancel, [0], 10, opts())).toEqual({ alreadyHave: [0], allocated: [] });
  });
});

describe('adviseCorruptShare', () => {
  it('records reports on the share, counts every report, and bounds the reason', async () => {
    const { server, store, clock } = setup();
    await upload(server, si(1), 0, patternBytes(10, 1));
    await server.adviseCorruptShare(si(1), 0, 'block 3 failed its hash', opts());
    await server.adviseCorruptShare(si(1), 7, 'not here', opts());
    expect((await store.get(si(1), 0, opts()))!.corrupt).toEqual([{ reason: 'block 3 failed its hash', at: clock.t }]);
    expect(server.stats().corruptReports).toBe(2);
    await expect(server.adviseCorruptShare(si(1), 0, 'x'.repeat(1025), opts())).rejects.toThrow(RangeError);
    expect(await server.listShares(si(1), opts())).toEqual([0]); // the share is kept
  });
});
