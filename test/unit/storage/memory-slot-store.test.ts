/** MemorySlotStore passes the SlotStore contract, and its fault hook refuses a change cleanly. */
import { describe, expect, it } from 'vitest';
import { MemorySlotStore } from '../../../src/adapters/memory/memory-slot-store.js';
import { StorageQuotaError } from '../../../src/core/storage/errors.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';
import { slotStoreContract } from '../../contracts/slot-store.contract.js';

describe('MemorySlotStore: SlotStore contract', () => {
  for (const c of slotStoreContract(async () => ({ store: new MemorySlotStore() }))) it(c.name, c.run);
});

describe('MemorySlotStore fault hook', () => {
  it('a refused put changes nothing', async () => {
    let refuse = false;
    const store = new MemorySlotStore({ fault: () => { if (refuse) throw new StorageQuotaError('full'); } });
    const opts = { signal: new AbortController().signal };
    const record = (n: number) => ({ storageIndex: si(1), writeEnabler: patternBytes(32, 1), leases: [], shares: [{ shareNum: 0, data: patternBytes(n, 2) }] });
    await store.put(record(10), opts);
    refuse = true;
    await expect(store.put(record(500), opts)).rejects.toBeInstanceOf(StorageQuotaError);
    expect(await store.usedBytes(opts)).toBe(10);
    expect((await store.get(si(1), opts))!.shares[0]!.data.length).toBe(10);
  });
});
