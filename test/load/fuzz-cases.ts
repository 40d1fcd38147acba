/**
 * Hostile signaling messages for the fuzz run (test/load/fuzzer.ts): random bytes, JSON of wrong
 * shapes, truncated and oversized messages, invalid UTF-8, and well-formed messages sent out of
 * order (before joining, to absent peers, for rooms never joined). Each comes with the one outcome
 * the server must produce (signaling/server.ts, src/core/wire/signal.ts), so the fuzzer can check
 * every answer, not only survival. Seeded: a run is reproducible from its seed.
 */
import { SIGNAL_MAX_PAYLOAD_BYTES, SIGNAL_MAX_ROOMS_PER_SOCKET, SIGNAL_MAX_SDP_CHARS } from '../../src/core/limits.js';

/** What the server must do with one message. */
export type Expect =
  | { kind: 'reply'; type: 'joined' }
  | { kind: 'reply'; type: 'error'; code: 'malformed' | 'not-in-room' | 'unknown-peer' | 'peer-id-taken' | 'too-many-rooms' }
  | { kind: 'close'; code: 1007 | 1009 } // invalid UTF-8, oversized: ws closes the socket itself
  | { kind: 'relay' } // the partner receives it as a signal
  | { kind: 'silent' }; // nothing comes back (a leave after a join)

export interface FuzzMessage {
  family: string;
  data: string | Uint8Array;
  /** A text frame carrying `data`'s bytes even if they are not UTF-8. */
  binary: boolean;
  expect: Expect;
  /** For joins and leaves: the room the socket's state changes for once the outcome is seen. */
  room?: string;
}

/** What a fuzzing socket knows about itself, so out-of-order cases have a known outcome. */
export interface SocketState {
  readonly peer: string;
  /** Room of the well-behaved partner socket that stays joined and receives relays. */
  readonly partnerRoom: string;
  readonly partner: string;
  readonly joined: Set<string>;
  /** Malformed messages this socket may still send before the server would close it (strikes). */
  malformedLeft: number;
}

