/**
 * Leases (Tahoe's storage/lease.py and expirer.py): a share is kept while any of its leases runs;
 * a client renews its own lease by presenting the renew secret it was created with.
 * @module
 */
import { bytesToHex, equalBytes, exactCopy } from '../bytes.js';
import { TooManyLeasesError } from './errors.js';
import type { KeyedMutex } from './_mutex.js';
import { MAX_LEASES_PER_SHARE } from '../limits.js';
import type { Lease, ShareInfo, ShareStore, StoreOpts } from './share-store.js';

/**
 * The leases after renewing the one with `renewSecret` (its expiry only ever moves later) or,
 * when none has it, adding a new one.
 * @throws TooManyLeasesError when a new lease would pass `maxLeases`.
 */
export function renewOrAddLease(
  leases: readonly Lease[],
  renewSecret: Uint8Array,
  cancelSecret: Uint8Array,
  expiresAt: number,
  maxLeases: number,
): Lease[] {
  const out = leases.map((l) => ({ ...l }));
  const mine = out.find((l) => equalBytes(l.renewSecret, renewSecret));
  if (mine !== undefined) {
    mine.expiresAt = Math.max(mine.expiresAt, expiresAt);
    return out;
  }
  if (out.length >= maxLeases) {
    throw new TooManyLeasesError(`this share already has ${out.length} leases, the most a node keeps`);
  }
  out.push({ renewSecret: exactCopy(renewSecret), cancelSecret: exactCopy(cancelSecret), expiresAt });
  return out;
}

/** A share whose every lease has run out (or that has none) may be collected. */
export function leasesExpired(leases: readonly Lease[], now: number): boolean {
  return leases.every((l) => l.expiresAt <= now);
}

/**
 * Renews or adds `lease` on each closed share given. With `skipFull`, a share that has no room
 * for another lease is left as it is (it stays held by its other leases); else that throws.
 */
export async function renewLeases(
  store: ShareStore,
  shares: readonly ShareInfo[],
  lease: Lease,
  skipFull: boolean,
  opts: StoreOpts,
): Promise<void> {
  for (const share of shares) {
    if (share.state !== 'closed') continue;
    let leases;
    try {
      leases = renewOrAddLease(share.leases, lease.renewSecret, lease.cancelSecret, lease.expiresAt, MAX_LEASES_PER_SHARE);
    } catch (err) {
      if (skipFull && err instanceof TooManyLeasesError) continue;
      throw err;
    }
    await store.setLeases(share.storageIndex, share.shareNum, leases, opts);
  }
}

/**
 * One pass of Tahoe's lease expirer: deletes closed shares whose leases have all run out by
 * `now`, each under its storage index's lock (`lock`, shared with the server) after looking again.
 * Pending shares are never collected: their uploader is still writing.
 * @returns how many shares went and the bytes they freed.
 */
export async function collectExpiredShares(
  store: ShareStore,
  lock: KeyedMutex,
  now: number,
  opts: StoreOpts,
): Promise<{ shares: number; bytes: number }> {
  let shares = 0;
  let bytes = 0;
  for (const candidate of await store.listAll(opts)) {
    if (candidate.state !== 'closed' || !leasesExpired(candidate.leases, now)) continue;
    const { storageIndex, shareNum } = candidate;
    await lock.run(bytesToHex(storageIndex), async () => {
      // A lease may have been renewed since the listing.
      const share = await store.get(storageIndex, shareNum, opts);
      if (share?.state !== 'closed' || !leasesExpired(share.leases, now)) return;
      await store.delete(storageIndex, shareNum, opts);
      shares++;
      bytes += share.size;
    });
  }
  return { shares, bytes };
}
