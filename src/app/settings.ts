/**
 * The person's settings in IndexedDB's `settings` store: the convergence and lease secrets (one
 * per browser profile, made once, never sent anywhere), each node's capacity, and the person's
 * nickname and encoding (k / happy / N, checked and explained in words here).
 * Get-or-create runs in one readwrite transaction, so tabs starting together agree on one secret.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import type { GridDB } from '../adapters/idb/schema.js';
import { assertCapacity } from '../core/storage/capacity.js';
import { cleanNickname } from './announce.js';
import type { NodeSnapshot } from './node-api.js';
import { showSize } from './words.js';
import { DEFAULT_HAPPY, DEFAULT_K, DEFAULT_N, MAX_SHARES } from '../core/limits.js';

const CONVERGENCE_SECRET = 'convergence-secret';
const LEASE_SECRET = 'lease-secret';
const SECRET_BYTES = 32;
const NICKNAME = 'nickname';
const ENCODING = 'encoding';
const capacityKey = (nodeId: string): string => `capacity:${nodeId}`;

export interface PersonSecrets {
  /** Same file, same person → same cap (dedup); nobody without it can confirm a file. */
  readonly convergenceSecret: Uint8Array;
  /** Root of the per-file, per-server lease secrets this person gives storage nodes. */
  readonly leaseSecret: Uint8Array;
}

/** This browser profile's secrets, created on first use. */
export async function loadPersonSecrets(db: IDBPDatabase<GridDB>, randomBytes: (n: number) => Uint8Array): Promise<PersonSecrets> {
  return {
    convergenceSecret: await getOrCreateSecret(db, CONVERGENCE_SECRET, randomBytes),
    leaseSecret: await getOrCreateSecret(db, LEASE_SECRET, randomBytes),
  };
}

async function getOrCreateSecret(db: IDBPDatabase<GridDB>, name: string, randomBytes: (n: number) => Uint8Array): Promise<Uint8Array> {
  const tx = db.transaction('settings', 'readwrite');
  const found = await tx.store.get(name);
  let secret: Uint8Array;
  if (found !== undefined && found.value instanceof Uint8Array && found.value.length === SECRET_BYTES) {
    secret = found.value;
  } else {
    secret = randomBytes(SECRET_BYTES);
    await tx.store.put({ v: 1, value: secret }, name);
  }
  await tx.done;
  return secret;
}

