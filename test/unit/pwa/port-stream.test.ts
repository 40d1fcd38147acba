/** The pull-driven byte stream over a MessagePort (service-worker downloads and media ranges), in Node's MessageChannel. */
import { describe, expect, it } from 'vitest';
import { portReadable, servePort } from '../../../src/adapters/pwa/port-stream.js';
import { contentDisposition } from '../../../src/adapters/pwa/protocol.js';
import { parseRange } from '../../../src/adapters/pwa/sw-routes.js';
import { resolveRange } from '../../../src/app/media-host.js';

async function* chunks(n: number, size: number, log: number[]): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < n; i++) {
    log.push(i);
    // A view into a larger buffer: what crosses the port must be exactly these bytes.
    const big = new Uint8Array(size + 8).fill(i);
    yield big.subarray(4, 4 + size);
  }
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  const reader = stream.getReader();
  for (;;) {
    const r = await reader.read();
    if (r.done) return out;
    out.push(r.value);
  }
}

describe('port stream', () => {
  it('carries every chunk in order, exactly, and ends', async () => {
    const { port1, port2 } = new MessageChannel();
    const log: number[] = [];
    const done: string[] = [];
    servePort(port1, chunks(5, 1000, log), { onDone: (o) => done.push(o) });
    const got = await readAll(portReadable(port2));
    expect(got.map((c) => [c.length, c[0]])).toEqual([0, 1, 2, 3, 4].map((i) => [1000, i]));
    expect(got.every((c) => c.byteOffset === 0 && c.buffer.byteLength === 1000)).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    expect(done).toEqual(['end']);
  });

  it('produces chunks only as they are pulled, and a cancel stops the source', async () => {
    const { port1, port2 } = new MessageChannel();
    const log: number[] = [];
    const done: string[] = [];
    servePort(port1, chunks(1000, 10, log), { onDone: (o) => done.push(o) });
    const reader = portReadable(port2).getReader();
    await reader.read();
    await reader.read();
    await new Promise((r) => setTimeout(r, 20));
    // Two read, one more asked for ahead (highWaterMark 1): nowhere near the thousand.
    expect(log.length).toBeLessThanOrEqual(4);
    await reader.cancel('seeked elsewhere');
    await new Promise((r) => setTimeout(r, 20));
    expect(done).toEqual(['cancelled']);
    expect(log.length).toBeLessThanOrEqual(4);
  });

  it('a failing source or an abort errors the stream with words', async () => {
    const { port1, port2 } = new MessageChannel();
    async function* failing(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(3);
      throw new Error('found 1 of the 3 shares needed');
    }
    servePort(port1, failing());
    await expect(readAll(portReadable(port2))).rejects.toThrow('found 1 of the 3 shares needed');

    const c2 = new MessageChannel();
    const abort = new AbortController();
    servePort(c2.port1, chunks(1000, 10, []), { signal: abort.signal });
    const reader = portReadable(c2.port2).getReader();
    await reader.read();
    abort.abort(new Error('the save was cancelled'));
    await expect((async () => { for (;;) if ((await reader.read()).done) return; })()).rejects.toThrow('the save was cancelled');
  });
});

describe('ranges and headers', () => {
  it('parses one-range headers as the player sends them', () => {
    expect(parseRange(null)).toEqual({ start: 0, whole: true });
    expect(parseRange('bytes=0-')).toEqual({ start: 0 });
    expect(parseRange('bytes=100-199')).toEqual({ start: 100, end: 199 });
    expect(parseRange('bytes=-500')).toEqual({ start: 0, suffix: 500 });
    expect(parseRange('bytes=0-1,5-6')).toEqual({ start: 0, whole: true });
    expect(parseRange('items=0-1')).toEqual({ start: 0, whole: true });
  });

  it('resolves a range against the size, or says it cannot be satisfied', () => {
    expect(resolveRange({ start: 0, whole: true }, 1000)).toEqual({ start: 0, end: 999 });
    expect(resolveRange({ start: 10 }, 1000)).toEqual({ start: 10, end: 999 });
    expect(resolveRange({ start: 10, end: 5000 }, 1000)).toEqual({ start: 10, end: 999 });
    expect(resolveRange({ start: 0, suffix: 100 }, 1000)).toEqual({ start: 900, end: 999 });
    expect(resolveRange({ start: 0, suffix: 5000 }, 1000)).toEqual({ start: 0, end: 999 });
    expect(resolveRange({ start: 1000 }, 1000)).toBeUndefined();
    expect(resolveRange({ start: 20, end: 10 }, 1000)).toBeUndefined();
  });

  it('names any file in Content-Disposition, with a plain fallback', () => {
    expect(contentDisposition('attachment', 'a.bin')).toBe(`attachment; filename="a.bin"; filename*=UTF-8''a.bin`);
    expect(contentDisposition('inline', 'ça "x".mp4')).toBe(`inline; filename="_a _x_.mp4"; filename*=UTF-8''%C3%A7a%20%22x%22.mp4`);
  });
});
