/**
 * Signaling messages (ARCHITECTURE.md §5) and their strict parser, shared by signaling/server.ts
 * and the browser's signaling client. JSON text; every field checked for exact type and length,
 * no unknown fields, message kinds whitelisted (as bittorrent-tracker's parse-websocket.js).
 * @module
 */
import {
  SIGNAL_MAX_CANDIDATE_CHARS,
  SIGNAL_MAX_ICE_FIELD_CHARS,
  SIGNAL_MAX_ICE_SERVERS,
  SIGNAL_MAX_PAYLOAD_BYTES,
  SIGNAL_MAX_PEERS_PER_ROOM,
  SIGNAL_MAX_SDP_CHARS,
} from '../limits.js';
import { SignalMessageError } from './errors.js';

/** Version the server announces in `hello`; a client refuses any other. */
export const SIGNAL_PROTOCOL_VERSION = 1;
/** A peer id is 16 random bytes in base32 (26 characters): unique per tab session. */
export const PEER_ID_BYTES = 16;
/** A room id is a 32-byte tagged hash of the grid secret in base32 (52 characters). */
export const ROOM_ID_BYTES = 32;

const PEER_ID_RE = /^[a-z2-7]{26}$/;
const ROOM_ID_RE = /^[a-z2-7]{52}$/;
/** A session id names one connection attempt between two peers, so late ICE of an old one is ignored. */
const SESSION_ID_RE = /^[a-z2-7]{8,26}$/;
/** An ed25519 public key (32 bytes) and signature (64 bytes) in base32. */
const NODE_KEY_RE = /^[a-z2-7]{52}$/;
const SDP_SIGNATURE_RE = /^[a-z2-7]{103}$/;
const MAX_REASON_CHARS = 200;
const MAX_MID_CHARS = 64;
/** Messages from the server may be larger than the client's (the presence list), but still bounded. */
const MAX_SERVER_MESSAGE_CHARS = 4 * SIGNAL_MAX_PAYLOAD_BYTES + 40 * SIGNAL_MAX_PEERS_PER_ROOM;

/** An ICE candidate as RTCIceCandidateInit carries it (what simple-peer emits). */
export interface IceCandidate {
  candidate: string;
  sdpMLineIndex: number | null;
  sdpMid: string | null;
  usernameFragment?: string | null;
}

/**
 * What one peer relays to another through the server: an SDP or one ICE candidate. An SDP may carry
 * its sender's node key and signature (src/core/wire/signed-sdp.ts): both or neither.
 */
export type SignalData =
  | { sid: string; type: 'offer' | 'answer'; sdp: string; key?: string; sig?: string }
  | { sid: string; type: 'candidate'; candidate: IceCandidate };

/** An ICE server as RTCIceServer describes it (STUN/TURN, configuration of the server). */
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export type ClientMessage =
  // key, sig: a join proof (./join-proof.ts) over the nonce of this socket's hello.
  | { type: 'join'; room: string; peer: string; key?: string; sig?: string }
  | { type: 'leave'; room: string }
  | { type: 'signal'; room: string; to: string; data: SignalData };

export const SIGNAL_ERROR_CODES = [
  'malformed', // the message broke the schema
  'rate-limited', // too many messages: this one was dropped
  'room-full', // SIGNAL_MAX_PEERS_PER_ROOM reached
  'too-many-rooms', // SIGNAL_MAX_ROOMS_PER_SOCKET reached
  'peer-id-taken', // another socket holds this peer id in the room (retry later, or pick another id)
  'not-in-room', // leave or signal for a room this socket has not joined
  'unknown-peer', // signal to a peer that is not in the room (it left)
  'peer-busy', // the target's socket is not reading: the signal was dropped
  'bad-proof', // a join's key or signature does not prove this peer id
] as const;
export type SignalErrorCode = (typeof SIGNAL_ERROR_CODES)[number];

export type ServerMessage =
  // nonce: what a join proof signs (per socket, 26 base32 characters).
  | { type: 'hello'; v: number; iceServers: IceServer[]; nonce?: string }
  // iceServers: when the server mints TURN credentials per peer id, those for the peer that joined.
  | { type: 'joined'; room: string; peer: string; peers: string[]; iceServers?: IceServer[] }
  | { type: 'peer-joined'; room: string; peer: string }
  | { type: 'peer-left'; room: string; peer: string }
  | { type: 'signal'; room: string; from: string; data: SignalData }
  | { type: 'error'; code: SignalErrorCode; reason: string };

type Obj = Record<string, unknown>;

function fail(what: string): never {
  throw new SignalMessageError(what);
}

function parseJsonObject(text: unknown, maxChars: number): Obj {
  if (typeof text !== 'string') fail('message is not text');
  if (text.length > maxChars) fail(`message is longer than ${maxChars} characters`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    fail('message is not valid JSON');
  }
  return asObject(value, 'message');
}

