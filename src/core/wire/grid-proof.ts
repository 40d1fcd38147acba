/**
 * Grid membership (ARCHITECTURE.md §5): the grid secret, the public room id derived from it, and
 * the proof two peers exchange over a fresh link before anything else: each shows an HMAC, keyed
 * from the secret, over both DTLS fingerprints (from the SDP) and both fresh nonces, so a proof
 * is bound to this very connection and cannot be replayed or relayed by a man in the middle.
 *
 * Proof frames (before rpc; rpc frames begin with 0x01):
 *   offset size field
 *   0      1    0x70 ('p')
 *   1      1    step: 1 NONCE, 2 PROOF
 *   2      32   NONCE: 32 fresh random bytes; PROOF: HMAC-SHA256(key, transcript)
 * key = taggedHash(TAG_GRID_PROOF, gridSecret); transcript = netstrings of "bric-proof-v1",
 * the prover's fingerprint, the verifier's fingerprint, the prover's nonce, the verifier's nonce.
 * @module
 */
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { base32Encode, concatBytes, equalBytes, utf8ToBytes } from '../bytes.js';
import { netstring, taggedHash } from '../hash/tagged.js';
import { TAG_GRID_PROOF, TAG_GRID_ROOM_ID } from '../hash/tags.js';
import { GRID_PROOF_TIMEOUT_MS } from '../limits.js';
import { GridProofError } from './errors.js';
import type { PeerLink } from './link.js';
import { ROOM_ID_BYTES } from './signal.js';

/**
 * The default grid's secret, built into the app: a tab opened without an invite joins the default
 * grid of the server it was loaded from. It is public on purpose (anyone with the app can join);
 * a private grid comes from an invite carrying a random secret.
 */
export const DEFAULT_GRID_SECRET: Uint8Array = utf8ToBytes('bric default grid v1: public, anyone running this app may join');

/** A grid secret is at least 16 bytes (a random one is 32); the default one is longer text. */
export const MIN_GRID_SECRET_BYTES = 16;

const MAGIC = 0x70;
const STEP_NONCE = 1;
const STEP_PROOF = 2;
const PROOF_FRAME_BYTES = 34;
const TRANSCRIPT_LABEL = utf8ToBytes('bric-proof-v1');

function assertSecret(gridSecret: Uint8Array): void {
  if (!(gridSecret instanceof Uint8Array)) throw new TypeError('"gridSecret" expected a Uint8Array');
  if (gridSecret.length < MIN_GRID_SECRET_BYTES) throw new RangeError(`"gridSecret" must be at least ${MIN_GRID_SECRET_BYTES} bytes, got ${gridSecret.length}`);
}

/** The room id the signaling server sees for a grid: it names the room and reveals nothing of the secret. */
export function deriveRoomId(gridSecret: Uint8Array): string {
  assertSecret(gridSecret);
  return base32Encode(taggedHash(TAG_GRID_ROOM_ID, gridSecret, ROOM_ID_BYTES));
}

/**
 * The DTLS certificate fingerprint(s) an SDP declares, normalized ("sha-256 AB:CD:…", one per line,
 * sorted, deduplicated): what the connection's encryption is bound to.
 */
export function sdpFingerprint(sdp: string): Uint8Array {
  const found = new Set<string>();
  for (const m of sdp.matchAll(/^a=fingerprint:(\S+) ([0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2})+)\s*$/gm)) {
    found.add(`${m[1]!.toLowerCase()} ${m[2]!.toUpperCase()}`);
  }
  if (found.size === 0) throw new GridProofError('the connection description has no DTLS fingerprint to bind the grid proof to');
  return utf8ToBytes([...found].sort().join('\n'));
}

export interface ProofBinding {
  /** This side's DTLS fingerprint (sdpFingerprint of the local description). */
  local: Uint8Array;
  /** The other side's DTLS fingerprint (sdpFingerprint of the remote description). */
  remote: Uint8Array;
}

export interface GridProofComponents {
  random(length: number): Uint8Array;
  clock: { sleep(ms: number, opts: { signal: AbortSignal }): Promise<void> };
}

