/** The strict signaling schema (src/core/wire/signal.ts): valid messages pass, a table of hostile ones is refused. */
import { describe, expect, it } from 'vitest';
import { SignalMessageError } from '../../../src/core/wire/errors.js';
import { encodeSignalMessage, parseClientMessage, parseServerMessage } from '../../../src/core/wire/signal.js';

const ROOM = 'a'.repeat(52);
const PEER = 'b'.repeat(26);
const SID = 'c'.repeat(13);
const OFFER = { sid: SID, type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' };
const CAND = { sid: SID, type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 2122260223 127.0.0.1 54321 typ host', sdpMLineIndex: 0, sdpMid: '0' } };
const j = (v: unknown): string => JSON.stringify(v);

describe('signal schema: client messages', () => {
  it.each([
    ['join', { type: 'join', room: ROOM, peer: PEER }],
    ['leave', { type: 'leave', room: ROOM }],
    ['signal with an offer', { type: 'signal', room: ROOM, to: PEER, data: OFFER }],
    ['signal with an answer', { type: 'signal', room: ROOM, to: PEER, data: { ...OFFER, type: 'answer' } }],
    ['signal with a candidate', { type: 'signal', room: ROOM, to: PEER, data: CAND }],
    ['a candidate with usernameFragment and null mid', { type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, sdpMid: null, sdpMLineIndex: null, usernameFragment: 'abcd' } } }],
  ])('accepts %s and returns exactly it', (_what, msg) => {
    expect(parseClientMessage(j(msg))).toEqual(msg);
    expect(JSON.parse(encodeSignalMessage(parseClientMessage(j(msg))))).toEqual(msg);
  });

  const hostile: Array<[string, unknown]> = [
    ['not text', 42],
    ['a Buffer-like object', { length: 3 }],
    ['empty text', ''],
    ['invalid JSON', '{"type":'],
    ['JSON null', 'null'],
    ['a JSON array', '[1,2]'],
    ['a JSON string', '"join"'],
    ['a JSON number', '1e999'],
    ['no type', j({ room: ROOM })],
    ['an unknown type', j({ type: 'subscribe', topics: ['x'] })],
    ['a type of the wrong case', j({ type: 'JOIN', room: ROOM, peer: PEER })],
    ['type as an array', j({ type: ['join'], room: ROOM, peer: PEER })],
    ['an extra field', j({ type: 'join', room: ROOM, peer: PEER, admin: true })],
    ['__proto__ as a field', `{"type":"leave","room":"${ROOM}","__proto__":{"x":1}}`],
    ['a missing peer', j({ type: 'join', room: ROOM })],
    ['a short room id', j({ type: 'join', room: 'a'.repeat(51), peer: PEER })],
    ['a long room id', j({ type: 'join', room: 'a'.repeat(53), peer: PEER })],
    ['a room id with upper case', j({ type: 'join', room: 'A'.repeat(52), peer: PEER })],
    ['a room id with base32 padding', j({ type: 'join', room: 'a'.repeat(51) + '=', peer: PEER })],
    ['a room id as a number', j({ type: 'join', room: 1, peer: PEER })],
    ['a peer id with digits 0/1/8/9', j({ type: 'join', room: ROOM, peer: '0'.repeat(26) })],
    ['a peer id with a newline', j({ type: 'join', room: ROOM, peer: 'b'.repeat(25) + '\n' })],
    ['a signal without data', j({ type: 'signal', room: ROOM, to: PEER })],
    ['signal data as a string', j({ type: 'signal', room: ROOM, to: PEER, data: 'v=0' })],
    ['signal data of an unknown type', j({ type: 'signal', room: ROOM, to: PEER, data: { sid: SID, type: 'renegotiate', renegotiate: true } })],
    ['simple-peer data without a session id', j({ type: 'signal', room: ROOM, to: PEER, data: { type: 'offer', sdp: 'v=0' } })],
    ['a short session id', j({ type: 'signal', room: ROOM, to: PEER, data: { ...OFFER, sid: 'abc' } })],
    ['an sdp that is not an SDP', j({ type: 'signal', room: ROOM, to: PEER, data: { ...OFFER, sdp: '<script>' } })],
    ['an sdp over the limit', j({ type: 'signal', room: ROOM, to: PEER, data: { ...OFFER, sdp: 'v=0' + 'x'.repeat(12 * 1024) } })],
    ['an offer with an extra field', j({ type: 'signal', room: ROOM, to: PEER, data: { ...OFFER, candidate: CAND.candidate } })],
    ['a candidate with a numeric string index', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, sdpMLineIndex: '0' } } })],
    ['a candidate with a fractional index', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, sdpMLineIndex: 0.5 } } })],
    ['a candidate with a negative index', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, sdpMLineIndex: -1 } } })],
    ['a candidate line over the limit', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, candidate: 'c'.repeat(1025) } } })],
    ['a candidate without sdpMid', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { candidate: 'x', sdpMLineIndex: 0 } } })],
    ['a candidate with an extra field', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: { ...CAND.candidate, relay: 'evil' } } })],
    ['a candidate that is null', j({ type: 'signal', room: ROOM, to: PEER, data: { ...CAND, candidate: null } })],
    ['a message over 16 KiB', j({ type: 'leave', room: ROOM, pad: 'x'.repeat(16 * 1024) })],
    ['deep nesting', '{"type":"signal","data":' + '['.repeat(5000) + ']'.repeat(5000) + '}'],
    ['a server message sent by a client', j({ type: 'peer-joined', room: ROOM, peer: PEER })],
  ];
  it.each(hostile)('refuses %s with SignalMessageError', (_what, input) => {
    expect(() => parseClientMessage(input)).toThrow(SignalMessageError);
  });

  it('names the fault in plain words', () => {
    expect(() => parseClientMessage(j({ type: 'join', room: 'x', peer: PEER }))).toThrow('"room" is not a room id (52 base32 characters)');
    expect(() => parseClientMessage(j({ type: 'join', room: ROOM, peer: PEER, x: 1 }))).toThrow('"join" has an unknown field "x"');
  });
});

