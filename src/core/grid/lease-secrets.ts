/**
 * Lease secrets, derived as Tahoe's util/hashutil.py derives them: a per-person lease secret →
 * client renew/cancel secrets → per file (storage index) → per bucket (server's node id). Each
 * server sees only its own bucket secrets, so no server can renew or cancel leases elsewhere.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { taggedHash, taggedPairHash } from '../hash/tagged.js';
import {
  TAG_BUCKET_CANCEL_SECRET,
  TAG_BUCKET_RENEW_SECRET,
  TAG_FILE_CANCEL_SECRET,
  TAG_FILE_RENEW_SECRET,
  TAG_LEASE_CANCEL_SECRET,
  TAG_LEASE_RENEW_SECRET,
} from '../hash/tags.js';

export interface LeaseSecrets {
  readonly renewSecret: Uint8Array;
  readonly cancelSecret: Uint8Array;
}

/**
 * The secrets to give one server for one file. Tahoe hashes its client secrets as
 * tagged_hash(secret, TAG) (secret in the tag's place); bric puts the tag first, as everywhere.
 * @param leaseSecret the person's lease secret (kept on their device, never sent)
 * @param storageIndex the file's storage index (16 bytes)
 * @param nodeId the server's node id, as bytes (see nodeIdBytes)
 */
export function deriveLeaseSecrets(leaseSecret: Uint8Array, storageIndex: Uint8Array, nodeId: Uint8Array): LeaseSecrets {
  assertBytes(leaseSecret, 'leaseSecret');
  assertBytes(storageIndex, 'storageIndex');
  assertBytes(nodeId, 'nodeId');
  if (leaseSecret.length < 16) throw new RangeError(`"leaseSecret" must be at least 16 bytes, got ${leaseSecret.length}`);
  if (nodeId.length === 0) throw new RangeError('"nodeId" must not be empty');
  const clientRenew = taggedHash(TAG_LEASE_RENEW_SECRET, leaseSecret);
  const clientCancel = taggedHash(TAG_LEASE_CANCEL_SECRET, leaseSecret);
  const fileRenew = taggedPairHash(TAG_FILE_RENEW_SECRET, clientRenew, storageIndex);
  const fileCancel = taggedPairHash(TAG_FILE_CANCEL_SECRET, clientCancel, storageIndex);
  return {
    renewSecret: taggedPairHash(TAG_BUCKET_RENEW_SECRET, fileRenew, nodeId),
    cancelSecret: taggedPairHash(TAG_BUCKET_CANCEL_SECRET, fileCancel, nodeId),
  };
}
