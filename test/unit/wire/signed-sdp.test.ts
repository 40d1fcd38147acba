/**
 * Node keys, key-bound peer ids and signed offers/answers (src/core/wire/node-key.ts,
 * signed-sdp.ts): known answers, the round trip through the signaling schema, and every way a relay
 * could tamper (fingerprint rewritten, keys swapped, replayed to another peer or session, stripped).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import { base32Encode, bytesToHex } from '../../../src/core/bytes.js';
import { SdpSignatureError, SignalMessageError } from '../../../src/core/wire/errors.js';
import { deriveNodeKey, peerIdOfKey } from '../../../src/core/wire/node-key.js';
import { parseClientMessage, parseServerMessage } from '../../../src/core/wire/signal.js';
import { type SdpContext, signSdp, verifySdp } from '../../../src/core/wire/signed-sdp.js';

const seed = (n: number): Uint8Array => Uint8Array.from({ length: 32 }, (_, i) => (i + n) & 0xff);
const alice = deriveNodeKey(seed(0));
const bob = deriveNodeKey(seed(1));
const mallory = deriveNodeKey(seed(2));
const ROOM = 'a'.repeat(52);
const FP = 'a=fingerprint:sha-256 AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const SDP = `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\nm=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\n${FP}\r\na=setup:actpass\r\n`;
const offer = (over: Partial<SdpContext> = {}): SdpContext => ({ room: ROOM, from: alice.peerId, to: bob.peerId, sid: 'abcdefgh', type: 'offer', sdp: SDP, ...over });

describe('node key and peer id', () => {
  it('derives the same key and peer id from the same seed (known answer), different ones from others', () => {
    // Known answer (below): changing a tag or the derivation would change every peer id.
    expect(bytesToHex(alice.publicKey)).toBe(KAT_PUBLIC_KEY);
    expect(alice.peerId).toBe(KAT_PEER_ID);
    expect(deriveNodeKey(seed(0)).peerId).toBe(alice.peerId);
    expect(alice.peerId).toMatch(/^[a-z2-7]{26}$/);
    expect(bob.peerId).not.toBe(alice.peerId);
    expect(peerIdOfKey(alice.publicKey)).toBe(alice.peerId);
    expect(ed25519.getPublicKey(alice.secretKey)).toEqual(alice.publicKey);
  });

  it('accepts a seed that is a subarray with an offset, and refuses wrong types and lengths', () => {
    const big = new Uint8Array(40);
    big.set(seed(0), 5);
    expect(deriveNodeKey(big.subarray(5, 37)).peerId).toBe(alice.peerId);
    expect(() => deriveNodeKey(new Uint8Array(31))).toThrow(RangeError);
    expect(() => deriveNodeKey('seed' as unknown as Uint8Array)).toThrow(TypeError);
    expect(() => peerIdOfKey(new Uint8Array(33))).toThrow(RangeError);
  });
});

describe('signed SDP', () => {
  it('verifies an honest offer and answer, also after the trip through the signaling schema both ways', () => {
    const auth = signSdp(alice, offer());
    expect(auth.key).toMatch(/^[a-z2-7]{52}$/);
    expect(auth.sig).toMatch(/^[a-z2-7]{103}$/);
    const data = { sid: 'abcdefgh', type: 'offer' as const, sdp: SDP, ...auth };
    const sent = parseClientMessage(JSON.stringify({ type: 'signal', room: ROOM, to: bob.peerId, data }));
    expect(sent).toEqual({ type: 'signal', room: ROOM, to: bob.peerId, data });
    const relayed = parseServerMessage(JSON.stringify({ type: 'signal', room: ROOM, from: alice.peerId, data }));
    if (relayed.type !== 'signal') throw new Error('not a signal');
    const got = relayed.data;
    if (got.type !== 'offer') throw new Error('not an offer');
    expect(() => verifySdp({ ...offer(), sdp: got.sdp }, got)).not.toThrow();
    const answer = offer({ from: bob.peerId, to: alice.peerId, type: 'answer' });
    expect(() => verifySdp(answer, signSdp(bob, answer))).not.toThrow();
  });

  it('refuses to sign for another peer id', () => {
    expect(() => signSdp(alice, offer({ from: bob.peerId }))).toThrow(RangeError);
  });

  const refusals: Array<[string, () => void, RegExp]> = [
    ['an unsigned offer (signature stripped)', () => verifySdp(offer(), undefined), /is not signed/],
    ['a key without a signature', () => verifySdp(offer(), { key: signSdp(alice, offer()).key }), /is not signed/],
    ['a rewritten DTLS fingerprint', () => verifySdp(offer({ sdp: SDP.replace('AB:CD:EF:01', 'AB:CD:EF:02') }), signSdp(alice, offer())), /DTLS fingerprint was changed/],
    ['a relay that re-signs with its own key', () => {
      const forged = signSdp(mallory, offer({ from: mallory.peerId }));
      verifySdp(offer(), forged);
    }, /not that peer's/],
    ['the sender\'s key with the relay\'s signature', () => {
      const forged = signSdp(mallory, offer({ from: mallory.peerId }));
      verifySdp(offer(), { key: base32Encode(alice.publicKey), sig: forged.sig });
    }, /does not match its signature/],
    ['an offer replayed to another peer', () => verifySdp(offer({ to: mallory.peerId }), signSdp(alice, offer())), /does not match/],
    ['an offer replayed into another session', () => verifySdp(offer({ sid: 'hgfedcba' }), signSdp(alice, offer())), /does not match/],
    ['an offer replayed into another room', () => verifySdp(offer({ room: 'b'.repeat(52) }), signSdp(alice, offer())), /does not match/],
    ['an offer passed off as an answer', () => verifySdp(offer({ type: 'answer' }), signSdp(alice, offer())), /does not match/],
    ['a key of the wrong length', () => verifySdp(offer(), { key: 'a'.repeat(50), sig: signSdp(alice, offer()).sig }), /wrong length/],
    ['a key that is not base32', () => verifySdp(offer(), { key: '1'.repeat(52), sig: signSdp(alice, offer()).sig }), /not base32/],
    ['an honestly signed SDP without a fingerprint', () => verifySdp(offer({ sdp: 'v=0\r\n' }), signSdp(alice, offer({ sdp: 'v=0\r\n' }))), /no DTLS fingerprint/],
  ];
  it.each(refusals)('refuses %s with SdpSignatureError', (_what, act, words) => {
    expect(act).toThrow(SdpSignatureError);
    expect(act).toThrow(words);
  });

  it('the schema refuses a key without a signature and malformed ones', () => {
    const auth = signSdp(alice, offer());
    const send = (data: object): unknown => parseClientMessage(JSON.stringify({ type: 'signal', room: ROOM, to: bob.peerId, data: { sid: 'abcdefgh', type: 'offer', sdp: SDP, ...data } }));
    expect(() => send({ key: auth.key })).toThrow(SignalMessageError);
    expect(() => send({ sig: auth.sig })).toThrow(SignalMessageError);
    expect(() => send({ key: auth.key.toUpperCase(), sig: auth.sig })).toThrow(SignalMessageError);
    expect(() => send({ key: auth.key, sig: `${auth.sig}a` })).toThrow(SignalMessageError);
    expect(() => send({ key: 5, sig: auth.sig })).toThrow(SignalMessageError);
  });
});

// Seed 00 01 … 1f. Cross-checked with Python: hashlib SHA-256d over netstring(tag) ‖ data, and the
// `cryptography` package's Ed25519PrivateKey.from_private_bytes(secret).public_key().
const KAT_PUBLIC_KEY = 'fb48702d2e3be88ced2fb87b62243782245be33afd9162887dc1849526598298';
const KAT_PEER_ID = '4faty5blfag353mb7xnk5nhvoi';