describe('signal schema: server messages', () => {
  it.each([
    ['hello', { type: 'hello', v: 1, iceServers: [{ urls: 'stun:127.0.0.1:3478' }, { urls: ['turn:t.example:3478?transport=udp'], username: 'u', credential: 'p' }] }],
    ['joined', { type: 'joined', room: ROOM, peer: PEER, peers: ['d'.repeat(26), 'e'.repeat(26)] }],
    ['joined with TURN credentials for the peer', { type: 'joined', room: ROOM, peer: PEER, peers: [], iceServers: [{ urls: ['turn:127.0.0.1:3478'], username: `1700000000:${PEER}`, credential: 'hw/8UWUoqkRzX4tS2LhY9Yu5Y2E=' }] }],
    ['peer-joined', { type: 'peer-joined', room: ROOM, peer: PEER }],
    ['peer-left', { type: 'peer-left', room: ROOM, peer: PEER }],
    ['signal', { type: 'signal', room: ROOM, from: PEER, data: CAND }],
    ['error', { type: 'error', code: 'rate-limited', reason: 'slow down' }],
  ])('accepts %s', (_what, msg) => {
    expect(parseServerMessage(j(msg))).toEqual(msg);
  });

  it.each([
    ['another protocol version', j({ type: 'hello', v: 2, iceServers: [] })],
    ['an ICE server with an http URL', j({ type: 'hello', v: 1, iceServers: [{ urls: 'http://evil' }] })],
    ['too many ICE servers', j({ type: 'hello', v: 1, iceServers: Array(9).fill({ urls: 'stun:x' }) })],
    ['joined with ICE servers that are not a list', j({ type: 'joined', room: ROOM, peer: PEER, peers: [], iceServers: { urls: 'turn:x' } })],
    ['joined with an ICE server of another scheme', j({ type: 'joined', room: ROOM, peer: PEER, peers: [], iceServers: [{ urls: 'https://x' }] })],
    ['a presence list with a bad id', j({ type: 'joined', room: ROOM, peer: PEER, peers: ['nope'] })],
    ['a presence list over the room limit', j({ type: 'joined', room: ROOM, peer: PEER, peers: Array(257).fill(PEER) })],
    ['an unknown error code', j({ type: 'error', code: 'pwned', reason: 'x' })],
    ['a long error reason', j({ type: 'error', code: 'malformed', reason: 'x'.repeat(201) })],
    ['a client message', j({ type: 'join', room: ROOM, peer: PEER })],
  ])('refuses %s', (_what, input) => {
    expect(() => parseServerMessage(input)).toThrow(SignalMessageError);
  });
});
