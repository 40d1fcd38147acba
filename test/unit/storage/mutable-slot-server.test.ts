/** MutableSlotServer: Tahoe's test-and-set semantics, write enablers, capacity, leases, bounds. */
import { describe, expect, it } from 'vitest';
import { MemorySlotStore } from '../../../src/adapters/memory/memory-slot-store.js';
import { utf8ToBytes } from '../../../src/core/bytes.js';
import { LEASE_DURATION_MS, MAX_LEASES_PER_SHARE, MAX_SLOT_REQUEST_BYTES, MAX_SLOT_SHARE_BYTES, MAX_SLOT_VECTORS } from '../../../src/core/limits.js';
import { CapacityExceededError, StorageQuotaError, TooManyLeasesError } from '../../../src/core/storage/errors.js';
import type { ShareTestAndWrite, SlotSecrets } from '../../../src/core/storage/mutable-api.js';
import { BadWriteEnablerError, SlotNotFoundError, SlotRequestTooLargeError } from '../../../src/core/storage/mutable-errors.js';
import { MutableSlotServer } from '../../../src/core/storage/mutable-slot-server.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const secrets = (seed = 1): SlotSecrets => ({ writeEnabler: patternBytes(32, seed), renewSecret: patternBytes(32, seed + 10), cancelSecret: patternBytes(32, seed + 20) });
const EMPTY = new Uint8Array(0);
const write = (data: Uint8Array, test: ShareTestAndWrite['test'] = [], offset = 0, newLength: number | null = null): ShareTestAndWrite => ({ test, write: [{ offset, data }], newLength });
const absent = [{ offset: 0, length: 1, specimen: EMPTY }];

function newServer(capacityBytes = 100_000, otherUsed = 0) {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const store = new MemorySlotStore();
  const server = new MutableSlotServer({ store, clock, otherUsage: { usedBytes: async () => otherUsed } }, { nodeId: 'node-a', capacityBytes });
  return { server, store, clock };
}

async function contents(server: MutableSlotServer, index: Uint8Array): Promise<Record<number, string>> {
  const read = await server.slotReadv(index, [], [{ offset: 0, length: MAX_SLOT_SHARE_BYTES }], opts());
  return Object.fromEntries([...read].map(([n, [d]]) => [n, new TextDecoder().decode(d)]));
}

describe('test-and-set', () => {
  it('creates shares when the test says they do not exist, and refuses a second creation', async () => {
    const { server } = newServer();
    const first = await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('v1'), absent)], [3, write(utf8ToBytes('v1 s3'), absent)]]), [], opts());
    expect(first).toEqual({ written: true, read: new Map() });
    const again = await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('v2'), absent)]]), [{ offset: 0, length: 2 }], opts());
    expect(again.written).toBe(false);
    expect(again.read).toEqual(new Map([[0, [utf8ToBytes('v1')]], [3, [utf8ToBytes('v1')]]]));
    expect(await contents(server, si(1))).toEqual({ 0: 'v1', 3: 'v1 s3' });
  });

  it('writes only if every test of every share matches, all or nothing', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('aaaa'))], [1, write(utf8ToBytes('bbbb'))]]), [], opts());
    const mixed = new Map([
      [0, write(utf8ToBytes('AAAA'), [{ offset: 0, length: 4, specimen: utf8ToBytes('aaaa') }])],
      [1, write(utf8ToBytes('BBBB'), [{ offset: 0, length: 4, specimen: utf8ToBytes('xxxx') }])],
    ]);
    expect((await server.slotTestvAndReadvAndWritev(si(1), secrets(), mixed, [], opts())).written).toBe(false);
    expect(await contents(server, si(1))).toEqual({ 0: 'aaaa', 1: 'bbbb' });
    mixed.set(1, write(utf8ToBytes('BBBB'), [{ offset: 1, length: 2, specimen: utf8ToBytes('bb') }]));
    expect((await server.slotTestvAndReadvAndWritev(si(1), secrets(), mixed, [], opts())).written).toBe(true);
    expect(await contents(server, si(1))).toEqual({ 0: 'AAAA', 1: 'BBBB' });
    expect(server.stats()).toMatchObject({ writes: 2, testFailures: 1 });
  });

  it('reads past the end are cut short, so a test can compare a prefix', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('abc'))]]), [], opts());
    const tw = write(utf8ToBytes('z'), [{ offset: 1, length: 100, specimen: utf8ToBytes('bc') }], 3);
    expect((await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, tw]]), [], opts())).written).toBe(true);
    expect(await contents(server, si(1))).toEqual({ 0: 'abcz' });
  });

  it('newLength grows before the writes, shrinks after them, and 0 deletes the share', async () => {
    const { server, store } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('0123456789'))], [1, write(utf8ToBytes('x'))]]), [], opts());
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('AB'), [], 8, 4)]]), [], opts());
    expect(await contents(server, si(1))).toEqual({ 0: '0123', 1: 'x' });
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('Z'), [], 7, 6)]]), [], opts());
    expect(await contents(server, si(1))).toEqual({ 0: '0123\0\0\0Z', 1: 'x' });
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[1, { test: [], write: [], newLength: 0 }]]), [], opts());
    expect(await contents(server, si(1))).toEqual({ 0: '0123\0\0\0Z' });
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, { test: [], write: [], newLength: 0 }]]), [], opts());
    expect(await store.get(si(1), opts())).toBeUndefined();
    expect(await store.usedBytes(opts())).toBe(0);
  });

  it('slotReadv reads the listed shares, or all; an unknown slot reads as empty', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('zero'))], [2, write(utf8ToBytes('two'))]]), [], opts());
    const readv = [{ offset: 1, length: 2 }, { offset: 0, length: 1 }];
    expect(await server.slotReadv(si(1), [2, 7], readv, opts())).toEqual(new Map([[2, [utf8ToBytes('wo'), utf8ToBytes('t')]]]));
    expect((await server.slotReadv(si(1), [], readv, opts())).size).toBe(2);
    expect(await server.slotReadv(si(9), [], readv, opts())).toEqual(new Map());
  });
});

