/**
 * Harness module for test/browser/idb-tamper.spec.ts: several storage nodes over IdbShareStore in
 * one real IndexedDB database (keys start with the node id), a GridClient and FileChecker over
 * them in this page; share records changed or deleted behind the nodes' backs with the raw idb
 * API; and the browser's QuotaExceededError injected into one node's data writes.
 */
import type { IDBPDatabase } from 'idb';
import { realClock } from '../../../src/adapters/rtc/clock.js';
import { deleteGridDB, openGridDB, type GridDB } from '../../../src/adapters/idb/schema.js';
import { IdbShareStore } from '../../../src/adapters/idb/share-store.js';
import { bytesToHex, concatBytes, equalBytes } from '../../../src/core/bytes.js';
import { deriveStorageIndex } from '../../../src/core/cap/storage-index.js';
import type { ChkReadCap } from '../../../src/core/cap/types.js';
import type { StorageBroker } from '../../../src/core/grid/broker.js';
import { GridClient } from '../../../src/core/grid/client.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import { FileChecker } from '../../../src/core/repair/checker.js';
import type { CheckResult } from '../../../src/core/repair/check-result.js';
import { countedBytes } from '../../../src/core/storage/capacity.js';
import { StorageServer } from '../../../src/core/storage/server.js';

const opts = () => ({ signal: AbortSignal.timeout(60_000) });
const LEASE = new Uint8Array(32).fill(3);

let db: IDBPDatabase<GridDB> | null = null;
let dbName = '';
const nodes = new Map<string, { store: IdbShareStore; server: StorageServer }>();
let client: GridClient | null = null;
let checker: FileChecker | null = null;
let file: { cap: ChkReadCap; data: Uint8Array } | null = null;

/** A fresh database with `count` nodes, and a client (k-of-n, happy) and checker over them. */
export async function setup(o: { count: number; k: number; happy: number; n: number }): Promise<string[]> {
  dbName = `bric-tamper-${bytesToHex(crypto.getRandomValues(new Uint8Array(6)))}`;
  db = await openGridDB({ name: dbName });
  nodes.clear();
  for (let i = 0; i < o.count; i++) {
    const nodeId = `node-${i}`;
    const store = await IdbShareStore.open(db, { nodeId }, opts());
    nodes.set(nodeId, { store, server: new StorageServer({ store, clock: { now: () => Date.now() } }, { nodeId, capacityBytes: 64 << 20 }) });
  }
  const broker: StorageBroker = {
    servers: () => [...nodes.keys()].map((nodeId) => ({ nodeId })),
    connect: async (nodeId) => nodes.get(nodeId as string)!.server,
  };
  const components = { broker, clock: realClock, runner: createInThreadRunner() };
  client = new GridClient(components, { k: o.k, happy: o.happy, n: o.n, segmentSize: 64 * 1024, leaseSecret: LEASE, convergenceSecret: crypto.getRandomValues(new Uint8Array(32)) });
  checker = new FileChecker(components, { leaseSecret: LEASE, happy: o.happy });
  return [...nodes.keys()];
}

/** Uploads `size` pseudo-random bytes; returns which shares each node holds. */
export async function upload(size: number): Promise<Record<string, number[]>> {
  const data = new Uint8Array(size);
  for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(data.subarray(i, i + 65_536));
  const { cap } = await client!.upload(bytesFileSource(data), opts());
  file = { cap: cap as ChkReadCap, data };
  return holdings();
}

export async function holdings(): Promise<Record<string, number[]>> {
  const si = deriveStorageIndex(file!.cap.key);
  const out: Record<string, number[]> = {};
  for (const [id, n] of nodes) out[id] = await n.server.listShares(si, opts());
  return out;
}