function proofMac(key: Uint8Array, prover: Uint8Array, verifier: Uint8Array, proverNonce: Uint8Array, verifierNonce: Uint8Array): Uint8Array {
  const transcript = concatBytes(netstring(TRANSCRIPT_LABEL), netstring(prover), netstring(verifier), netstring(proverNonce), netstring(verifierNonce));
  return hmac(sha256, key, transcript);
}

function proofFrame(step: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(PROOF_FRAME_BYTES);
  out[0] = MAGIC;
  out[1] = step;
  out.set(body, 2);
  return out;
}

/**
 * Runs the grid proof on a fresh link: resolves once the peer proved it knows `gridSecret` for this
 * connection and our proof is on its way. On a wrong or malformed proof, a timeout or an abort the
 * link is closed and this rejects (GridProofError, or the signal's reason).
 */
export async function proveGridMembership(
  link: PeerLink,
  binding: ProofBinding,
  gridSecret: Uint8Array,
  components: GridProofComponents,
  opts: { signal: AbortSignal; timeoutMs?: number },
): Promise<void> {
  assertSecret(gridSecret);
  const key = taggedHash(TAG_GRID_PROOF, gridSecret);
  const ourNonce = components.random(32);
  if (!(ourNonce instanceof Uint8Array) || ourNonce.length !== 32) throw new TypeError('"random" must return the bytes asked for');
  const stop = new AbortController();
  const timeoutMs = opts.timeoutMs ?? GRID_PROOF_TIMEOUT_MS;
  let off = (): void => {};
  let offClose = (): void => {};
  try {
    await new Promise<void>((resolve, reject) => {
      let theirNonce: Uint8Array | null = null;
      let ourProofSent: Promise<void> | null = null;
      const fail = (err: unknown): void => {
        stop.abort();
        reject(err);
      };
      const onAbort = (): void => fail(opts.signal.reason);
      if (opts.signal.aborted) return onAbort();
      opts.signal.addEventListener('abort', onAbort, { once: true });
      stop.signal.addEventListener('abort', () => opts.signal.removeEventListener('abort', onAbort), { once: true });
      components.clock.sleep(timeoutMs, { signal: stop.signal }).then(
        () => fail(new GridProofError(`the peer did not prove it belongs to the grid within ${timeoutMs} ms`)),
        () => undefined,
      );
      offClose = link.onClose((reason) => fail(new GridProofError(`the link closed during the grid proof (${reason})`)));
      off = link.onMessage((frame) => {
        if (stop.signal.aborted) return;
        if (frame.length !== PROOF_FRAME_BYTES || frame[0] !== MAGIC) return fail(new GridProofError('the peer sent something other than a grid proof'));
        const body = frame.slice(2);
        if (frame[1] === STEP_NONCE && theirNonce === null) {
          theirNonce = body;
          const ours = proofMac(key, binding.local, binding.remote, ourNonce, theirNonce);
          ourProofSent = link.send(proofFrame(STEP_PROOF, ours), { signal: stop.signal });
          ourProofSent.catch(fail);
          return;
        }
        if (frame[1] === STEP_PROOF && theirNonce !== null && ourProofSent !== null) {
          off(); // frames after the proof are held for whoever receives next (rpc)
          const expected = proofMac(key, binding.remote, binding.local, theirNonce, ourNonce);
          if (!equalBytes(body, expected)) return fail(new GridProofError('the peer does not know the grid secret (its proof did not verify)'));
          ourProofSent.then(() => {
            stop.abort();
            resolve();
          }, fail);
          return;
        }
        fail(new GridProofError('the peer sent the grid proof out of order'));
      });
      link.send(proofFrame(STEP_NONCE, ourNonce), { signal: stop.signal }).catch(fail);
    });
  } catch (err) {
    off();
    link.close(err instanceof Error ? `grid proof failed: ${err.message}` : 'grid proof failed');
    throw err;
  } finally {
    offClose();
    key.fill(0);
  }
}
