/**
 * A node's signaling peer id: the first 16 of its node id's 20 random bytes, in base32. Stable
 * for the node (a reloaded tab keeps its place on every file's permuted ring and its lease
 * secrets), unique in practice (random bytes), and in the 26-character form signaling requires.
 * @module
 */
import { base32Decode, base32Encode } from '../core/bytes.js';
import { PEER_ID_BYTES } from '../core/wire/signal.js';

export function peerIdOf(nodeId: string): string {
  const bytes = base32Decode(nodeId);
  if (bytes.length < PEER_ID_BYTES) throw new RangeError(`"nodeId" must hold at least ${PEER_ID_BYTES} bytes, got ${bytes.length}`);
  return base32Encode(bytes.subarray(0, PEER_ID_BYTES));
}