/** The capacity this node's person set, or undefined before they set one. */
export async function loadCapacity(db: IDBPDatabase<GridDB>, nodeId: string): Promise<number | undefined> {
  const found = await db.get('settings', capacityKey(nodeId));
  const value = found?.value;
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

export async function saveCapacity(db: IDBPDatabase<GridDB>, nodeId: string, bytes: number): Promise<void> {
  assertCapacity(bytes);
  await db.put('settings', { v: 1, value: bytes }, capacityKey(nodeId));
}

/** The nickname the person gave their nodes, or undefined before they set one. */
export async function loadNickname(db: IDBPDatabase<GridDB>): Promise<string | undefined> {
  const value = (await db.get('settings', NICKNAME))?.value;
  return typeof value === 'string' ? cleanNickname(value) : undefined;
}

export async function saveNickname(db: IDBPDatabase<GridDB>, nickname: string): Promise<void> {
  await db.put('settings', { v: 1, value: cleanNickname(nickname) }, NICKNAME);
}

/** The encoding the person chose for their uploads, or undefined (the grid's defaults) before they chose. */
export async function loadEncoding(db: IDBPDatabase<GridDB>): Promise<Encoding | undefined> {
  const value = (await db.get('settings', ENCODING))?.value as Partial<Encoding> | undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const encoding = { k: Number(value.k), happy: Number(value.happy), n: Number(value.n) };
  return checkEncoding(encoding) === undefined ? encoding : undefined;
}

export async function saveEncoding(db: IDBPDatabase<GridDB>, encoding: Encoding): Promise<void> {
  const problem = checkEncoding(encoding);
  if (problem !== undefined) throw new RangeError(problem);
  await db.put('settings', { v: 1, value: { k: encoding.k, happy: encoding.happy, n: encoding.n } }, ENCODING);
}

/** How uploads are encoded: k shares rebuild a file, N are made, happy distinct peers must hold them. */
export interface Encoding {
  readonly k: number;
  readonly happy: number;
  readonly n: number;
}

export const DEFAULT_ENCODING: Encoding = Object.freeze({ k: DEFAULT_K, happy: DEFAULT_HAPPY, n: DEFAULT_N });

/** What is wrong with an encoding, in words, or undefined when it is usable (1 ≤ k ≤ happy ≤ N ≤ 256). */
export function checkEncoding(e: { k: number; happy: number; n: number }): string | undefined {
  for (const [name, v] of [['k', e.k], ['happy', e.happy], ['N', e.n]] as const) {
    if (!Number.isSafeInteger(v)) return `${name} must be a whole number`;
    if (v < 1 || v > MAX_SHARES) return `${name} must be from 1 to ${MAX_SHARES}, not ${v}`;
  }
  if (e.k > e.n) return `k (${e.k}) cannot be more than N (${e.n}): a file cannot need more shares than are made`;
  if (e.happy < e.k) return `happy (${e.happy}) cannot be less than k (${e.k}): fewer peers than k could not even rebuild the file`;
  if (e.happy > e.n) return `happy (${e.happy}) cannot be more than N (${e.n}): there are only N shares to spread`;
  return undefined;
}

/** Reads the three fields as typed; RangeError with the words of checkEncoding. */
export function parseEncoding(fields: { k: string | number; happy: string | number; n: string | number }): Encoding {
  const num = (v: string | number): number => (typeof v === 'number' ? v : /^\s*\d+\s*$/.test(v) ? Number(v) : Number.NaN);
  const e = { k: num(fields.k), happy: num(fields.happy), n: num(fields.n) };
  const problem = checkEncoding(e);
  if (problem !== undefined) throw new RangeError(problem);
  return e;
}

/** The expansion factor N/k: bytes stored in the grid per byte of file. */
export function expansionFactor(e: Encoding): number {
  return e.n / e.k;
}

/** An encoding in a person's words: what it costs and how many peers may vanish. */
export function explainEncoding(e: Encoding): { expansion: string; vanish: string; happy: string } {
  const factor = expansionFactor(e);
  const shown = Number.isInteger(factor) ? String(factor) : factor.toFixed(2).replace(/0$/, '');
  const lose = e.n - e.k;
  // With happiness h, at least h distinct peers hold shares; losing all but k of them still works
  // when each holds one share, so h − k peers may vanish for certain (more when shares are spread wider).
  const sure = e.happy - e.k;
  return {
    expansion: `Each file takes ${shown}× its size in the grid (${e.n} shares, each 1/${e.k} of the file).`,
    vanish:
      e.k === e.n
        ? 'Every share is needed: if one peer holding a share vanishes, the file is lost.'
        : `Any ${e.k} of the ${e.n} shares bring a file back: up to ${lose} share${lose === 1 ? '' : 's'} may be lost, so at least ${sure} of the peers holding them may vanish${sure < lose ? ` (up to ${lose} when each holds one share)` : ''}.`,
    happy: `An upload succeeds only when at least ${e.happy} different peers take shares.`,
  };
}

/** Bytes of files the grid can take at this encoding, given its free bytes (Tahoe: "92 GB of space → about 28 GB of data"). */
export function storableBytes(freeBytes: number, e: Encoding): number {
  return Math.floor((freeBytes * e.k) / e.n);
}

/** The grid's space as this tab knows it (own node plus what linked peers announced). */
export interface GridSpace {
  readonly capacityBytes: number;
  readonly usedBytes: number;
  readonly freeBytes: number;
  /** Bytes of files that fit in the free space at the current k/N. */
  readonly storableBytes: number;
  /** Linked peers that have not said how much space they have (counted as none). */
  readonly unknownPeers: number;
}

/** The grid's space from this node's snapshot: its own, plus what each linked peer announced. */
export function gridSpace(node: Pick<NodeSnapshot, 'capacityBytes' | 'usedBytes' | 'peers'>, e: Encoding): GridSpace {
  let capacity = node.capacityBytes;
  let used = node.usedBytes;
  let free = Math.max(0, node.capacityBytes - node.usedBytes);
  let unknownPeers = 0;
  for (const p of node.peers ?? []) {
    if (p.state !== 'connected') continue;
    if (p.availableBytes === undefined) {
      unknownPeers += 1;
      continue;
    }
    free += p.availableBytes;
    used += p.usedBytes ?? 0;
    capacity += p.capacityBytes ?? p.availableBytes + (p.usedBytes ?? 0);
  }
  return { capacityBytes: capacity, usedBytes: used, freeBytes: free, storableBytes: storableBytes(free, e), unknownPeers };
}

/** Why a file of `size` bytes does not fit the grid's free space at k/N, or undefined when it may (or when some peer has not said). */
export function tooLargeWords(size: number, space: GridSpace, e: Encoding): string | undefined {
  if (space.unknownPeers > 0 || size <= space.storableBytes) return undefined;
  return `${showSize(size)} is too large for the grid’s free space: at ${e.k}-of-${e.n} it needs about ${showSize(Math.ceil((size * e.n) / e.k))} of shares, and the grid has ${showSize(space.freeBytes)} free (room for about ${showSize(space.storableBytes)} of files)`;
}
