/**
 * The rpc frame layout, version 1: how requests, responses, errors and cancels travel over a
 * PeerLink, each message cut into frames under the link's frame limit (ARCHITECTURE.md §5).
 * Strict: any deviation is a FrameError, which rpc counts and, past a bound, closes the link for.
 *
 * Frame (all integers big-endian):
 *   offset  size  field
 *   0       1     version = 1
 *   1       1     kind: 1 REQUEST, 2 RESPONSE, 3 ERROR, 4 CANCEL
 *   2       4     id: the request id, chosen by the side that sent the REQUEST
 *   6       4     total: byte length of the whole message body
 *   10      4     offset: where this frame's body bytes sit in the message body
 *   14      …     body bytes [offset, offset + length); length > 0 unless total = 0
 * Frames of one message are sent in order (offset 0 first, no gaps); frames of different
 * messages may interleave. Message bodies:
 *   REQUEST   u8 method length M (1–64) ‖ method (ASCII [A-Za-z0-9._:-]) ‖ payload
 *             (the first frame holds at least the whole method)
 *   RESPONSE  payload
 *   ERROR     u8 name length N (1–64) ‖ name (ASCII) ‖ message (UTF-8, ≤ 1024 bytes)
 *   CANCEL    empty (total = 0)
 * @module
 */
import { bytesToUtf8, readUint32BE, utf8ToBytes, writeUint32BE } from '../bytes.js';
import { MAX_RPC_ERROR_MESSAGE_BYTES, MAX_RPC_ERROR_NAME_BYTES, MAX_RPC_METHOD_CHARS } from '../limits.js';
import { FrameError } from './errors.js';

export const FRAME_VERSION = 1;
export const FRAME_HEADER_BYTES = 14;

export const FrameKind = { REQUEST: 1, RESPONSE: 2, ERROR: 3, CANCEL: 4 } as const;
export type FrameKind = (typeof FrameKind)[keyof typeof FrameKind];

export interface Frame {
  kind: FrameKind;
  id: number;
  total: number;
  offset: number;
  /** A view into the frame: this frame's slice of the message body. */
  body: Uint8Array;
}

const NAME_RE = /^[A-Za-z0-9._:-]+$/;

/** Checks a method or error name: 1–64 ASCII characters from [A-Za-z0-9._:-]. */
export function assertWireName(name: unknown, what: string, max = MAX_RPC_METHOD_CHARS): asserts name is string {
  if (typeof name !== 'string') throw new TypeError(`"${what}" expected a string`);
  if (name.length < 1 || name.length > max || !NAME_RE.test(name)) {
    throw new RangeError(`"${what}" must be 1–${max} characters of A–Z a–z 0–9 . _ : -, got "${name.slice(0, 80)}"`);
  }
}

/** Builds one frame: header plus `body` (copied into a new, exact buffer safe to send). */
export function encodeFrame(kind: FrameKind, id: number, total: number, offset: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(FRAME_HEADER_BYTES + body.length);
  out[0] = FRAME_VERSION;
  out[1] = kind;
  writeUint32BE(out, 2, id);
  writeUint32BE(out, 6, total);
  writeUint32BE(out, 10, offset);
  out.set(body, FRAME_HEADER_BYTES);
  return out;
}

/** Parses one frame's header; the body stays a view. Throws FrameError on any deviation. */
export function decodeFrame(bytes: Uint8Array): Frame {
  if (bytes.length < FRAME_HEADER_BYTES) throw new FrameError(`a frame of ${bytes.length} bytes is shorter than the ${FRAME_HEADER_BYTES}-byte header`);
  if (bytes[0] !== FRAME_VERSION) throw new FrameError(`frame version ${bytes[0]} is not ${FRAME_VERSION}`);
  const kind = bytes[1]!;
  if (kind < FrameKind.REQUEST || kind > FrameKind.CANCEL) throw new FrameError(`frame kind ${kind} is unknown`);
  const id = readUint32BE(bytes, 2);
  const total = readUint32BE(bytes, 6);
  const offset = readUint32BE(bytes, 10);
  const body = bytes.subarray(FRAME_HEADER_BYTES);
  if (kind === FrameKind.CANCEL && (total !== 0 || offset !== 0 || body.length !== 0)) throw new FrameError('a cancel frame must be empty');
  if (body.length === 0 && total !== 0) throw new FrameError('a frame of a non-empty message carries no bytes');
  if (offset + body.length > total) throw new FrameError(`a frame reaches byte ${offset + body.length} of a ${total}-byte message`);
  return { kind: kind as FrameKind, id, total, offset, body };
}