describe('write enablers', () => {
  it('the first write records the write enabler; a different one is refused and changes nothing', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, write(utf8ToBytes('mine'))]]), [], opts());
    const err = await server.slotTestvAndReadvAndWritev(si(1), secrets(2), new Map([[0, write(utf8ToBytes('evil'))]]), [], opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(BadWriteEnablerError);
    expect((err as Error).message).toMatch(/only the file's writers/);
    expect(await contents(server, si(1))).toEqual({ 0: 'mine' });
    // Even a lease-only call (no writes) needs it once the slot exists.
    await expect(server.slotTestvAndReadvAndWritev(si(1), secrets(2), new Map(), [], opts())).rejects.toBeInstanceOf(BadWriteEnablerError);
    expect(server.stats().badWriteEnablers).toBe(2);
  });
  it('a slot deleted by its writer may be created again with any write enabler', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, write(utf8ToBytes('a'))]]), [], opts());
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, { test: [], write: [], newLength: 0 }]]), [], opts());
    await server.slotTestvAndReadvAndWritev(si(1), secrets(3), new Map([[0, write(utf8ToBytes('b'))]]), [], opts());
    expect(await contents(server, si(1))).toEqual({ 0: 'b' });
  });
});

describe('capacity and the store', () => {
  it('growth past the capacity (counting bytes held elsewhere) is refused before anything changes', async () => {
    const { server } = newServer(1000, 400);
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(patternBytes(500, 1))]]), [], opts());
    const err = await server.slotTestvAndReadvAndWritev(si(2), secrets(), new Map([[0, write(patternBytes(101, 1))]]), [], opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityExceededError);
    expect((err as Error).message).toBe('this node has 100 bytes free, the share needs 101 bytes');
    // Rewriting in place or shrinking needs no room.
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(patternBytes(500, 2))]]), [], opts());
    await server.slotTestvAndReadvAndWritev(si(2), secrets(), new Map([[0, write(patternBytes(100, 1))]]), [], opts());
    expect(await server.usedBytes(opts())).toBe(600);
    expect(server.stats().capacityRefusals).toBe(1);
  });
  it("the browser's refusal is counted and changes nothing", async () => {
    let refuse = false;
    const store = new MemorySlotStore({ fault: () => { if (refuse) throw new StorageQuotaError('full'); } });
    const server = new MutableSlotServer({ store, clock: { now: () => 0 } }, { nodeId: 'n' });
    await server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('old'))]]), [], opts());
    refuse = true;
    await expect(server.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, write(utf8ToBytes('new'))]]), [], opts())).rejects.toBeInstanceOf(StorageQuotaError);
    expect(await contents(server, si(1))).toEqual({ 0: 'old' });
    expect(server.stats().quotaRefusals).toBe(1);
  });
});

