/**
 * The ShareStore contract (house style 15; tahoe test_istorageserver.py): one suite every store
 * must pass, the memory store under Vitest and the IndexedDB store in real Chromium. It depends
 * on no test framework: `shareStoreContract(makeStore)` returns named cases, and each runner
 * (Vitest's `it`, or the browser harness) runs them. Assertions throw plain Errors.
 */
import { bytesToHex } from '../../src/core/bytes.js';
import { countedBytes } from '../../src/core/storage/capacity.js';
import type { Lease, ShareInfo, ShareStore } from '../../src/core/storage/share-store.js';

export interface StoreFixture {
  store: ShareStore;
  /** For persistent stores: a new store over the same data, as after a page reload. */
  reopen?: () => Promise<ShareStore>;
  /** Frees what the fixture made (databases, …). */
  dispose?: () => Promise<void>;
}

export interface ContractCase {
  name: string;
  run: () => Promise<void>;
}

const MiB = 1024 * 1024;
const opts = (): { signal: AbortSignal } => ({ signal: new AbortController().signal });

// --- tiny assertions (no framework in the page) ---
function fail(message: string): never {
  throw new Error(message);
}
function eq<T>(actual: T, expected: T, what: string): void {
  const a = JSON.stringify(actual);
  const e = JSON.stringify(expected);
  if (a !== e) fail(`${what}: expected ${e}, got ${a}`);
}
function bytesEq(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (!(actual instanceof Uint8Array)) fail(`${what}: expected a Uint8Array`);
  if (actual.length !== expected.length) fail(`${what}: expected ${expected.length} bytes, got ${actual.length}`);
  for (let i = 0; i < actual.length; i++) {
    if (actual[i] !== expected[i]) fail(`${what}: bytes differ first at ${i} (${actual[i]} ≠ ${expected[i]})`);
  }
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

// --- deterministic data ---
/** Bytes from a seed (xorshift), so every case writes distinct, reproducible data. */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
/** A storage index from a number (distinct numbers, distinct indexes). */
export function si(n: number): Uint8Array {
  const out = new Uint8Array(16);
  new DataView(out.buffer).setUint32(12, n);
  out[0] = 0xab;
  return out;
}
function lease(seed: number, expiresAt = 1_000_000): Lease {
  return { renewSecret: patternBytes(32, seed), cancelSecret: patternBytes(32, seed + 1), expiresAt };
}
/** The same bytes at a non-zero byteOffset inside a bigger buffer (noble's unalign). */
function unaligned(bytes: Uint8Array): Uint8Array {
  const big = new Uint8Array(bytes.length + 7).fill(0xee);
  big.set(bytes, 3);
  return big.subarray(3, 3 + bytes.length);
}
function sumCounted(shares: ShareInfo[]): number {
  return shares.reduce((n, s) => n + countedBytes(s), 0);
}
async function storeShare(store: ShareStore, index: Uint8Array, shareNum: number, data: Uint8Array, piece = 100_000): Promise<void> {
  await store.createPending(index, shareNum, data.length, lease(shareNum), opts());
  for (let at = 0; at < data.length; at += piece) {
    await store.write(index, shareNum, at, data.subarray(at, at + piece), opts());
  }
  await store.close(index, shareNum, opts());
}

export function shareStoreContract(makeStore: () => Promise<StoreFixture>): ContractCase[] {
  const cases: ContractCase[] = [];
  const test = (name: string, body: (f: StoreFixture) => Promise<void>): void => {
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
    eq((await store.list(si(1), opts())).length, 0, 'list');
    eq((await store.listAll(opts())).length, 0, 'listAll');
    eq(await store.get(si(1), 0, opts()), undefined, 'get');
  });

  test('createPending reserves the allocation and records the share and its lease', async ({ store }) => {
    await store.createPending(si(1), 3, 5000, lease(7, 123), opts());
    eq(await store.usedBytes(opts()), 5000, 'usedBytes');
    const info = await store.get(si(1), 3, opts());
    if (info === undefined) fail('get returned undefined');
    eq([info.shareNum, info.state, info.allocatedSize, info.size], [3, 'pending', 5000, 0], 'share info');
    bytesEq(info.storageIndex, si(1), 'storageIndex');
    eq(info.leases.length, 1, 'lease count');
    bytesEq(info.leases[0]!.renewSecret, lease(7).renewSecret, 'renew secret');
    bytesEq(info.leases[0]!.cancelSecret, lease(7).cancelSecret, 'cancel secret');
    eq(info.leases[0]!.expiresAt, 123, 'expiresAt');
    eq(info.corrupt, [], 'corrupt');
  });

  test('a share cannot be created twice, in either state', async ({ store }) => {
    await store.createPending(si(1), 0, 10, lease(1), opts());
    await rejects(store.createPending(si(1), 0, 10, lease(1), opts()), 'ShareExistsError', 'pending twice');
    await store.close(si(1), 0, opts());
    await rejects(store.createPending(si(1), 0, 10, lease(1), opts()), 'ShareExistsError', 'after close');
    eq(await store.usedBytes(opts()), 0, 'usedBytes (closed, nothing written)');
  });

  test('written bytes read back after close; size is the furthest byte written', async ({ store }) => {
    const data = patternBytes(3000, 1);
    await store.createPending(si(1), 0, 4000, lease(1), opts());
    await store.write(si(1), 0, 0, data.subarray(0, 1000), opts());
    await store.write(si(1), 0, 1000, data.subarray(1000), opts());
    eq((await store.get(si(1), 0, opts()))?.size, 3000, 'pending size');
    eq(await store.usedBytes(opts()), 4000, 'pending counts its allocation');
    await store.close(si(1), 0, opts());
    eq(await store.usedBytes(opts()), 3000, 'closed counts its size');
    const info = await store.get(si(1), 0, opts());
    eq([info?.state, info?.size, info?.allocatedSize], ['closed', 3000, 4000], 'closed info');
    bytesEq(await store.read(si(1), 0, 0, 3000, opts()), data, 'whole share');
    bytesEq(await store.read(si(1), 0, 999, 2, opts()), data.subarray(999, 1001), 'across writes');
  });

  test('multi-MiB shares written out of order, across record boundaries, read back in any range', async ({ store }) => {
    const size = 3 * MiB + 12_345;
    const data = patternBytes(size, 2);
    const piece = 350_001; // not a divisor of anything
    const offsets: number[] = [];
    for (let at = 0; at < size; at += piece) offsets.push(at);
    await store.createPending(si(2), 9, size, lease(1), opts());
    for (const at of offsets.reverse()) await store.write(si(2), 9, at, data.subarray(at, at + piece), opts());
    await store.close(si(2), 9, opts());
    bytesEq(await store.read(si(2), 9, 0, size, opts()), data, 'whole share');
    for (const [at, len] of [[MiB - 1, 2], [MiB - 10, MiB + 20], [2 * MiB, MiB], [0, 1], [size - 1, 1], [12_345, 2 * MiB + 7]] as const) {
      bytesEq(await store.read(si(2), 9, at, len, opts()), data.subarray(at, at + len), `read ${at}+${len}`);
    }
  });

  test('many small writes (coalesced or not) read back exactly', async ({ store }) => {
    const data = patternBytes(2 * MiB + 100, 3);
    await storeShare(store, si(3), 1, data, 4096);
    bytesEq(await store.read(si(3), 1, 0, data.length, opts()), data, 'share');
  });

  test('bytes never written read as zeros; reads stop at the size', async ({ store }) => {
    await store.createPending(si(4), 0, 3 * MiB, lease(1), opts());
    await store.write(si(4), 0, 2 * MiB + 5, new Uint8Array([1, 2, 3]), opts());
    await store.write(si(4), 0, 10, new Uint8Array([9]), opts());
    await store.close(si(4), 0, opts());
    eq((await store.get(si(4), 0, opts()))?.size, 2 * MiB + 8, 'size');
    const all = await store.read(si(4), 0, 0, 3 * MiB, opts());
    eq(all.length, 2 * MiB + 8, 'read stops at the size');
    const expected = new Uint8Array(2 * MiB + 8);
    expected[10] = 9;
    expected.set([1, 2, 3], 2 * MiB + 5);
    bytesEq(all, expected, 'zeros where nothing was written');
    eq((await store.read(si(4), 0, 2 * MiB + 7, 100, opts())).length, 1, 'read across the end');
    eq((await store.read(si(4), 0, 5 * MiB, 100, opts())).length, 0, 'read past the end');
    eq((await store.read(si(4), 0, 0, 0, opts())).length, 0, 'zero-length read');
  });

  test('a later write of the same bytes wins; zero-length writes and empty shares are fine', async ({ store }) => {
    await store.createPending(si(5), 0, 10, lease(1), opts());
    await store.write(si(5), 0, 0, new Uint8Array([1, 1, 1, 1]), opts());
    await store.write(si(5), 0, 2, new Uint8Array([2, 2]), opts());
    await store.write(si(5), 0, 4, new Uint8Array(0), opts());
    await store.close(si(5), 0, opts());
    bytesEq(await store.read(si(5), 0, 0, 10, opts()), new Uint8Array([1, 1, 2, 2]), 'bytes');
    await store.createPending(si(5), 1, 0, lease(1), opts());
    await store.close(si(5), 1, opts());
    eq((await store.read(si(5), 1, 0, 10, opts())).length, 0, 'empty share');
  });

  test('writes past the allocation are refused and change nothing', async ({ store }) => {
    await store.createPending(si(6), 0, 100, lease(1), opts());
    await store.write(si(6), 0, 0, patternBytes(50, 1), opts());
    await rejects(store.write(si(6), 0, 90, patternBytes(11, 2), opts()), 'WriteOutOfBoundsError', 'past the end');
    await rejects(store.write(si(6), 0, 101, new Uint8Array(0), opts()), 'WriteOutOfBoundsError', 'starting past the end');
    await store.write(si(6), 0, 90, patternBytes(10, 3), opts());
    await store.close(si(6), 0, opts());
    eq((await store.get(si(6), 0, opts()))?.size, 100, 'size');
    bytesEq(await store.read(si(6), 0, 0, 50, opts()), patternBytes(50, 1), 'earlier bytes kept');
  });

  test('write, close and abort name what is wrong with the share', async ({ store }) => {
    const b = new Uint8Array([1]);
    await rejects(store.write(si(7), 0, 0, b, opts()), 'ShareNotAllocatedError', 'write unknown');
    await rejects(store.close(si(7), 0, opts()), 'ShareNotAllocatedError', 'close unknown');
    await rejects(store.abort(si(7), 0, opts()), 'ShareNotAllocatedError', 'abort unknown');
    await storeShare(store, si(7), 0, b);
    await rejects(store.write(si(7), 0, 0, b, opts()), 'ShareAlreadyClosedError', 'write closed');
    await rejects(store.close(si(7), 0, opts()), 'ShareAlreadyClosedError', 'close closed');
    await rejects(store.abort(si(7), 0, opts()), 'ShareAlreadyClosedError', 'abort closed');
    await rejects(store.read(si(7), 1, 0, 1, opts()), 'ShareNotFoundError', 'read unknown');
    await rejects(store.delete(si(7), 1, opts()), 'ShareNotFoundError', 'delete unknown');
    await rejects(store.setLeases(si(7), 1, [], opts()), 'ShareNotFoundError', 'setLeases unknown');
    await rejects(store.markCorrupt(si(7), 1, { reason: 'x', at: 1 }, 8, opts()), 'ShareNotFoundError', 'markCorrupt unknown');
  });

  test('abort frees the allocation and the bytes; the share can be allocated again', async ({ store }) => {
    await store.createPending(si(8), 2, 2 * MiB, lease(1), opts());
    await store.write(si(8), 2, 0, patternBytes(MiB + 3, 1), opts());
    await store.abort(si(8), 2, opts());
    eq(await store.usedBytes(opts()), 0, 'usedBytes');
    eq(await store.get(si(8), 2, opts()), undefined, 'get');
    await rejects(store.read(si(8), 2, 0, 1, opts()), 'ShareNotFoundError', 'read aborted');
    await store.createPending(si(8), 2, 10, lease(1), opts());
    await store.close(si(8), 2, opts());
    eq((await store.read(si(8), 2, 0, 10, opts())).length, 0, 'new share has none of the old bytes');
  });

  test('pending shares read back what was written so far', async ({ store }) => {
    await store.createPending(si(9), 0, 3 * MiB, lease(1), opts());
    const data = patternBytes(2 * MiB + 1, 4);
    await store.write(si(9), 0, 0, data, opts());
    bytesEq(await store.read(si(9), 0, MiB - 2, 5, opts()), data.subarray(MiB - 2, MiB + 3), 'pending read');
  });

  test('list gives every share of one storage index in order, and no other index', async ({ store }) => {
    const a = si(10);
    const b = new Uint8Array(a);
    b[15]! ^= 1; // differs in the last byte only
    for (const n of [7, 0, 255, 3]) await storeShare(store, a, n, patternBytes(10, n));
    await store.createPending(a, 5, 10, lease(1), opts());
    await storeShare(store, b, 1, patternBytes(10, 1));
    const list = await store.list(a, opts());
    eq(list.map((s) => [s.shareNum, s.state]), [[0, 'closed'], [3, 'closed'], [5, 'pending'], [7, 'closed'], [255, 'closed']], 'list');
    eq((await store.list(b, opts())).map((s) => s.shareNum), [1], 'other index');
    const all = await store.listAll(opts());
    eq(all.length, 6, 'listAll count');
    eq(
      all.map((s) => `${bytesToHex(s.storageIndex)}/${s.shareNum}`).sort(),
      [...[0, 3, 5, 7, 255].map((n) => `${bytesToHex(a)}/${n}`), `${bytesToHex(b)}/1`].sort(),
      'listAll shares',
    );
  });

  test('delete removes closed and pending shares and frees what they counted', async ({ store }) => {
    await storeShare(store, si(11), 0, patternBytes(1000, 1));
    await store.createPending(si(11), 1, 5000, lease(1), opts());
    eq(await store.usedBytes(opts()), 6000, 'before');
    await store.delete(si(11), 0, opts());
    eq(await store.usedBytes(opts()), 5000, 'after deleting closed');
    await store.delete(si(11), 1, opts());
    eq(await store.usedBytes(opts()), 0, 'after deleting pending');
    eq((await store.list(si(11), opts())).length, 0, 'list');
    await rejects(store.read(si(11), 0, 0, 1, opts()), 'ShareNotFoundError', 'read deleted');
  });

  test('setLeases replaces the leases; markCorrupt keeps the latest reports', async ({ store }) => {
    await storeShare(store, si(12), 0, patternBytes(10, 1));
    await store.setLeases(si(12), 0, [lease(20, 5), lease(30, 6)], opts());
    const info = await store.get(si(12), 0, opts());
    eq(info?.leases.map((l) => l.expiresAt), [5, 6], 'expiries');
    bytesEq(info!.leases[1]!.renewSecret, lease(30).renewSecret, 'second renew secret');
    for (let i = 0; i < 5; i++) await store.markCorrupt(si(12), 0, { reason: `bad ${i}`, at: i }, 3, opts());
    eq((await store.get(si(12), 0, opts()))?.corrupt, [{ reason: 'bad 2', at: 2 }, { reason: 'bad 3', at: 3 }, { reason: 'bad 4', at: 4 }], 'corrupt');
  });

  test('discardPending drops pending shares only', async ({ store }) => {
    await storeShare(store, si(13), 0, patternBytes(100, 1));
    await store.createPending(si(13), 1, 1000, lease(1), opts());
    await store.createPending(si(14), 0, 2000, lease(1), opts());
    await store.write(si(14), 0, 0, patternBytes(1500, 2), opts());
    eq(await store.discardPending(opts()), 2, 'dropped');
    eq(await store.usedBytes(opts()), 100, 'usedBytes');
    eq((await store.listAll(opts())).map((s) => s.state), ['closed'], 'left');
    await store.createPending(si(14), 0, 10, lease(1), opts());
    await store.close(si(14), 0, opts());
    eq((await store.read(si(14), 0, 0, 10, opts())).length, 0, 'no bytes of the discarded share come back');
  });

  test('inputs may be subarrays; stored and returned bytes are copies', async ({ store }) => {
    const data = patternBytes(5000, 5);
    const input = unaligned(data);
    const index = unaligned(si(15));
    await store.createPending(index, 0, 5000, { ...lease(1), renewSecret: unaligned(lease(1).renewSecret) }, opts());
    await store.write(index, 0, 0, input, opts());
    input.fill(0); // the caller reuses its buffer
    index.fill(0);
    await store.close(si(15), 0, opts());
    const out = await store.read(si(15), 0, 0, 5000, opts());
    bytesEq(out, data, 'stored bytes');
    out.fill(1);
    bytesEq(await store.read(si(15), 0, 0, 5000, opts()), data, 'store unchanged by the caller');
    bytesEq((await store.get(si(15), 0, opts()))!.leases[0]!.renewSecret, lease(1).renewSecret, 'lease secret');
  });

  test('an aborted signal rejects and changes nothing', async ({ store }) => {
    const c = new AbortController();
    c.abort(new Error('stop'));
    const sig = { signal: c.signal };
    const threw = async (p: Promise<unknown>): Promise<void> => {
      let ok = false;
      await p.then(() => (ok = true), () => undefined);
      if (ok) fail('an aborted call succeeded');
    };
    await threw(store.createPending(si(16), 0, 10, lease(1), sig));
    eq(await store.usedBytes(opts()), 0, 'nothing allocated');
    await store.createPending(si(16), 0, 10, lease(1), opts());
    await threw(store.write(si(16), 0, 0, new Uint8Array([1]), sig));
    await threw(store.close(si(16), 0, sig));
    await threw(store.abort(si(16), 0, sig));
    eq((await store.get(si(16), 0, opts()))?.state, 'pending', 'still pending');
    await store.close(si(16), 0, opts());
    eq((await store.get(si(16), 0, opts()))?.size, 0, 'the aborted write did not apply');
  });

  test('concurrent writes to several shares and offsets all land', async ({ store }) => {
    const size = 2 * MiB + 999;
    const datas = [0, 1, 2].map((n) => patternBytes(size, 40 + n));
    await Promise.all([0, 1, 2].map((n) => store.createPending(si(17), n, size, lease(n), opts())));
    const piece = 128 * 1024;
    const writes: Promise<void>[] = [];
    for (let at = 0; at < size; at += piece) {
      for (const n of [0, 1, 2]) writes.push(store.write(si(17), n, at, datas[n]!.subarray(at, at + piece), opts()));
    }
    await Promise.all(writes);
    await Promise.all([0, 1, 2].map((n) => store.close(si(17), n, opts())));
    for (const n of [0, 1, 2]) bytesEq(await store.read(si(17), n, 0, size, opts()), datas[n]!, `share ${n}`);
    eq(await store.usedBytes(opts()), 3 * size, 'usedBytes');
  });

  test('usedBytes is exactly the sum over shares through a long mixed sequence', async ({ store }) => {
    let x = 12345;
    const rnd = (n: number): number => {
      x = (x * 1103515245 + 12345) % 2 ** 31;
      return x % n;
    };
    for (let step = 0; step < 120; step++) {
      const index = si(100 + rnd(4));
      const shareNum = rnd(6);
      const info = await store.get(index, shareNum, opts());
      if (info === undefined) {
        await store.createPending(index, shareNum, 1 + rnd(300_000), lease(step), opts());
      } else if (info.state === 'pending') {
        const op = rnd(4);
        if (op === 0) await store.abort(index, shareNum, opts());
        else if (op === 1) await store.close(index, shareNum, opts());
        else {
          const at = rnd(info.allocatedSize);
          await store.write(index, shareNum, at, patternBytes(rnd(info.allocatedSize - at + 1), step), opts());
        }
      } else if (rnd(3) === 0) {
        await store.delete(index, shareNum, opts());
      }
      const all = await store.listAll(opts());
      eq(await store.usedBytes(opts()), sumCounted(all), `usedBytes after step ${step}`);
    }
  });

  test('a reopened store has the same closed shares, bytes, leases, reports and usedBytes', async (f) => {
    if (f.reopen === undefined) return; // not persistent
    const data = patternBytes(MiB + 77, 6);
    await storeShare(f.store, si(18), 4, data, 300_000);
    await f.store.setLeases(si(18), 4, [lease(9, 42)], opts());
    await f.store.markCorrupt(si(18), 4, { reason: 'seen bad', at: 7 }, 8, opts());
    await f.store.createPending(si(18), 5, 4096, lease(1), opts());
    await f.store.write(si(18), 5, 0, patternBytes(4096, 1), opts());
    const used = await f.store.usedBytes(opts());
    const again = await f.reopen();
    eq(await again.usedBytes(opts()), used, 'usedBytes after reopen');
    bytesEq(await again.read(si(18), 4, 0, data.length, opts()), data, 'bytes after reopen');
    const info = await again.get(si(18), 4, opts());
    eq([info?.state, info?.size, info?.leases[0]?.expiresAt, info?.corrupt], ['closed', data.length, 42, [{ reason: 'seen bad', at: 7 }]], 'info');
    eq((await again.get(si(18), 5, opts()))?.state, 'pending', 'pending share is still listed');
    eq(await again.discardPending(opts()), 1, 'and is discarded');
    eq(await again.usedBytes(opts()), data.length, 'usedBytes after discard');
  });

  return cases;
}

/** Runs cases one by one (for runners without a framework): names of passes, and failures. */
export async function runContract(cases: ContractCase[]): Promise<{ passed: string[]; failures: Array<{ name: string; error: string }> }> {
  const passed: string[] = [];
  const failures: Array<{ name: string; error: string }> = [];
  for (const c of cases) {
    try {
      await c.run();
      passed.push(c.name);
    } catch (err) {
      failures.push({ name: c.name, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  return { passed, failures };
}