function asObject(value: unknown, name: string): Obj {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`"${name}" is not an object`);
  return value as Obj;
}

/** Exactly these keys: all of `required`, any of `optional`, nothing else. */
function assertKeys(o: Obj, name: string, required: readonly string[], optional: readonly string[] = []): void {
  for (const k of required) if (!Object.hasOwn(o, k)) fail(`"${name}" lacks "${k}"`);
  for (const k of Object.keys(o)) {
    if (!required.includes(k) && !optional.includes(k)) fail(`"${name}" has an unknown field "${k.slice(0, 32)}"`);
  }
}

function str(o: Obj, key: string, max: number, min = 0): string {
  const v = o[key];
  if (typeof v !== 'string') fail(`"${key}" is not a string`);
  if (v.length < min || v.length > max) fail(`"${key}" must be ${min}–${max} characters, got ${v.length}`);
  return v;
}

function matching(o: Obj, key: string, re: RegExp, what: string): string {
  const v = o[key];
  if (typeof v !== 'string' || !re.test(v)) fail(`"${key}" is not ${what}`);
  return v;
}

const room = (o: Obj, key = 'room'): string => matching(o, key, ROOM_ID_RE, 'a room id (52 base32 characters)');
const peer = (o: Obj, key: string): string => matching(o, key, PEER_ID_RE, 'a peer id (26 base32 characters)');

export function isPeerId(v: unknown): v is string {
  return typeof v === 'string' && PEER_ID_RE.test(v);
}

export function isRoomId(v: unknown): v is string {
  return typeof v === 'string' && ROOM_ID_RE.test(v);
}

function nullableStr(o: Obj, key: string, max: number): string | null {
  return o[key] === null ? null : str(o, key, max);
}

function parseCandidate(value: unknown): IceCandidate {
  const c = asObject(value, 'candidate');
  assertKeys(c, 'candidate', ['candidate', 'sdpMLineIndex', 'sdpMid'], ['usernameFragment']);
  const line = str(c, 'candidate', SIGNAL_MAX_CANDIDATE_CHARS);
  const index = c.sdpMLineIndex;
  if (index !== null && !(Number.isInteger(index) && (index as number) >= 0 && (index as number) < 256)) {
    fail('"sdpMLineIndex" is not null or an integer 0–255');
  }
  const out: IceCandidate = { candidate: line, sdpMLineIndex: index as number | null, sdpMid: nullableStr(c, 'sdpMid', MAX_MID_CHARS) };
  if (Object.hasOwn(c, 'usernameFragment')) out.usernameFragment = nullableStr(c, 'usernameFragment', SIGNAL_MAX_ICE_FIELD_CHARS);
  return out;
}

/** Parses the relayed part of a signal message (an SDP or an ICE candidate, with its session id). */
export function parseSignalData(value: unknown): SignalData {
  const d = asObject(value, 'data');
  const sid = matching(d, 'sid', SESSION_ID_RE, 'a session id (8–26 base32 characters)');
  if (d.type === 'offer' || d.type === 'answer') {
    assertKeys(d, 'data', ['sid', 'type', 'sdp'], ['key', 'sig']);
    const sdp = str(d, 'sdp', SIGNAL_MAX_SDP_CHARS, 3);
    if (!sdp.startsWith('v=0')) fail('"sdp" does not start with v=0');
    if (Object.hasOwn(d, 'key') !== Object.hasOwn(d, 'sig')) fail('"key" and "sig" come together or not at all');
    if (!Object.hasOwn(d, 'key')) return { sid, type: d.type, sdp };
    const key = matching(d, 'key', NODE_KEY_RE, 'an ed25519 public key (52 base32 characters)');
    return { sid, type: d.type, sdp, key, sig: matching(d, 'sig', SDP_SIGNATURE_RE, 'an ed25519 signature (103 base32 characters)') };
  }
  if (d.type === 'candidate') {
    assertKeys(d, 'data', ['sid', 'type', 'candidate']);
    return { sid, type: 'candidate', candidate: parseCandidate(d.candidate) };
  }
  return fail('"data.type" is not offer, answer or candidate');
}

