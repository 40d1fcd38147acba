/**
 * The person's settings in IndexedDB's `settings` store: the convergence and lease secrets (one
 * per browser profile, made once, never sent anywhere) and each node's capacity. Get-or-create
 * runs in one readwrite transaction, so tabs starting together agree on one secret.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import type { GridDB } from '../adapters/idb/schema.js';
import { assertCapacity } from '../core/storage/capacity.js';

const CONVERGENCE_SECRET = 'convergence-secret';
const LEASE_SECRET = 'lease-secret';
const SECRET_BYTES = 32;
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