export async function download(): Promise<{ exact: boolean; error?: string }> {
  try {
    const parts: Uint8Array[] = [];
    for await (const part of client!.download(file!.cap, opts())) parts.push(part);
    return { exact: equalBytes(concatBytes(...parts), file!.data) };
  } catch (error) {
    return { exact: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

const siHex = (): string => bytesToHex(deriveStorageIndex(file!.cap.key));
const shareRange = (nodeId: string): IDBKeyRange => IDBKeyRange.bound([nodeId, siHex(), 0], [nodeId, siHex(), 256]);
const dataRange = (nodeId: string): IDBKeyRange => IDBKeyRange.bound([nodeId, siHex(), 0, 0], [nodeId, siHex(), 256, 0]);

/**
 * Changes a node's records of the file behind its back: 'flip' inverts bytes in the middle of
 * each data record, 'delete-data' deletes the data records (the share record stays), 'delete-share'
 * deletes the share record and its data.
 */
export async function tamper(nodeId: string, how: 'flip' | 'delete-data' | 'delete-share'): Promise<number> {
  const tx = db!.transaction(['shares', 'shareData'], 'readwrite');
  let touched = 0;
  for (let cursor = await tx.objectStore('shareData').openCursor(dataRange(nodeId)); cursor; cursor = await cursor.continue()) {
    touched++;
    if (how === 'flip') {
      const data = cursor.value.data.slice();
      for (let i = data.length >> 2; i < (data.length >> 2) + 64 && i < data.length; i++) data[i]! ^= 0xff;
      await cursor.update({ ...cursor.value, data });
    } else await cursor.delete();
  }
  if (how === 'delete-share') for (let c = await tx.objectStore('shares').openCursor(shareRange(nodeId)); c; c = await c.continue()) await c.delete();
  await tx.done;
  return touched;
}

/** What a node knows of reports: its counter and the corrupt marks in its share records. */
export async function corruptMarks(nodeId: string): Promise<{ reports: number; marks: string[] }> {
  const recs = await db!.getAll('shares', shareRange(nodeId));
  return { reports: nodes.get(nodeId)!.server.stats().corruptReports, marks: recs.flatMap((r) => r.corrupt.map((m) => m.reason)) };
}

function brief(r: CheckResult) {
  return { healthy: r.healthy, distinctShares: r.distinctShares, happiness: r.happiness, missing: [...r.missing], corrupt: r.corrupt.map((c) => `${c.id}/${c.share}`).sort() };
}

/** The owner's verify (every hash of every copy), then repair with what verify found, then verify again. */
export async function verifyAndRepair() {
  const before = await checker!.verify(file!.cap, opts());
  const repair = await checker!.repair(file!.cap, { ...opts(), corrupt: before.corrupt });
  const after = await checker!.verify(file!.cap, opts());
  const good = new Set<number>();
  for (const s of after.servers) for (const n of s.shares) if (!after.corrupt.some((c) => c.id === s.id && c.share === n)) good.add(n);
  return { before: brief(before), sharesWritten: repair.sharesWritten, placed: repair.placed.map((p) => `${p.id}:${p.shares.join(',')}`), after: brief(after), goodAfter: [...good].sort((a, b) => a - b) };
}

/** From now on, every put into shareData for `nodeId` fails as the browser does when the quota is full. */
export function failDataPutsFor(nodeId: string): void {
  const put = IDBObjectStore.prototype.put;
  IDBObjectStore.prototype.put = function (this: IDBObjectStore, value: unknown, key?: IDBValidKey) {
    if (this.name === 'shareData' && Array.isArray(key) && key[0] === nodeId) throw new DOMException('the quota is full (injected)', 'QuotaExceededError');
    return put.call(this, value, key);
  };
}

/** A node's accounting against its records: what the store says, what the records add up to, and a store opened afresh. */
export async function accounting(nodeId: string) {
  const recs = await db!.getAll('shares', IDBKeyRange.bound([nodeId], [nodeId, []]));
  const shareKeys = new Set((await db!.getAllKeys('shares', IDBKeyRange.bound([nodeId], [nodeId, []]))).map((k) => `${k[1]}/${k[2]}`));
  const dataKeys = await db!.getAllKeys('shareData', IDBKeyRange.bound([nodeId], [nodeId, []]));
  const reopened = await IdbShareStore.open(db!, { nodeId }, opts());
  return {
    usedBytes: await nodes.get(nodeId)!.store.usedBytes(opts()),
    recordsAddUpTo: recs.reduce((sum, r) => sum + countedBytes(r), 0),
    reopenedUsedBytes: await reopened.usedBytes(opts()),
    pending: recs.filter((r) => r.state === 'pending').length,
    orphanData: dataKeys.filter((k) => !shareKeys.has(`${k[1]}/${k[2]}`)).length,
    closedShares: recs.filter((r) => r.state === 'closed').length,
  };
}

export async function teardown(): Promise<void> {
  db?.close();
  db = null;
  await deleteGridDB(dbName);
}

declare global {
  interface BricHarness {
    'idb-tamper': typeof import('./idb-tamper.js');
  }
}