/** Parses one message a client sent to the server. Throws SignalMessageError naming the fault. */
export function parseClientMessage(text: unknown): ClientMessage {
  const m = parseJsonObject(text, SIGNAL_MAX_PAYLOAD_BYTES);
  switch (m.type) {
    case 'join': {
      assertKeys(m, 'join', ['type', 'room', 'peer'], ['key', 'sig']);
      const join = { type: 'join' as const, room: room(m), peer: peer(m, 'peer') };
      if (Object.hasOwn(m, 'key') !== Object.hasOwn(m, 'sig')) fail('"key" and "sig" come together or not at all');
      if (!Object.hasOwn(m, 'key')) return join;
      return { ...join, key: matching(m, 'key', NODE_KEY_RE, 'an ed25519 public key (52 base32 characters)'), sig: matching(m, 'sig', SDP_SIGNATURE_RE, 'an ed25519 signature (103 base32 characters)') };
    }
    case 'leave':
      assertKeys(m, 'leave', ['type', 'room']);
      return { type: 'leave', room: room(m) };
    case 'signal':
      assertKeys(m, 'signal', ['type', 'room', 'to', 'data']);
      return { type: 'signal', room: room(m), to: peer(m, 'to'), data: parseSignalData(m.data) };
    default:
      return fail(`message type ${typeof m.type === 'string' ? `"${m.type.slice(0, 32)}"` : 'missing'} is not join, leave or signal`);
  }
}

/** Checks a list of ICE servers (as `hello` carries it): stun:/turn: URLs, bounded count and lengths. */
export function parseIceServers(value: unknown): IceServer[] {
  if (!Array.isArray(value) || value.length > SIGNAL_MAX_ICE_SERVERS) fail(`"iceServers" is not a list of at most ${SIGNAL_MAX_ICE_SERVERS}`);
  return value.map((v) => {
    const s = asObject(v, 'iceServers[]');
    assertKeys(s, 'iceServers[]', ['urls'], ['username', 'credential']);
    const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
    if (urls.length < 1 || urls.length > SIGNAL_MAX_ICE_SERVERS) fail('"urls" must hold 1–8 URLs');
    for (const u of urls) {
      if (typeof u !== 'string' || u.length > SIGNAL_MAX_ICE_FIELD_CHARS || !/^(stun|stuns|turn|turns):/.test(u)) fail('"urls" holds something that is not a stun: or turn: URL');
    }
    const out: IceServer = { urls: s.urls as string | string[] };
    if (Object.hasOwn(s, 'username')) out.username = str(s, 'username', SIGNAL_MAX_ICE_FIELD_CHARS);
    if (Object.hasOwn(s, 'credential')) out.credential = str(s, 'credential', SIGNAL_MAX_ICE_FIELD_CHARS);
    return out;
  });
}

/** Parses one message the server sent to a client. Throws SignalMessageError naming the fault. */
export function parseServerMessage(text: unknown): ServerMessage {
  const m = parseJsonObject(text, MAX_SERVER_MESSAGE_CHARS);
  switch (m.type) {
    case 'hello':
      assertKeys(m, 'hello', ['type', 'v', 'iceServers'], ['nonce']);
      if (m.v !== SIGNAL_PROTOCOL_VERSION) fail(`the server speaks signaling version ${String(m.v).slice(0, 16)}, not ${SIGNAL_PROTOCOL_VERSION}`);
      {
        const hello = { type: 'hello' as const, v: SIGNAL_PROTOCOL_VERSION, iceServers: parseIceServers(m.iceServers) };
        return Object.hasOwn(m, 'nonce') ? { ...hello, nonce: matching(m, 'nonce', PEER_ID_RE, 'a nonce (26 base32 characters)') } : hello;
      }
    case 'joined': {
      assertKeys(m, 'joined', ['type', 'room', 'peer', 'peers'], ['iceServers']);
      const peers = m.peers;
      if (!Array.isArray(peers) || peers.length > SIGNAL_MAX_PEERS_PER_ROOM || !peers.every(isPeerId)) fail('"peers" is not a list of peer ids');
      const joined = { type: 'joined' as const, room: room(m), peer: peer(m, 'peer'), peers: peers as string[] };
      return Object.hasOwn(m, 'iceServers') ? { ...joined, iceServers: parseIceServers(m.iceServers) } : joined;
    }
    case 'peer-joined':
    case 'peer-left':
      assertKeys(m, m.type, ['type', 'room', 'peer']);
      return { type: m.type, room: room(m), peer: peer(m, 'peer') };
    case 'signal':
      assertKeys(m, 'signal', ['type', 'room', 'from', 'data']);
      return { type: 'signal', room: room(m), from: peer(m, 'from'), data: parseSignalData(m.data) };
    case 'error': {
      assertKeys(m, 'error', ['type', 'code', 'reason']);
      const code = m.code;
      if (!(SIGNAL_ERROR_CODES as readonly unknown[]).includes(code)) fail('"code" is not a known error code');
      return { type: 'error', code: code as SignalErrorCode, reason: str(m, 'reason', MAX_REASON_CHARS) };
    }
    default:
      return fail(`message type ${typeof m.type === 'string' ? `"${m.type.slice(0, 32)}"` : 'missing'} is unknown`);
  }
}

/** Serializes a message (field order as written; the parser does not depend on it). */
export function encodeSignalMessage(message: ClientMessage | ServerMessage): string {
  return JSON.stringify(message);
}