/** mulberry32: small, fast, good enough to pick cases; seeded for reproducible runs. */
export function createRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class CaseMaker {
  readonly random: () => number;
  constructor(seed: number) {
    this.random = createRandom(seed);
  }

  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(256);
    return out;
  }
  base32(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += 'abcdefghijklmnopqrstuvwxyz234567'[this.int(32)];
    return s;
  }
  room(): string {
    return this.base32(52);
  }
  peerId(): string {
    return this.base32(26);
  }
  /** Any JSON value, nested up to `depth`: numbers, strings with odd characters, arrays, objects. */
  jsonValue(depth: number): unknown {
    const r = this.int(depth > 0 ? 9 : 6);
    switch (r) {
      case 0: return null;
      case 1: return this.pick([true, false]);
      case 2: return this.pick([0, -1, 1.5, 1e308, -0, 2 ** 53, 256, 4294967296]);
      case 3: return this.pick(['', 'join', 'signal', 'leave', 'v=0', '\u0000', '\ud800', '__proto__', 'x'.repeat(300)]);
      // Never an exact id: a random value must not pass the schema by chance.
      case 4: return this.base32(this.pick([25, 27, 51, 53]));
      case 5: return this.base32(this.pick([26, 52])).toUpperCase();
      case 6: return Array.from({ length: this.int(4) }, () => this.jsonValue(depth - 1));
      default: {
        const o: Record<string, unknown> = {};
        for (let i = this.int(5); i > 0; i--) o[this.pick(['type', 'room', 'peer', 'to', 'data', 'sid', 'sdp', 'candidate', 'x', '__proto__', 'constructor'])] = this.jsonValue(depth - 1);
        return o;
      }
    }
  }

  /** A message the schema accepts, as text (for truncation and field damage). */
  validMessage(s: SocketState): Record<string, unknown> {
    const sid = this.base32(8 + this.int(19));
    return this.pick([
      { type: 'join', room: this.room(), peer: s.peer },
      { type: 'leave', room: this.room() },
      { type: 'signal', room: s.partnerRoom, to: s.partner, data: { sid, type: 'offer', sdp: 'v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\n' } },
      { type: 'signal', room: s.partnerRoom, to: s.partner, data: { sid, type: 'candidate', candidate: { candidate: 'candidate:1 1 udp 1 127.0.0.1 9 typ host', sdpMLineIndex: 0, sdpMid: '0' } } },
    ]);
  }

  /** The next hostile message for a socket in state `s`. */
  next(s: SocketState): FuzzMessage {
    // Malformed input strikes: keep within the socket's allowance (abuse is its own session kind).
    const r = this.int(100);
    if (s.malformedLeft > 0 && r < 55) return this.malformed(s);
    if (r < 57) return this.closer();
    if (r < 70) return this.join(s);
    if (r < 80) return this.leave(s);
    return this.signalSomewhere(s);
  }

  /** A message the schema refuses: the server answers `malformed` and counts a strike. */
  malformed(s: SocketState): FuzzMessage {
    const expect: Expect = { kind: 'reply', type: 'error', code: 'malformed' };
    const text = (family: string, data: string): FuzzMessage => ({ family, data, binary: false, expect });
    switch (this.int(12)) {
      case 0: return { family: 'binary-frame', data: this.bytes(1 + this.int(512)), binary: true, expect };
      case 1: return text('random-text', String.fromCharCode(...Array.from({ length: 1 + this.int(200) }, () => 1 + this.int(0xd7ff))));
      case 2: return text('json-wrong-shape', JSON.stringify(this.jsonValue(4)));
      case 3: {
        const t = JSON.stringify(this.validMessage(s));
        return text('truncated', t.slice(0, this.int(t.length)));
      }
      case 4: {
        // A field replaced by a value no field accepts, or removed.
        const m = this.validMessage(s);
        const key = this.pick(Object.keys(m));
        if (this.int(4) === 0) delete m[key];
        else m[key] = this.pick([null, 42, -1, true, [], {}, '', 'JOIN', 'X'.repeat(300)]);
        return text('damaged-field', JSON.stringify(m));
      }
      // A computed __proto__ key is an own property, as JSON.parse makes it: refused as unknown.
      case 5: return text('extra-field', JSON.stringify({ ...this.validMessage(s), [this.pick(['x', '__proto__', 'constructor', 'Type'])]: 1 }));
      case 6: return text('huge-string', JSON.stringify({ type: 'join', room: this.room(), peer: 'a'.repeat(SIGNAL_MAX_PAYLOAD_BYTES - 100) }));
      case 7: return text('sdp-too-long', JSON.stringify({ type: 'signal', room: s.partnerRoom, to: s.partner, data: { sid: 'abcdefgh', type: 'offer', sdp: `v=0${'a'.repeat(SIGNAL_MAX_SDP_CHARS)}` } }));
      case 8: {
        const depth = 1000 + this.int(7000);
        return text('deep-nesting', this.int(2) === 0 ? '['.repeat(depth) + ']'.repeat(depth) : `${'{"a":'.repeat(depth / 3)}1${'}'.repeat(depth / 3)}`);
      }
      case 9: return text('bad-ids', JSON.stringify({ type: this.pick(['join', 'signal', 'leave']), room: this.room().toUpperCase(), peer: s.peer, to: s.partner, data: {} }));
      case 10: return text('bad-signal-data', JSON.stringify({ type: 'signal', room: s.partnerRoom, to: s.partner, data: this.pick([
        { sid: 'abc', type: 'offer', sdp: 'v=0' },
        { sid: 'abcdefgh', type: 'offer', sdp: 'x=0' },
        { sid: 'abcdefgh', type: 'pranswer', sdp: 'v=0' },
        { sid: 'abcdefgh', type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 256, sdpMid: null } },
        { sid: 'abcdefgh', type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 1.5, sdpMid: null } },
        { sid: 'abcdefgh', type: 'candidate', candidate: { candidate: 'c'.repeat(2000), sdpMLineIndex: 0, sdpMid: null } },
        { sid: 'abcdefgh', type: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 0, sdpMid: null, extra: 1 } },
      ]) }));
      default: return text('not-an-object', this.pick(['null', '[]', '"join"', '12', 'true', '', ' ', '{}', '{"type":null}', '\ufeff{}']));
    }
  }

  /** Frames ws itself refuses, closing the socket: invalid UTF-8 in a text frame (1007), over maxPayload (1009). */
  closer(): FuzzMessage {
    if (this.int(2) === 0) {
      const bad = new Uint8Array([0x7b, 0x22, 0xc3, 0x28, 0xff, 0xfe, 0x22, 0x7d]); // {"\xc3(\xff\xfe"}
      return { family: 'invalid-utf8', data: bad, binary: false, expect: { kind: 'close', code: 1007 } };
    }
    return { family: 'oversized', data: 'x'.repeat(SIGNAL_MAX_PAYLOAD_BYTES + 1 + this.int(64 * 1024)), binary: false, expect: { kind: 'close', code: 1009 } };
  }

  /** Joins (the partner's room, a fresh one, or under the partner's taken id), with the outcome the server's order of checks gives. */
  private join(s: SocketState): FuzzMessage {
    const kind = this.int(3);
    const room = kind === 0 ? this.room() : s.partnerRoom;
    const peer = kind === 2 ? s.partner : s.peer;
    const message = JSON.stringify({ type: 'join', room, peer });
    let expect: Expect;
    if (!s.joined.has(room) && s.joined.size >= SIGNAL_MAX_ROOMS_PER_SOCKET) expect = { kind: 'reply', type: 'error', code: 'too-many-rooms' };
    else if (peer === s.partner) expect = { kind: 'reply', type: 'error', code: 'peer-id-taken' };
    else expect = { kind: 'reply', type: 'joined' };
    return { family: `join-${['fresh-room', 'partner-room', 'taken-id'][kind]}`, data: message, binary: false, expect, room };
  }

  /** Signals: to the partner (relayed if joined), to an absent peer, or in a room never joined. */
  private signalSomewhere(s: SocketState): FuzzMessage {
    const kind = this.int(3);
    const room = kind === 2 ? this.room() : s.partnerRoom;
    const to = kind === 1 ? this.peerId() : s.partner;
    const sid = this.base32(8 + this.int(19));
    const data = this.pick([
      { sid, type: 'answer', sdp: 'v=0\r\n' }, // an answer nobody asked for
      { sid, type: 'candidate', candidate: { candidate: '', sdpMLineIndex: null, sdpMid: null } }, // end of candidates, unknown session
      { sid, type: 'offer', sdp: 'v=0\ud800' }, // a lone surrogate: valid JSON, relayed as such
    ]);
    const message = JSON.stringify({ type: 'signal', room, to, data });
    let expect: Expect;
    if (!s.joined.has(room)) expect = { kind: 'reply', type: 'error', code: 'not-in-room' };
    else if (to !== s.partner) expect = { kind: 'reply', type: 'error', code: 'unknown-peer' };
    else expect = { kind: 'relay' };
    return { family: `signal-${['to-partner', 'absent-peer', 'room-not-joined'][kind]}`, data: message, binary: false, expect };
  }

  private leave(s: SocketState): FuzzMessage {
    const room = this.int(2) === 0 || s.joined.size === 0 ? this.room() : this.pick([...s.joined]);
    const expect: Expect = s.joined.has(room) ? { kind: 'silent' } : { kind: 'reply', type: 'error', code: 'not-in-room' };
    return { family: s.joined.has(room) ? 'leave-joined' : 'leave-not-joined', data: JSON.stringify({ type: 'leave', room }), binary: false, expect, room };
  }
}