describe('leases', () => {
  it('a write renews the writer’s lease; addSlotLease adds others; expiry collects the slot', async () => {
    const { server, store, clock } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, write(utf8ToBytes('a'))]]), [], opts());
    expect((await store.get(si(1), opts()))!.leases.map((l) => l.expiresAt)).toEqual([1_000_000 + LEASE_DURATION_MS]);
    clock.t += 1000;
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, write(utf8ToBytes('b'))]]), [], opts());
    await server.addSlotLease(si(1), patternBytes(32, 50), patternBytes(32, 51), opts());
    expect((await store.get(si(1), opts()))!.leases.map((l) => l.expiresAt)).toEqual([1_001_000 + LEASE_DURATION_MS, 1_001_000 + LEASE_DURATION_MS]);
    await expect(server.addSlotLease(si(2), patternBytes(32, 50), patternBytes(32, 51), opts())).rejects.toBeInstanceOf(SlotNotFoundError);
    clock.t += LEASE_DURATION_MS - 1;
    expect(await server.collectExpired(opts())).toEqual({ slots: 0, bytes: 0 });
    clock.t += 1;
    expect(await server.collectExpired(opts())).toEqual({ slots: 1, bytes: 1 });
    expect(await store.get(si(1), opts())).toBeUndefined();
  });
  it('a slot with the most leases still takes its writer’s writes', async () => {
    const { server } = newServer();
    await server.slotTestvAndReadvAndWritev(si(1), secrets(1), new Map([[0, write(utf8ToBytes('a'))]]), [], opts());
    for (let i = 1; i < MAX_LEASES_PER_SHARE; i++) await server.addSlotLease(si(1), patternBytes(32, 1000 + i), patternBytes(32, 2000 + i), opts());
    await expect(server.addSlotLease(si(1), patternBytes(32, 99), patternBytes(32, 98), opts())).rejects.toBeInstanceOf(TooManyLeasesError);
    const s = { ...secrets(1), renewSecret: patternBytes(32, 77) };
    expect((await server.slotTestvAndReadvAndWritev(si(1), s, new Map([[0, write(utf8ToBytes('b'))]]), [], opts())).written).toBe(true);
  });
});

describe('bounds (validated at the boundary, named)', () => {
  const { server } = newServer();
  it('refuses malformed arguments with TypeError/RangeError naming them', async () => {
    await expect(server.slotReadv(new Uint8Array(3), [], [], opts())).rejects.toThrow(/storageIndex/);
    await expect(server.slotReadv(si(1), [256], [], opts())).rejects.toThrow(RangeError);
    await expect(server.slotReadv(si(1), [], Array.from({ length: MAX_SLOT_VECTORS + 1 }, () => ({ offset: 0, length: 1 })), opts())).rejects.toThrow(/readv/);
    await expect(server.slotReadv(si(1), [], [{ offset: MAX_SLOT_SHARE_BYTES, length: 1 }], opts())).rejects.toThrow(RangeError);
    const bad = (w: unknown) => server.slotTestvAndReadvAndWritev(si(1), secrets(), w as Map<number, ShareTestAndWrite>, [], opts());
    await expect(bad(new Map([[0, { test: [], write: [{ offset: MAX_SLOT_SHARE_BYTES, data: new Uint8Array(1) }], newLength: null }]]))).rejects.toThrow(/write\[0\]/);
    await expect(bad(new Map([[0, { test: [{ offset: 0, length: 5, specimen: new Uint8Array(2000) }], write: [], newLength: null }]]))).rejects.toThrow(/specimen/);
    await expect(bad({})).rejects.toThrow(TypeError);
    await expect(server.slotTestvAndReadvAndWritev(si(1), { ...secrets(), writeEnabler: new Uint8Array(31) }, new Map(), [], opts())).rejects.toThrow(/writeEnabler/);
  });
  it('a request carrying more than one rpc message may is SlotRequestTooLargeError', async () => {
    const big = new Uint8Array(MAX_SLOT_SHARE_BYTES);
    const writes = new Map([0, 1].map((n) => [n, { test: [], write: [{ offset: 0, data: big }], newLength: null }]));
    expect(2 * MAX_SLOT_SHARE_BYTES).toBeGreaterThan(MAX_SLOT_REQUEST_BYTES);
    await expect(server.slotTestvAndReadvAndWritev(si(1), secrets(), writes, [], opts())).rejects.toBeInstanceOf(SlotRequestTooLargeError);
  });
});
