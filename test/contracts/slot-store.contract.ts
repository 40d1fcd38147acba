/**
 * The SlotStore contract (house style 15): one suite every slot store must pass, the memory store
 * under Vitest and the IndexedDB store in real Chromium. Framework-free, as share-store.contract.ts:
 * `slotStoreContract(makeStore)` returns named cases; assertions throw plain Errors.
 */
import { bytesToHex } from '../../src/core/bytes.js';
import type { Lease } from '../../src/core/storage/share-store.js';
import type { SlotRecord, SlotStore } from '../../src/core/storage/slot-store.js';
import { patternBytes, si } from './share-store.contract.js';

export interface SlotStoreFixture {
  store: SlotStore;
  /** For persistent stores: a new store over the same data, as after a page reload. */
  reopen?: () => Promise<SlotStore>;
  dispose?: () => Promise<void>;
}

export interface ContractCase {
  name: string;
  run: () => Promise<void>;
}

const opts = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

function fail(message: string): never {
  throw new Error(message);
}
function eq<T>(actual: T, expected: T, what: string): void {
  const show = (x: unknown): string => JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? bytesToHex(v) : v));
  if (show(actual) !== show(expected)) fail(`${what}: expected ${show(expected)}, got ${show(actual)}`);
}
async function rejects(p: Promise<unknown>, name: string, what: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    const got = (err as { name?: string }).name;
    if (got !== name) fail(`${what}: expected ${name}, got ${got}: ${(err as Error).message}`);
    return;
  }
  fail(`${what}: expected ${name}, but it succeeded`);
}
function lease(seed: number, expiresAt = 1_000_000): Lease {
  return { renewSecret: patternBytes(32, seed), cancelSecret: patternBytes(32, seed + 1), expiresAt };
}
/** The same bytes at a non-zero byteOffset inside a bigger buffer. */
function unaligned(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 7).fill(0xee);
  big.set(bytes, 3);
  return big.subarray(3, 3 + bytes.length);
}
function slot(n: number, shares: [number, number][], leases: Lease[] = [lease(n)]): SlotRecord {
  return {
    storageIndex: si(n),
    writeEnabler: patternBytes(32, 100 + n),
    leases,
    shares: shares.map(([shareNum, length]) => ({ shareNum, data: patternBytes(length, n * 1000 + shareNum) })),
  };
}

export function slotStoreContract(makeStore: () => Promise<SlotStoreFixture>): ContractCase[] {
  const cases: ContractCase[] = [];
  const test = (name: string, body: (f: SlotStoreFixture) => Promise<void>): void => {
    cases.push({
      name,
      run: async () => {
        const f = await makeStore();
        try {
          await body(f);
        } finally {
          await f.dispose?.();
        }
      },
    });
  };

  test('a new store is empty', async ({ store }) => {
    eq(await store.usedBytes(opts()), 0, 'usedBytes');
    eq(await store.get(si(1), opts()), undefined, 'get');
    eq((await store.listAll(opts())).length, 0, 'listAll');
  });

  test('put then get gives the same slot back, counted by its share bytes', async ({ store }) => {
    const s = slot(1, [[3, 500], [0, 1000]]);
    await store.put(s, opts());
    const got = await store.get(si(1), opts());
    eq(got, { ...s, shares: [...s.shares].sort((a, b) => a.shareNum - b.shareNum) }, 'slot');
    eq(await store.usedBytes(opts()), 1500, 'usedBytes');
  });

  test('put replaces a slot whole: dropped shares are gone and the count follows', async ({ store }) => {
    await store.put(slot(1, [[0, 1000], [1, 1000]]), opts());
    await store.put(slot(2, [[5, 10]]), opts());
    const next = slot(1, [[1, 300]], [lease(1), lease(3)]);
    await store.put(next, opts());
    eq(await store.get(si(1), opts()), next, 'replaced slot');
    eq(await store.usedBytes(opts()), 310, 'usedBytes');
  });

  test('stored bytes are copies: changing what was given or returned changes nothing', async ({ store }) => {
    const s = slot(1, [[0, 100]]);
    await store.put(s, opts());
    s.shares[0]!.data.fill(0);
    s.writeEnabler.fill(0);
    const got = await store.get(si(1), opts());
    got!.shares[0]!.data.fill(1);
    eq(await store.get(si(1), opts()), slot(1, [[0, 100]]), 'slot');
  });

  test('accepts subarrays with a non-zero offset', async ({ store }) => {
    const s = slot(1, [[0, 100]]);
    await store.put({ ...s, storageIndex: unaligned(s.storageIndex), writeEnabler: unaligned(s.writeEnabler), shares: [{ shareNum: 0, data: unaligned(s.shares[0]!.data) }] }, opts());
    eq(await store.get(unaligned(si(1)), opts()), s, 'slot');
  });

  test('a slot without shares is refused', async ({ store }) => {
    await rejects(store.put(slot(1, []), opts()), 'RangeError', 'empty slot');
    eq(await store.get(si(1), opts()), undefined, 'get');
  });

  test('setLeases replaces the leases only', async ({ store }) => {
    await store.put(slot(1, [[0, 100]]), opts());
    await store.setLeases(si(1), [lease(5, 7), lease(6, 8)], opts());
    eq(await store.get(si(1), opts()), { ...slot(1, [[0, 100]]), leases: [lease(5, 7), lease(6, 8)] }, 'slot');
    await rejects(store.setLeases(si(2), [], opts()), 'SlotNotFoundError', 'unknown slot');
  });

  test('delete frees the bytes; deleting twice is SlotNotFoundError', async ({ store }) => {
    await store.put(slot(1, [[0, 100], [1, 50]]), opts());
    await store.put(slot(2, [[0, 7]]), opts());
    await store.delete(si(1), opts());
    eq(await store.get(si(1), opts()), undefined, 'get');
    eq(await store.usedBytes(opts()), 7, 'usedBytes');
    await rejects(store.delete(si(1), opts()), 'SlotNotFoundError', 'second delete');
  });

  test('listAll summarises every slot without bytes', async ({ store }) => {
    await store.put(slot(1, [[0, 100], [4, 50]], [lease(1, 11)]), opts());
    await store.put(slot(2, [[9, 7]], [lease(2, 22)]), opts());
    const all = (await store.listAll(opts())).sort((a, b) => a.storageIndex[15]! - b.storageIndex[15]!);
    eq(all, [
      { storageIndex: si(1), leases: [lease(1, 11)], shareNums: [0, 4], bytes: 150 },
      { storageIndex: si(2), leases: [lease(2, 22)], shareNums: [9], bytes: 7 },
    ], 'listAll');
  });

  test('an aborted signal changes nothing', async ({ store }) => {
    const aborted = { signal: AbortSignal.abort(new Error('stop')) };
    await rejects(store.put(slot(1, [[0, 10]]), aborted), 'Error', 'put');
    eq(await store.get(si(1), opts()), undefined, 'get');
    eq(await store.usedBytes(opts()), 0, 'usedBytes');
  });

  test('a reopened store has the same slots and count', async ({ store, reopen }) => {
    await store.put(slot(1, [[0, 100], [2, 3]]), opts());
    await store.put(slot(2, [[1, 60]]), opts());
    await store.delete(si(2), opts());
    if (reopen === undefined) return;
    const again = await reopen();
    eq(await again.get(si(1), opts()), slot(1, [[0, 100], [2, 3]]), 'slot');
    eq(await again.usedBytes(opts()), 103, 'usedBytes');
  });

  return cases;
}
