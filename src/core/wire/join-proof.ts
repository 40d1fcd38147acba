/**
 * A signed join, against peer-id squatting: a room member's peer id names its node key
 * (./node-key.ts), so a join can prove it owns the id by signing the server's per-socket nonce
 * (from `hello`), the room and the id. The signaling server lets a proven join take the id from a
 * socket that holds it without proof (a squatter), and never lets an unproven one take it from a
 * proven holder. Joins without proof stay valid (a tab without a node key), only weaker.
 *
 * Signed message = netstring(TAG_SIGNAL_JOIN) ‖ netstring(nonce) ‖ netstring(room) ‖ netstring(peer);
 * ed25519 (RFC 8032). On the wire: `key` (52) and `sig` (103) base32 characters beside `peer`.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { base32Decode, base32Encode, concatBytes, utf8ToBytes } from '../bytes.js';
import { netstring } from '../hash/tagged.js';
import { TAG_SIGNAL_JOIN } from '../hash/tags.js';
import { type NodeKey, NODE_PUBLIC_KEY_BYTES, peerIdOfKey } from './node-key.js';
import { SDP_SIGNATURE_BYTES } from './signed-sdp.js';

/** Bytes of the server's nonce in `hello` (base32: 26 characters). */
export const JOIN_NONCE_BYTES = 16;

export interface JoinProof {
  /** The node's ed25519 public key, base32 (52 characters). */
  key: string;
  /** The signature, base32 (103 characters). */
  sig: string;
}

function signedMessage(nonce: string, room: string, peer: string): Uint8Array {
  return concatBytes(...[TAG_SIGNAL_JOIN, nonce, room, peer].map((s) => netstring(utf8ToBytes(s))));
}

/** Proves that this node owns its peer id, for one join of one socket (the nonce is the server's). */
export function proveJoin(nodeKey: NodeKey, nonce: string, room: string): JoinProof {
  const sig = ed25519.sign(signedMessage(nonce, room, nodeKey.peerId), nodeKey.secretKey);
  return { key: base32Encode(nodeKey.publicKey), sig: base32Encode(sig) };
}

/** True when `proof` shows that whoever sent it owns `peer`, for this socket's nonce and this room. */
export function checkJoin(nonce: string, room: string, peer: string, proof: JoinProof): boolean {
  try {
    const key = base32Decode(proof.key);
    const sig = base32Decode(proof.sig);
    if (key.length !== NODE_PUBLIC_KEY_BYTES || sig.length !== SDP_SIGNATURE_BYTES) return false;
    return peerIdOfKey(key) === peer && ed25519.verify(sig, signedMessage(nonce, room, peer), key);
  } catch {
    return false; // not base32, or a key that is not a curve point
  }
}
