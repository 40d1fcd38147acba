/** Golden bytes of the rpc frame layout v1 (src/core/wire/frame.ts) and its strictness. */
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes } from '../../../src/core/bytes.js';
import { DISCARDED, Reassembler } from '../../../src/core/wire/assembler.js';
import { FrameError } from '../../../src/core/wire/errors.js';
import { decodeErrorBody, decodeFrame, encodeErrorBody, encodeFrame, FrameKind, messageFrames, namePrefix } from '../../../src/core/wire/frame.js';

describe('frame layout v1', () => {
  it('encodes a one-frame request exactly (golden bytes)', () => {
    const frames = [...messageFrames(FrameKind.REQUEST, 7, namePrefix('ping'), hexToBytes('aabb'), 65_536)];
    expect(frames.map(bytesToHex)).toEqual(['01' + '01' + '00000007' + '00000007' + '00000000' + '04' + '70696e67' + 'aabb']);
  });

  it('encodes response, error and cancel frames exactly (golden bytes)', () => {
    expect(bytesToHex(encodeFrame(FrameKind.RESPONSE, 0xfffffffe, 3, 0, hexToBytes('010203')))).toBe('0102fffffffe000000030000000001' + '0203');
    expect(bytesToHex(encodeFrame(FrameKind.ERROR, 1, 6, 0, encodeErrorBody('E', 'oops')))).toBe('010300000001000000060000000001' + '45' + '6f6f7073');
    expect(bytesToHex(encodeFrame(FrameKind.CANCEL, 258, 0, 0, new Uint8Array(0)))).toBe('0104000001020000000000000000');
  });

  it('cuts a message under the frame size, straddling the method and payload, and reassembles it', () => {
    const payload = Uint8Array.from({ length: 200 }, (_, i) => i);
    const frames = [...messageFrames(FrameKind.REQUEST, 9, namePrefix('m'), payload.subarray(0), 14 + 65)];
    expect(frames.map((f) => f.length - 14)).toEqual([65, 65, 65, 7]);
    expect(frames.map((f) => decodeFrame(f).offset)).toEqual([0, 65, 130, 195]);
    const r = new Reassembler(1 << 20, 1 << 20);
    const out = frames.map((f) => r.push(decodeFrame(f)));
    expect(out.slice(0, 3)).toEqual([null, null, null]);
    const last = out[3];
    expect(last).not.toBe(DISCARDED);
    expect(last && last !== DISCARDED && last.method).toBe('m');
    expect(last && last !== DISCARDED && [...last.payload]).toEqual([...payload]);
    expect(r.bytesInProgress).toBe(0);
  });

  it('hands a one-frame message on as a view (no copy)', () => {
    const [frame] = [...messageFrames(FrameKind.RESPONSE, 1, new Uint8Array(0), hexToBytes('0102'), 1000)];
    const got = new Reassembler(100, 100).push(decodeFrame(frame!));
    expect(got && got !== DISCARDED && got.payload.buffer).toBe(frame!.buffer);
  });

  it.each([
    ['shorter than the header', '01010000000100000001000000'],
    ['an unknown version', '02020000000100000001000000' + '0000'],
    ['an unknown kind', '01050000000100000001000000' + '0000'],
    ['kind 0', '01000000000100000001000000' + '0000'],
    ['a cancel with a body', '0104000000010000000100000000' + 'ff'],
    ['a frame past the message end', '0102000000010000000200000001' + 'aabb'],
    ['an empty frame of a non-empty message', '0102000000010000000200000000'],
  ])('refuses %s with FrameError', (_what, hex) => {
    expect(() => decodeFrame(hexToBytes(hex))).toThrow(FrameError);
  });

  it('refuses frames that do not continue their message, and forgets it', () => {
    const r = new Reassembler(1000, 1000);
    expect(() => r.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 1, 10, 5, new Uint8Array(5))))).toThrow(/never started/);
    expect(r.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 1, 10, 0, new Uint8Array(4))))).toBeNull();
    expect(r.bytesInProgress).toBe(10);
    expect(() => r.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 1, 10, 5, new Uint8Array(5))))).toThrow(/does not continue/);
    expect(r.bytesInProgress).toBe(0);
    expect(() => r.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 2, 1001, 0, new Uint8Array(1))))).toThrow(/over the limit/);
    const small = new Reassembler(1000, 15);
    expect(small.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 3, 10, 0, new Uint8Array(1))))).toBeNull();
    expect(() => small.push(decodeFrame(encodeFrame(FrameKind.RESPONSE, 4, 10, 0, new Uint8Array(1))))).toThrow(/reassembly/);
  });

  it('refuses a request whose method is missing, too long or not ASCII words', () => {
    const r = new Reassembler(1000, 1000);
    for (const body of ['00', '05616263', '02e282', '41' + '61'.repeat(65)]) {
      expect(() => r.push(decodeFrame(encodeFrame(FrameKind.REQUEST, 1, body.length / 2, 0, hexToBytes(body))))).toThrow(FrameError);
    }
  });

  it('error bodies: names sanitized, messages cut on a character boundary, bad UTF-8 refused', () => {
    expect(decodeErrorBody(encodeErrorBody('Bad Name!', 'x'))).toEqual({ name: 'Error', message: 'x' });
    const long = decodeErrorBody(encodeErrorBody('E', 'é'.repeat(2000)));
    expect(long.message).toBe('é'.repeat(512));
    expect(() => decodeErrorBody(hexToBytes('0145ff'))).toThrow(FrameError);
    expect(() => decodeErrorBody(hexToBytes('00'))).toThrow(FrameError);
  });
});
