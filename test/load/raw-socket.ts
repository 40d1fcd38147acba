/**
 * Below the WebSocket client: hostile bytes on a plain TCP socket to the signaling port, before the
 * upgrade (HTTP garbage, a bad handshake, a wrong path) and after it (frames RFC 6455 forbids:
 * unmasked, reserved opcodes, RSV bits, oversized control frames, lengths over maxPayload or 2^53,
 * truncated frames, random bytes). Reports what the server sent back: HTTP status, or the frames
 * (text replies and the close code) it sent before hanging up.
 */
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import type { CaseMaker } from './fuzz-cases.js';

export interface RawOutcome {
  family: string;
  /** The handshake succeeded: the server counts one more connection. */
  upgraded: boolean;
  /** HTTP status of a refused handshake (400, 404), if any. */
  status?: number;
  /** Text frames the server sent after its hello (error replies). */
  replies: string[];
  /** Code of the server's close frame, if it sent one. */
  closeCode?: number;
}

/** A masked client frame (RFC 6455 §5.2) with the given first byte. */
function frame(first: number, payload: Uint8Array, opts: { masked?: boolean; lengthOverride?: bigint } = {}): Buffer {
  const masked = opts.masked ?? true;
  const length = opts.lengthOverride ?? BigInt(payload.length);
  const header: number[] = [first];
  const maskBit = masked ? 0x80 : 0;
  if (length < 126n) header.push(maskBit | Number(length));
  else if (length < 65536n) header.push(maskBit | 126, Number(length >> 8n) & 0xff, Number(length) & 0xff);
  else {
    header.push(maskBit | 127);
    for (let i = 7; i >= 0; i--) header.push(Number((length >> BigInt(8 * i)) & 0xffn));
  }
  const mask = masked ? randomBytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i]! ^= mask[i % 4]!;
  return Buffer.concat([Buffer.from(header), mask, body]);
}

/** Raw case number `index` (cycling through all of them): what it writes after the handshake (or instead of it). */
function pickCase(maker: CaseMaker, index: number): { family: string; handshake: 'ok' | 'none' | 'no-key' | 'wrong-path'; bytes: Buffer } {
  const hi = new TextEncoder().encode('{"type":"leave"}');
  const cases: Array<() => ReturnType<typeof pickCase>> = [
    () => ({ family: 'raw-unmasked-frame', handshake: 'ok', bytes: frame(0x81, hi, { masked: false }) }),
    () => ({ family: 'raw-reserved-opcode', handshake: 'ok', bytes: frame(0x83, hi) }),
    () => ({ family: 'raw-rsv1-without-extension', handshake: 'ok', bytes: frame(0xc1, hi) }),
    () => ({ family: 'raw-long-control-frame', handshake: 'ok', bytes: frame(0x89, new Uint8Array(126)) }),
    () => ({ family: 'raw-fragmented-control-frame', handshake: 'ok', bytes: frame(0x09, new Uint8Array(4)) }),
    () => ({ family: 'raw-orphan-continuation', handshake: 'ok', bytes: frame(0x80, hi) }),
    () => ({ family: 'raw-length-over-2^53', handshake: 'ok', bytes: frame(0x81, new Uint8Array(0), { lengthOverride: 2n ** 60n }) }),
    () => ({ family: 'raw-length-over-max-payload', handshake: 'ok', bytes: frame(0x82, new Uint8Array(0), { lengthOverride: 1n << 20n }) }),
    () => ({ family: 'raw-truncated-frame', handshake: 'ok', bytes: frame(0x81, new Uint8Array(100)).subarray(0, 30) }),
    () => ({ family: 'raw-random-bytes', handshake: 'ok', bytes: Buffer.from(maker.bytes(1 + maker.int(256))) }),
    () => ({ family: 'raw-http-garbage', handshake: 'none', bytes: Buffer.from(maker.bytes(1 + maker.int(512))) }),
    () => ({ family: 'raw-handshake-without-key', handshake: 'no-key', bytes: Buffer.alloc(0) }),
    () => ({ family: 'raw-upgrade-wrong-path', handshake: 'wrong-path', bytes: Buffer.alloc(0) }),
  ];
  return cases[index % cases.length]!();
}

function handshake(path: string, key: string | null): string {
  return [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Upgrade: websocket', 'Connection: Upgrade',
    ...(key === null ? [] : [`Sec-WebSocket-Key: ${key}`]), 'Sec-WebSocket-Version: 13', '', ''].join('\r\n');
}

/** Decodes the server's (unmasked) frames: text payloads and the close code. */
function parseServerFrames(data: Buffer, out: RawOutcome): void {
  let at = 0;
  let first = true;
  while (at + 2 <= data.length) {
    const opcode = data[at]! & 0x0f;
    let length = data[at + 1]! & 0x7f;
    at += 2;
    if (length === 126) (length = data.readUInt16BE(at), (at += 2));
    else if (length === 127) (length = Number(data.readBigUInt64BE(at)), (at += 8));
    if (at + length > data.length) return;
    const payload = data.subarray(at, at + length);
    at += length;
    if (opcode === 1 && !first) out.replies.push(payload.toString('utf8'));
    if (opcode === 8 && payload.length >= 2) out.closeCode = payload.readUInt16BE(0);
    if (opcode === 1) first = false; // the first text frame is the server's hello
  }
}

/** Runs raw case number `index` against 127.0.0.1:`port`; resolves when the server has hung up. */
export function rawSession(port: number, maker: CaseMaker, index: number): Promise<RawOutcome> {
  const c = pickCase(maker, index);
  const out: RawOutcome = { family: c.family, upgraded: false, replies: [] };
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port });
    const chunks: Buffer[] = [];
    let headerDone = false;
    const guard = setTimeout(() => socket.destroy(), 10_000); // a hang would otherwise stall the run
    socket.on('error', () => {});
    socket.on('connect', () => {
      if (c.handshake === 'none') return void socket.end(c.bytes);
      const key = randomBytes(16).toString('base64');
      socket.write(handshake(c.handshake === 'wrong-path' ? '/elsewhere' : '/signal', c.handshake === 'no-key' ? null : key));
    });
    socket.on('data', (d: Buffer) => {
      chunks.push(d);
      if (headerDone) return;
      const all = Buffer.concat(chunks);
      const end = all.indexOf('\r\n\r\n');
      if (end < 0) return;
      headerDone = true;
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(all.subarray(0, end).toString('latin1'))?.[1] ?? 0);
      chunks.length = 0;
      chunks.push(all.subarray(end + 4));
      if (status !== 101) return void (out.status = status);
      out.upgraded = true;
      // Half-close after the hostile bytes: the server reads them all, answers, then ends too.
      socket.end(c.bytes);
    });
    socket.on('close', () => {
      clearTimeout(guard);
      if (out.upgraded) parseServerFrames(Buffer.concat(chunks), out);
      resolve(out);
    });
  });
}
