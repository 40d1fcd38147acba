/**
 * Signed offers and answers, against a man-in-the-middle on the signaling path: a peer signs every
 * SDP it sends (and with it the DTLS fingerprint the connection's encryption is bound to) with its
 * node key (./node-key.ts), over the room, both peer ids, the session id and the SDP type; the other
 * peer checks the key hashes to the sender's peer id and the signature verifies before it answers.
 * A relay that rewrites the fingerprint, swaps keys, replays to another peer or strips the
 * signature is refused with an SdpSignatureError.
 *
 * Signed message = netstring(TAG_SDP_SIGNATURE) ‖ netstring(room) ‖ netstring(from) ‖ netstring(to)
 * ‖ netstring(sid) ‖ netstring(type) ‖ netstring(UTF-8 of the SDP); ed25519 (RFC 8032).
 * On the wire (src/core/wire/signal.ts): `key` (52) and `sig` (103) base32 characters beside `sdp`.
 * @module
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { base32Decode, base32Encode, concatBytes, utf8ToBytes } from '../bytes.js';
import { netstring } from '../hash/tagged.js';
import { TAG_SDP_SIGNATURE } from '../hash/tags.js';
import { SdpSignatureError } from './errors.js';
import { sdpFingerprint } from './grid-proof.js';
import { type NodeKey, NODE_PUBLIC_KEY_BYTES, peerIdOfKey } from './node-key.js';

/** Bytes of an ed25519 signature. */
export const SDP_SIGNATURE_BYTES = 64;

/** What a signature covers besides the SDP: where it was sent, by whom, to whom, in which attempt. */
export interface SdpContext {
  room: string;
  from: string;
  to: string;
  sid: string;
  type: 'offer' | 'answer';
  sdp: string;
}

/** The signature fields carried beside `sdp` in an offer or answer. */
export interface SdpAuth {
  /** The signer's ed25519 public key, base32 (52 characters). */
  key: string;
  /** The signature, base32 (103 characters). */
  sig: string;
}

function signedMessage(c: SdpContext): Uint8Array {
  const parts = [TAG_SDP_SIGNATURE, c.room, c.from, c.to, c.sid, c.type, c.sdp].map((s) => netstring(utf8ToBytes(s)));
  return concatBytes(...parts);
}

/** Signs an offer or answer this node sends (`context.from` must be the key's peer id). */
export function signSdp(nodeKey: NodeKey, context: SdpContext): SdpAuth {
  if (context.from !== nodeKey.peerId) throw new RangeError('"context.from" must be the peer id of "nodeKey"');
  const sig = ed25519.sign(signedMessage(context), nodeKey.secretKey);
  return { key: base32Encode(nodeKey.publicKey), sig: base32Encode(sig) };
}

/**
 * Checks an offer or answer received from `context.from` before it is used: signed, by the key that
 * peer id names, over exactly this context and SDP, which declares a DTLS fingerprint. Throws
 * SdpSignatureError in words that say what is wrong.
 */
export function verifySdp(context: SdpContext, auth: Partial<SdpAuth> | undefined): void {
  const what = `the ${context.type} from peer ${context.from.slice(0, 8)}…`;
  if (auth?.key === undefined || auth.sig === undefined) {
    throw new SdpSignatureError(`${what} is not signed, so it could come from anyone on the signaling path: refused`);
  }
  let key: Uint8Array;
  let sig: Uint8Array;
  try {
    key = base32Decode(auth.key);
    sig = base32Decode(auth.sig);
  } catch {
    throw new SdpSignatureError(`${what} carries a key or signature that is not base32: refused`);
  }
  if (key.length !== NODE_PUBLIC_KEY_BYTES || sig.length !== SDP_SIGNATURE_BYTES) {
    throw new SdpSignatureError(`${what} carries a key or signature of the wrong length: refused`);
  }
  if (peerIdOfKey(key) !== context.from) {
    throw new SdpSignatureError(`${what} is signed with a key that is not that peer's (a relay may have put in its own): refused`);
  }
  let valid = false;
  try {
    valid = ed25519.verify(sig, signedMessage(context), key);
  } catch {
    valid = false; // a key that is not a curve point: as bad as a wrong signature
  }
  if (!valid) {
    throw new SdpSignatureError(`${what} does not match its signature: its SDP or DTLS fingerprint was changed on the way (a man in the middle?): refused`);
  }
  try {
    sdpFingerprint(context.sdp);
  } catch {
    throw new SdpSignatureError(`${what} declares no DTLS fingerprint, so its encryption could not be bound to it: refused`);
  }
}
