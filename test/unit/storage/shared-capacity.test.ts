/**
 * A node's StorageServer and MutableSlotServer under one capacity (NodeCapacity): each counts the
 * other's bytes (otherUsage), one setting changes both, and their checks take turns.
 */
import { describe, expect, it } from 'vitest';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { MemorySlotStore } from '../../../src/adapters/memory/memory-slot-store.js';
import { CapacityExceededError } from '../../../src/core/storage/errors.js';
import { MutableSlotServer } from '../../../src/core/storage/mutable-slot-server.js';
import { NodeCapacity } from '../../../src/core/storage/node-capacity.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const renew = patternBytes(32, 1);
const cancel = patternBytes(32, 2);
const slotSecrets = { writeEnabler: patternBytes(32, 3), renewSecret: patternBytes(32, 4), cancelSecret: patternBytes(32, 5) };
const slotWrite = (bytes: number) => new Map([[0, { test: [], write: [{ offset: 0, data: patternBytes(bytes, 6) }], newLength: null }]]);

function node(capacityBytes: number) {
  const clock = { now: () => 1_000_000 };
  const shareStore = new MemoryShareStore();
  const slotStore = new MemorySlotStore();
  const capacity = new NodeCapacity(capacityBytes);
  const storage = new StorageServer({ store: shareStore, clock, otherUsage: slotStore, capacity }, { nodeId: 'node-a' });
  const slots = new MutableSlotServer({ store: slotStore, clock, otherUsage: shareStore, capacity }, { nodeId: 'node-a' });
  return { storage, slots, capacity };
}

describe('shared capacity', () => {
  it('immutable allocations and getVersion count the slot bytes', async () => {
    const { storage, slots } = node(10_000);
    await slots.slotTestvAndReadvAndWritev(si(1), slotSecrets, slotWrite(6_000), [], opts());
    const version = await storage.getVersion(opts());
    expect(version).toMatchObject({ usedBytes: 6_000, availableBytes: 4_000, maxShareBytes: 4_000, capacityBytes: 10_000 });
    const r = await storage.allocateBuckets(si(2), renew, cancel, [0, 1], 3_000, opts());
    expect(r.allocated).toEqual([0]); // the second share would pass the capacity with the slot counted
    await expect(storage.allocateBuckets(si(3), renew, cancel, [0], 2_000, opts())).rejects.toThrow(CapacityExceededError);
    expect((await storage.getVersion(opts())).usedBytes).toBe(9_000);
  });

  it('slots count the shares held or reserved', async () => {
    const { storage, slots } = node(10_000);
    await storage.allocateBuckets(si(1), renew, cancel, [0], 8_000, opts());
    await expect(slots.slotTestvAndReadvAndWritev(si(2), slotSecrets, slotWrite(3_000), [], opts())).rejects.toThrow(CapacityExceededError);
    await slots.slotTestvAndReadvAndWritev(si(2), slotSecrets, slotWrite(2_000), [], opts());
    expect((await storage.getVersion(opts())).availableBytes).toBe(0);
  });

  it('one setting changes the capacity both servers see', async () => {
    const { storage, slots, capacity } = node(10_000);
    storage.setCapacity(4_000);
    expect([capacity.bytes, slots.capacityBytes]).toEqual([4_000, 4_000]);
    await expect(slots.slotTestvAndReadvAndWritev(si(1), slotSecrets, slotWrite(5_000), [], opts())).rejects.toThrow(CapacityExceededError);
  });

  it('an allocation and a slot write racing for the last free bytes: exactly one gets them', async () => {
    const { storage, slots } = node(10_000);
    const results = await Promise.allSettled([
      storage.allocateBuckets(si(1), renew, cancel, [0], 6_000, opts()),
      slots.slotTestvAndReadvAndWritev(si(2), slotSecrets, slotWrite(6_000), [], opts()),
    ]);
    const allocated = results[0].status === 'fulfilled' && results[0].value.allocated.length === 1;
    const slotWritten = results[1].status === 'fulfilled';
    expect([allocated, slotWritten].filter(Boolean)).toHaveLength(1);
    expect((await storage.getVersion(opts())).usedBytes).toBe(6_000);
  });

  it('without otherUsage a StorageServer counts only its shares', async () => {
    const server = new StorageServer({ store: new MemoryShareStore(), clock: { now: () => 0 } }, { nodeId: 'node-a', capacityBytes: 1_000 });
    expect((await server.getVersion(opts())).usedBytes).toBe(0);
  });
});
