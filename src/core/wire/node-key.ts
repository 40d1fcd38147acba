/**
 * A node's signing key and the signaling peer id bound to it: the ed25519 key (RFC 8032) comes from
 * the node identity's seed by a tagged hash, and the peer id is a truncated tagged hash of the
 * public key, so whoever shows a key for a peer id can be checked, and a relay cannot swap in its own
 * key without changing the id (src/core/wire/signed-sdp.ts signs offers and answers with it).
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { assertBytes, base32Encode } from '../bytes.js';
import { taggedHash } from '../hash/tagged.js';
import { TAG_NODE_SIGNING_KEY, TAG_PEER_ID } from '../hash/tags.js';
import { PEER_ID_BYTES } from './signal.js';

/** Bytes of the node identity's seed (src/adapters/idb/node-identity.ts). */
export const NODE_SEED_BYTES = 32;
/** Bytes of an ed25519 public key. */
export const NODE_PUBLIC_KEY_BYTES = 32;

export interface NodeKey {
  /** The ed25519 secret key (RFC 8032 §5.1.5 seed): keep it in this tab. */
  readonly secretKey: Uint8Array;
  readonly publicKey: Uint8Array;
  /** peerIdOfKey(publicKey): the id to join signaling rooms with. */
  readonly peerId: string;
}

/** The peer id a public key stands for: base32 of taggedHash(TAG_PEER_ID, key) cut to 16 bytes (26 characters). */
export function peerIdOfKey(publicKey: Uint8Array): string {
  assertBytes(publicKey, 'publicKey', NODE_PUBLIC_KEY_BYTES);
  return base32Encode(taggedHash(TAG_PEER_ID, publicKey, PEER_ID_BYTES));
}

/** The node's signing key: secret = taggedHash(TAG_NODE_SIGNING_KEY, seed); stable for the node, as its seed is. */
export function deriveNodeKey(seed: Uint8Array): NodeKey {
  assertBytes(seed, 'seed', NODE_SEED_BYTES);
  const secretKey = taggedHash(TAG_NODE_SIGNING_KEY, seed);
  const publicKey = ed25519.getPublicKey(secretKey);
  return { secretKey, publicKey, peerId: peerIdOfKey(publicKey) };
}
