/** The GridDB schema's types (house style 18) and record version check; the write buffer's logic. */
import type { StoreKey, StoreNames, StoreValue } from 'idb';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { PendingShare } from '../../../src/adapters/idb/_pending-share.js';
import { IdbRecordError } from '../../../src/adapters/idb/errors.js';
import { checkRecord, type GridDB, type NodeIdentityRecord, type ShareDataRecord, type ShareRecord } from '../../../src/adapters/idb/schema.js';

describe('GridDB schema', () => {
  it('has exactly its stores, keys and record types', () => {
    expectTypeOf<StoreNames<GridDB>>().toEqualTypeOf<'identities' | 'shares' | 'shareData' | 'settings' | 'slots' | 'slotShares'>();
    expectTypeOf<StoreKey<GridDB, 'slots'>>().toEqualTypeOf<[string, string]>();
    expectTypeOf<StoreKey<GridDB, 'slotShares'>>().toEqualTypeOf<[string, string, number]>();
    expectTypeOf<StoreKey<GridDB, 'shares'>>().toEqualTypeOf<[string, string, number]>();
    expectTypeOf<StoreKey<GridDB, 'shareData'>>().toEqualTypeOf<[string, string, number, number]>();
    expectTypeOf<StoreValue<GridDB, 'shares'>>().toEqualTypeOf<ShareRecord>();
    expectTypeOf<StoreValue<GridDB, 'shareData'>>().toEqualTypeOf<ShareDataRecord>();
    expectTypeOf<StoreValue<GridDB, 'identities'>>().toEqualTypeOf<NodeIdentityRecord>();
    expectTypeOf<ShareRecord['v']>().toEqualTypeOf<1>();
  });

  it('refuses records of a format it does not know', () => {
    const rec = { v: 1 as const, data: new Uint8Array(1) };
    expect(checkRecord(rec, 'share data')).toBe(rec);
    expect(() => checkRecord({ v: 2 } as unknown as ShareDataRecord, 'share data')).toThrow(IdbRecordError);
    expect(() => checkRecord({ v: 2 } as unknown as ShareDataRecord, 'share data')).toThrow('format version 2; this bric reads version 1');
  });
});

describe('PendingShare (the write buffer)', () => {
  it('loads only partly written records that may be stored, and cuts the last record at close', () => {
    const p = new PendingShare('ab', 0, 10_000, 4096, null);
    expect(p.records(0, 10_000)).toEqual([0, 1, 2]);
    expect(p.recordLength(2)).toBe(10_000 - 8192);
    expect(p.toLoad(100, 200)).toEqual([]); // nothing stored yet
    p.apply(4000, new Uint8Array(200).fill(7));
    expect(p.size).toBe(4200);
    expect(p.dirtyBytes).toBe(8192);
    const records = p.dirtyRecords(true);
    expect(records.map(([i, b]) => [i, b.length])).toEqual([[0, 4096], [1, 104]]);
    expect(records[1]![1].buffer.byteLength).toBe(104); // an exact copy, not a view of the 4 KiB buffer
    p.flushed([0, 1]);
    expect(p.dirtyBytes).toBe(0);
    expect(p.cached(0)).toBeUndefined(); // evicted
    expect(p.cached(1)).toBeDefined(); // the record a sequential writer continues
    expect(p.toLoad(10, 20)).toEqual([0]); // stored now, partly overwritten: must be read first
    expect(p.toLoad(0, 4096)).toEqual([]); // covered whole: replaced without reading
  });

  it('after a reload every record may be stored', () => {
    const p = new PendingShare('ab', 0, 10_000, 4096, { size: 5000 });
    expect(p.size).toBe(5000);
    expect(p.toLoad(9000, 9001)).toEqual([2]);
  });
});
