/**
 * Harness module for the IndexedDB storage specs (test/browser/idb-*.spec.ts): the ShareStore
 * contract against IdbShareStore, the browser's quota refusal, node identities across tabs and
 * reloads, and a throughput probe. Everything crosses to Playwright as plain data.
 */
import { deleteDB, openDB } from 'idb';
import { bytesToHex } from '../../../src/core/bytes.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { claimNodeIdentity, type ClaimedIdentity } from '../../../src/adapters/idb/node-identity.js';
import { deleteGridDB, GRID_DB_VERSION, openGridDB } from '../../../src/adapters/idb/schema.js';
import { IdbShareStore, type IdbShareStoreInit } from '../../../src/adapters/idb/share-store.js';
import { patternBytes, runContract, shareStoreContract, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const randomName = (prefix: string) => `${prefix}-${bytesToHex(crypto.getRandomValues(new Uint8Array(6)))}`;

/** Runs the contract, each case on a fresh node id in one fresh database (optionally tuned small). */
export async function runShareStoreContract(tuning: Omit<IdbShareStoreInit, 'nodeId'> = {}) {
  const name = randomName('bric-contract');
  const db = await openGridDB({ name });
  try {
    const cases = shareStoreContract(async () => {
      const nodeId = randomName('node');
      return {
        store: await IdbShareStore.open(db, { nodeId, ...tuning }, opts()),
        reopen: () => IdbShareStore.open(db, { nodeId, ...tuning }, opts()),
      };
    });
    return await runContract(cases);
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

/**
 * With the origin's quota made small (the spec overrides it over CDP), fills a StorageServer over
 * IndexedDB until the browser refuses, and reports what the accounting said around the refusal.
 */
export async function fillUntilRefused(shareBytes: number) {
  const name = randomName('bric-quota');
  const db = await openGridDB({ name });
  try {
    const store = await IdbShareStore.open(db, { nodeId: 'quota-node' }, opts());
    const server = new StorageServer({ store, clock: { now: () => Date.now() } }, { nodeId: 'quota-node', capacityBytes: 2 ** 40 });
    const secret = new Uint8Array(32).fill(1);
    const data = patternBytes(shareBytes, 1);
    let stored = 0;
    for (let n = 0; n < 255; n++) {
      const index = si(n);
      const usedBefore = (await server.getVersion(opts())).usedBytes;
      let step = 'allocate';
      try {
        await server.allocateBuckets(index, secret, secret, [0], shareBytes, opts());
        step = 'write';
        for (let at = 0; at < shareBytes; at += 1024 * 1024) await server.writeShare(index, 0, at, data.subarray(at, at + 1024 * 1024), opts());
        step = 'close';
        await server.closeShare(index, 0, opts());
        stored++;
      } catch (err) {
        const e = err as Error;
        const usedAfterRefusal = (await server.getVersion(opts())).usedBytes;
        const listedAfterRefusal = await server.listShares(index, opts());
        if (step !== 'allocate') await server.abortShare(index, 0, opts());
        const usedAfterAbort = (await server.getVersion(opts())).usedBytes;
        const sumOfShares = (await store.listAll(opts())).reduce((s, i) => s + i.size, 0);
        const reopened = await (await IdbShareStore.open(db, { nodeId: 'quota-node' }, opts())).usedBytes(opts());
        const firstStillReadable = stored > 0 && bytesToHex(await server.readShare(si(0), 0, 0, 64, opts())) === bytesToHex(data.subarray(0, 64));
        return { refused: true, step, error: e.name, message: e.message, stored, usedBefore, usedAfterRefusal, listedAfterRefusal, usedAfterAbort, sumOfShares, reopened, firstStillReadable, quotaRefusals: server.stats().quotaRefusals };
      }
    }
    return { refused: false, stored };
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

let claim: ClaimedIdentity | undefined;

/**
 * Claims this tab's node identity in database `name`, keeps it held, and makes sure the node
 * holds one share (storage index `marker`) so a reload can check it got its shares back.
 */
export async function claimIdentity(name: string, marker: number) {
  const db = await openGridDB({ name });
  claim = await claimNodeIdentity({ db }, opts());
  const nodeId = claim.identity.nodeId;
  const store = await IdbShareStore.open(db, { nodeId }, opts());
  const server = new StorageServer({ store, clock: { now: () => Date.now() } }, { nodeId, capacityBytes: 1e9 });
  const held = await server.listShares(si(marker), opts());
  if (held.length === 0) {
    const secret = new Uint8Array(32).fill(2);
    await server.allocateBuckets(si(marker), secret, secret, [0], 1000, opts());
    await server.writeShare(si(marker), 0, 0, patternBytes(1000, marker), opts());
    await server.closeShare(si(marker), 0, opts());
  }
  const data = await server.readShare(si(marker), 0, 0, 1000, opts());
  return {
    nodeId,
    created: claim.created,
    seedHex: bytesToHex(claim.identity.seed),
    hadShare: held.length > 0,
    shareIntact: bytesToHex(data) === bytesToHex(patternBytes(1000, marker)),
    identities: (await db.getAllKeys('identities')).length,
  };
}

/** The schema's handlers: a newer version opening elsewhere makes this connection close itself. */
/**
 * A closed share whose record is deleted behind the node's back: the read says it is not here and
 * the used bytes stop counting it at once (not only after a reopen). Returns the counts.
 */
export async function deletedRecordLeavesTheCount() {
  const name = randomName('bric-tamper-count');
  const db = await openGridDB({ name });
  try {
    const nodeId = randomName('node');
    const store = await IdbShareStore.open(db, { nodeId }, opts());
    const lease = { renewSecret: patternBytes(32, 1), cancelSecret: patternBytes(32, 2), expiresAt: Date.now() + 86_400_000 };
    for (const n of [0, 1]) {
      await store.createPending(si(7), n, 5_000, lease, opts());
      await store.write(si(7), n, 0, patternBytes(5_000, n), opts());
      await store.close(si(7), n, opts());
    }
    const before = await store.usedBytes(opts());
    await db.delete('shares', [nodeId, bytesToHex(si(7)), 1]);
    let error = '';
    await store.read(si(7), 1, 0, 10, opts()).catch((e: Error) => (error = e.name));
    const after = await store.usedBytes(opts());
    const reopened = await (await IdbShareStore.open(db, { nodeId }, opts())).usedBytes(opts());
    return { before, error, after, reopened };
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

export async function blockingClosesConnection() {
  const name = randomName('bric-schema');
  let blocking = 0;
  const db = await openGridDB({ name, onBlocking: () => blocking++ });
  const stores = [...db.objectStoreNames].sort();
  const newer = await new Promise<IDBDatabase>((resolve, reject) => {
    const req = indexedDB.open(name, GRID_DB_VERSION + 1);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
  const newerVersion = newer.version;
  newer.close();
  await deleteGridDB(name);
  return { stores, blocking, newerVersion };
}

/**
 * Write then read throughput of IdbShareStore: one share of `shareBytes` written in `writeBytes`
 * pieces (as the uploader writes blocks), closed, then read back in 1 MiB reads. MB/s = 10^6 B/s.
 */
export async function measureThroughput(shareBytes: number, writeBytes: number, tuning: Omit<IdbShareStoreInit, 'nodeId'> = {}) {
  const name = randomName('bric-bench');
  const db = await openGridDB({ name });
  try {
    const store = await IdbShareStore.open(db, { nodeId: 'bench', ...tuning }, opts());
    const data = patternBytes(shareBytes, 9);
    const lease = { renewSecret: new Uint8Array(32), cancelSecret: new Uint8Array(32), expiresAt: 0 };
    const results: Array<{ write: number; read: number }> = [];
    for (let round = 0; round < 3; round++) {
      const index = si(round);
      const t0 = performance.now();
      await store.createPending(index, 0, shareBytes, lease, opts());
      for (let at = 0; at < shareBytes; at += writeBytes) await store.write(index, 0, at, data.subarray(at, at + writeBytes), opts());
      await store.close(index, 0, opts());
      const t1 = performance.now();
      let check = 0;
      for (let at = 0; at < shareBytes; at += 1024 * 1024) check += (await store.read(index, 0, at, 1024 * 1024, opts())).length;
      const t2 = performance.now();
      if (check !== shareBytes) throw new Error(`read ${check} of ${shareBytes} bytes`);
      results.push({ write: shareBytes / 1e3 / (t1 - t0), read: shareBytes / 1e3 / (t2 - t1) });
      await store.delete(index, 0, opts());
    }
    return results;
  } finally {
    db.close();
    await deleteGridDB(name);
  }
}

/**
 * The anchor for measureThroughput: plain IndexedDB, `valueBytes` values put `perTx` to a
 * transaction, then read back one value per get, in the same page (NOTES.md measured this way).
 */
export async function measureRawIdb(totalBytes: number, valueBytes: number, perTx: number) {
  const name = randomName('bric-raw');
  const db = await openDB(name, 1, { upgrade: (d) => void d.createObjectStore('v') });
  try {
    const values = Array.from({ length: totalBytes / valueBytes }, (_, i) => patternBytes(valueBytes, i));
    const results: Array<{ write: number; read: number }> = [];
    for (let round = 0; round < 3; round++) {
      const t0 = performance.now();
      for (let i = 0; i < values.length; i += perTx) {
        const tx = db.transaction('v', 'readwrite');
        await Promise.all([...values.slice(i, i + perTx).map((v, j) => tx.store.put({ v: 1, data: v }, [round, i + j])), tx.done]);
      }
      const t1 = performance.now();
      for (let i = 0; i < values.length; i++) await db.get('v', [round, i]);
      const t2 = performance.now();
      results.push({ write: totalBytes / 1e3 / (t1 - t0), read: totalBytes / 1e3 / (t2 - t1) });
      await db.clear('v');
    }
    return results;
  } finally {
    db.close();
    await deleteDB(name);
  }
}

declare global {
  interface BricHarness {
    storage: typeof import('./storage.js');
  }
}