/**
 * Cuts one message (prefix ‖ payload, never concatenated whole) into frames of at most
 * `frameBytes` bytes each. Each frame is a fresh exact buffer.
 */
export function* messageFrames(kind: FrameKind, id: number, prefix: Uint8Array, payload: Uint8Array, frameBytes: number): Generator<Uint8Array> {
  const room = frameBytes - FRAME_HEADER_BYTES;
  if (room < 1 + MAX_RPC_METHOD_CHARS) throw new RangeError(`"frameBytes" ${frameBytes} leaves no room for a request's header`);
  const total = prefix.length + payload.length;
  if (total > 0xffffffff) throw new RangeError(`a message of ${total} bytes is too large for a frame's 32-bit size`);
  if (total === 0) {
    yield encodeFrame(kind, id, 0, 0, new Uint8Array(0));
    return;
  }
  for (let offset = 0; offset < total; offset += room) {
    const end = Math.min(total, offset + room);
    const out = new Uint8Array(FRAME_HEADER_BYTES + end - offset);
    out[0] = FRAME_VERSION;
    out[1] = kind;
    writeUint32BE(out, 2, id);
    writeUint32BE(out, 6, total);
    writeUint32BE(out, 10, offset);
    // The frame's body may straddle the prefix and the payload.
    if (offset < prefix.length) out.set(prefix.subarray(offset, Math.min(end, prefix.length)), FRAME_HEADER_BYTES);
    if (end > prefix.length) {
      const from = Math.max(offset, prefix.length);
      out.set(payload.subarray(from - prefix.length, end - prefix.length), FRAME_HEADER_BYTES + from - offset);
    }
    yield out;
  }
}

/** The body prefix of a REQUEST (method length and method) or an ERROR (name length and name). */
export function namePrefix(name: string): Uint8Array {
  const out = new Uint8Array(1 + name.length);
  out[0] = name.length;
  for (let i = 0; i < name.length; i++) out[1 + i] = name.charCodeAt(i);
  return out;
}

/** Reads the name at the start of a REQUEST or ERROR body; returns it and where the rest begins. */
export function readNamePrefix(body: Uint8Array, what: string, max: number): { name: string; end: number } {
  const length = body[0] ?? 0;
  if (length < 1 || length > max || body.length < 1 + length) throw new FrameError(`the ${what} at the start of a message is missing or longer than ${max}`);
  let name = '';
  for (let i = 1; i <= length; i++) name += String.fromCharCode(body[i]!);
  if (!NAME_RE.test(name)) throw new FrameError(`the ${what} holds characters outside A–Z a–z 0–9 . _ : -`);
  return { name, end: 1 + length };
}

/** ERROR body for a thrown value: its name (sanitized) and message (truncated on a character boundary). */
export function encodeErrorBody(name: string, message: string): Uint8Array {
  const safeName = NAME_RE.test(name) && name.length <= MAX_RPC_ERROR_NAME_BYTES ? name : 'Error';
  let text = utf8ToBytes(message.slice(0, MAX_RPC_ERROR_MESSAGE_BYTES));
  if (text.length > MAX_RPC_ERROR_MESSAGE_BYTES) {
    let cut = MAX_RPC_ERROR_MESSAGE_BYTES;
    while (cut > 0 && (text[cut]! & 0xc0) === 0x80) cut--; // back up to the start of a character
    text = text.subarray(0, cut);
  }
  const prefix = namePrefix(safeName);
  const out = new Uint8Array(prefix.length + text.length);
  out.set(prefix);
  out.set(text, prefix.length);
  return out;
}

export function decodeErrorBody(body: Uint8Array): { name: string; message: string } {
  const { name, end } = readNamePrefix(body, 'error name', MAX_RPC_ERROR_NAME_BYTES);
  const rest = body.subarray(end);
  if (rest.length > MAX_RPC_ERROR_MESSAGE_BYTES) throw new FrameError(`an error message of ${rest.length} bytes is over ${MAX_RPC_ERROR_MESSAGE_BYTES}`);
  try {
    return { name, message: bytesToUtf8(rest) };
  } catch {
    throw new FrameError('an error message is not valid UTF-8');
  }
}
