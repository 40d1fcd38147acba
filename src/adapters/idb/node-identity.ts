/**
 * The storage node identity of a tab: a random node id and keypair seed, kept in IndexedDB and
 * claimed with a Web Lock (`bric-node-<id>`), so several tabs of one browser are distinct nodes
 * while a reloaded tab gets back its own identity (and so its shares, which are keyed by node id).
 * A tab remembers its identity in sessionStorage, which survives a reload but not a new tab.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import { base32Encode } from '../../core/bytes.js';
import { NodeIdentityError } from './errors.js';
import { checkRecord, type GridDB, type NodeIdentityRecord } from './schema.js';

export interface NodeIdentity {
  /** 32 base32 characters (20 random bytes). */
  nodeId: string;
  /** Seed of the node's keypair: 32 random bytes. */
  seed: Uint8Array;
  createdAt: number;
}

export interface ClaimedIdentity {
  identity: NodeIdentity;
  /** True when no identity was free and this one was made now. */
  created: boolean;
  /** Lets another tab take the identity (the lock also goes when the tab closes). */
  release(): void;
}

export interface NodeIdentityComponents {
  db: IDBPDatabase<GridDB>;
  /** @default navigator.locks */
  locks?: LockManager;
  /** Where this tab remembers its identity across reloads; null for none. @default sessionStorage */
  session?: Pick<Storage, 'getItem' | 'setItem'> | null;
  /** @default crypto.getRandomValues */
  randomBytes?: (n: number) => Uint8Array;
  /** Milliseconds since the Unix epoch. @default Date.now */
  now?: () => number;
}

export interface ClaimOptions {
  signal: AbortSignal;
  /**
   * How long to wait for the identity this tab had before a reload: the old page lets go of its
   * lock a little after it unloads (NOTES.md: within ~30 ms). @default 3000
   */
  waitForPreviousMs?: number;
}

export const NODE_LOCK_PREFIX = 'bric-node-';
const SESSION_KEY = 'bric-node-id';
const NODE_ID_BYTES = 20;
const SEED_BYTES = 32;

/** Claims this tab's node identity: its previous one, else the first free one, else a new one. */
export async function claimNodeIdentity(components: NodeIdentityComponents, opts: ClaimOptions): Promise<ClaimedIdentity> {
  const { db } = components;
  const locks = components.locks ?? globalThis.navigator?.locks;
  if (locks === undefined) throw new NodeIdentityError('this browser has no Web Locks, so tabs cannot tell their storage nodes apart');
  const session = components.session !== undefined ? components.session : sessionStorageOrNull();
  const randomBytes = components.randomBytes ?? ((n: number) => crypto.getRandomValues(new Uint8Array(n)));
  const now = components.now ?? Date.now;
  opts.signal.throwIfAborted();

  const known = (await db.getAll('identities')).map((r) => checkRecord(r, 'node identity'));
  known.sort((a, b) => a.createdAt - b.createdAt || (a.nodeId < b.nodeId ? -1 : 1));
  const claimed = (record: NodeIdentityRecord, release: () => void, created: boolean): ClaimedIdentity => {
    session?.setItem(SESSION_KEY, record.nodeId);
    return { identity: { nodeId: record.nodeId, seed: record.seed.slice(), createdAt: record.createdAt }, created, release };
  };

  const previousId = session?.getItem(SESSION_KEY) ?? null;
  const previous = known.find((r) => r.nodeId === previousId);
  if (previous !== undefined) {
    const wait = AbortSignal.any([opts.signal, AbortSignal.timeout(opts.waitForPreviousMs ?? 3000)]);
    const release = await takeLock(locks, previous.nodeId, { signal: wait });
    if (release !== null) return claimed(previous, release, false);
    opts.signal.throwIfAborted(); // our caller gave up, rather than the wait running out
  }
  for (const record of known) {
    if (record === previous) continue;
    const release = await takeLock(locks, record.nodeId, { ifAvailable: true });
    if (release !== null) return claimed(record, release, false);
  }

  const record: NodeIdentityRecord = {
    v: 1,
    nodeId: base32Encode(randomBytes(NODE_ID_BYTES)),
    seed: randomBytes(SEED_BYTES),
    createdAt: now(),
  };
  // Lock before storing it, so no other tab can take it between the two.
  const release = await takeLock(locks, record.nodeId, { ifAvailable: true });
  if (release === null) throw new NodeIdentityError('a brand-new node identity was already locked: the random source is broken');
  try {
    await db.put('identities', record, record.nodeId);
  } catch (err) {
    release();
    throw err;
  }
  return claimed(record, release, true);
}

/**
 * Requests the identity's lock and holds it until the returned function is called; null when not
 * granted (held elsewhere with ifAvailable, or the signal aborted first).
 */
function takeLock(locks: LockManager, nodeId: string, options: { ifAvailable: true } | { signal: AbortSignal }): Promise<(() => void) | null> {
  return new Promise((resolve, reject) => {
    let letGo!: () => void;
    const held = new Promise<void>((r) => (letGo = r));
    locks
      .request(NODE_LOCK_PREFIX + nodeId, { mode: 'exclusive', ...options }, (lock) => {
        if (lock === null) return resolve(null);
        resolve(letGo);
        return held;
      })
      .catch((err: unknown) => {
        if ((err as { name?: string }).name === 'AbortError' || (err as { name?: string }).name === 'TimeoutError') resolve(null);
        else reject(err);
      });
  });
}

function sessionStorageOrNull(): Storage | null {
  try {
    return globalThis.sessionStorage ?? null;
  } catch {
    return null; // storage disabled for this site
  }
}
