/** The grid proof (src/core/wire/grid-proof.ts) over MemoryLink: right secret, wrong secret, relayed proofs, garbage, timeout. */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';
import { bytesToUtf8, utf8ToBytes } from '../../../src/core/bytes.js';
import { DEFAULT_GRID_SECRET, deriveRoomId, proveGridMembership, sdpFingerprint } from '../../../src/core/wire/grid-proof.js';
import { createRpc } from '../../../src/core/wire/rpc.js';
import { isRoomId } from '../../../src/core/wire/signal.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const SECRET = new Uint8Array(32).fill(7);
const FP_A = utf8ToBytes('sha-256 AA:AA');
const FP_B = utf8ToBytes('sha-256 BB:BB');
let counter = 0;
const random = (n: number): Uint8Array => new Uint8Array(n).fill(++counter);
const signal = (): AbortSignal => new AbortController().signal;

function both(secretA: Uint8Array, secretB: Uint8Array, bindA = { local: FP_A, remote: FP_B }, bindB = { local: FP_B, remote: FP_A }) {
  const clock = new FakeClock();
  const [a, b] = createMemoryLinkPair();
  const pa = proveGridMembership(a, bindA, secretA, { random, clock }, { signal: signal() }).then(() => 'ok', (e: Error) => e.name);
  const pb = proveGridMembership(b, bindB, secretB, { random, clock }, { signal: signal() }).then(() => 'ok', (e: Error) => e.name);
  return { clock, a, b, pa, pb };
}

describe('grid membership proof', () => {
  it('two peers with the same secret prove it, and rpc runs on the link right after', async () => {
    const { a, b, pa, pb, clock } = both(SECRET, SECRET);
    expect([await pa, await pb]).toEqual(['ok', 'ok']);
    const ra = createRpc({ link: a, clock });
    const rb = createRpc({ link: b, clock });
    rb.handle('hi', async (p) => p);
    expect(await ra.request('hi', new Uint8Array([4]), { signal: signal() })).toEqual(new Uint8Array([4]));
  });

  it('a peer with another secret is refused on both sides and the link closes', async () => {
    const { a, b, pa, pb } = both(SECRET, new Uint8Array(32).fill(8));
    expect([await pa, await pb]).toEqual(['GridProofError', 'GridProofError']);
    expect(a.closed && b.closed).toBe(true);
  });

  it('a proof made for other fingerprints (a man in the middle) does not verify', async () => {
    const mitm = utf8ToBytes('sha-256 CC:CC');
    const { pa, pb } = both(SECRET, SECRET, { local: FP_A, remote: mitm }, { local: FP_B, remote: mitm });
    expect([await pa, await pb]).toEqual(['GridProofError', 'GridProofError']);
  });

  it('garbage instead of a proof is refused', async () => {
    const clock = new FakeClock();
    const [a, b] = createMemoryLinkPair();
    const p = proveGridMembership(a, { local: FP_A, remote: FP_B }, SECRET, { random, clock }, { signal: signal() });
    await b.send(new Uint8Array([1, 1, 0, 0, 0, 1]), { signal: signal() });
    await expect(p).rejects.toThrow('something other than a grid proof');
    expect(a.closed).toBe(true);
  });

  it('a silent peer times out; an abort stops the proof', async () => {
    const clock = new FakeClock();
    const [a] = createMemoryLinkPair();
    const p = proveGridMembership(a, { local: FP_A, remote: FP_B }, SECRET, { random, clock }, { signal: signal(), timeoutMs: 1000 }).catch((e: Error) => e.message);
    await clock.advance(1000);
    expect(await p).toContain('within 1000 ms');
    const [c] = createMemoryLinkPair();
    const ac = new AbortController();
    const q = proveGridMembership(c, { local: FP_A, remote: FP_B }, SECRET, { random, clock }, { signal: ac.signal });
    ac.abort(new Error('leaving'));
    await expect(q).rejects.toThrow('leaving');
    expect(c.closed).toBe(true);
  });

  it('room ids: 52 base32 characters, stable, different per secret; short secrets refused', () => {
    const room = deriveRoomId(DEFAULT_GRID_SECRET);
    expect(isRoomId(room)).toBe(true);
    expect(deriveRoomId(DEFAULT_GRID_SECRET)).toBe(room);
    expect(deriveRoomId(SECRET)).not.toBe(room);
    // Known answer, computed independently with Python's hashlib: base32(SHA256d(netstring(tag) ‖ secret)).
    expect(room).toBe('x7g54raga5obp7aklyqr5onzmy2vllr2ryj47bn6uhrbkz72apoa');
    expect(() => deriveRoomId(new Uint8Array(15))).toThrow(RangeError);
  });

  it('reads and normalizes the DTLS fingerprint from an SDP', () => {
    const sdp = 'v=0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\na=fingerprint:SHA-256 ab:cd:EF\r\na=setup:actpass\r\n';
    expect(bytesToUtf8(sdpFingerprint(sdp))).toBe('sha-256 AB:CD:EF');
    expect(() => sdpFingerprint('v=0\r\n')).toThrow('no DTLS fingerprint');
  });
});
