/** Rpc under faults (src/core/wire/rpc.ts over MemoryLink, FakeClock): hung peers, timeouts, abort, loss, bad frames, bounds. */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair, type MemoryLinkInit } from '../../../src/adapters/memory/memory-link.js';
import { encodeFrame, FrameKind } from '../../../src/core/wire/frame.js';
import { createRpc, type RpcInit } from '../../../src/core/wire/rpc.js';
import { FakeClock } from '../../fakes/fake-clock.js';

const signal = (): AbortSignal => new AbortController().signal;
const bytes = (n: number, fill = 1): Uint8Array => new Uint8Array(n).fill(fill);

function setup(opts: { link?: Partial<MemoryLinkInit>; client?: Partial<RpcInit>; server?: Partial<RpcInit> } = {}) {
  const clock = new FakeClock();
  const [a, b] = createMemoryLinkPair(opts.link);
  const client = createRpc({ link: a, clock }, opts.client);
  const server = createRpc({ link: b, clock }, opts.server);
  return { clock, a, b, client, server };
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

function gate(): { open(): void; wait: Promise<void> } {
  let open!: () => void;
  const wait = new Promise<void>((r) => (open = r));
  return { open, wait };
}

describe('rpc under faults', () => {
  it('a hung peer times out with PeerTimeoutError; its late answer is ignored and counted', async () => {
    const { clock, b, client, server } = setup();
    server.handle('read', async () => bytes(3));
    const hang = gate();
    b.hungUntil = hang.wait;
    const req = client.request('read', bytes(1), { signal: signal(), timeoutMs: 5000 });
    const outcome = req.then(() => 'answered', (e: Error) => e.name);
    await clock.advance(4999);
    expect(await Promise.race([outcome, Promise.resolve('still waiting')])).toBe('still waiting');
    await clock.advance(1);
    expect(await outcome).toBe('PeerTimeoutError');
    expect(client.stats()).toMatchObject({ timeouts: 1, pending: 0, cancelsSent: 1 });
    hang.open();
    await settle();
    expect(client.stats().unknownReplies).toBe(1);
    expect(client.closed).toBe(false);
  });

  it('requests without timeoutMs use defaultTimeoutMs', async () => {
    const { clock, client, server } = setup({ client: { defaultTimeoutMs: 100 } });
    server.handle('never', () => new Promise(() => {}));
    const req = client.request('never', bytes(1), { signal: signal() }).catch((e: Error) => e.name);
    await clock.advance(100);
    expect(await req).toBe('PeerTimeoutError');
  });

  it('abort in the middle of a 5 MiB request sends a cancel; the peer frees what it had assembled', async () => {
    const { a, client, server } = setup();
    let called = false;
    server.handle('put', async () => ((called = true), bytes(1)));
    const ac = new AbortController();
    let frames = 0;
    a.filter = (f) => {
      if (++frames === 10) ac.abort(new Error('stop'));
      return f;
    };
    await expect(client.request('put', bytes(5 * 1024 * 1024), { signal: ac.signal })).rejects.toThrow('stop');
    await settle();
    expect(called).toBe(false);
    expect(server.stats()).toMatchObject({ cancelsReceived: 1, reassemblyBytes: 0, inbound: 0 });
    expect(client.stats()).toMatchObject({ aborted: 1, cancelsSent: 1, pending: 0 });
    server.handle('put', async () => bytes(1, 9));
    expect(await client.request('put', bytes(300_000), { signal: signal() })).toEqual(bytes(1, 9));
  });

  it('a dropped connection fails pending requests with PeerClosedError and aborts running handlers', async () => {
    const { a, client, server } = setup();
    const handlerAborted = gate();
    server.handle('slow', (_p, { signal: s }) => new Promise((_r, rej) => s.addEventListener('abort', () => (handlerAborted.open(), rej(s.reason)))));
    const req = client.request('slow', bytes(10), { signal: signal() }).catch((e: Error) => e);
    await settle();
    a.drop('ICE failed');
    const err = await req;
    expect(err).toMatchObject({ name: 'PeerClosedError' });
    expect((err as Error).message).toContain('ICE failed');
    await handlerAborted.wait;
    expect(client.closed && server.closed).toBe(true);
  });

  it('a broken link rejects sends with PeerClosedError', async () => {
    const { a, client } = setup();
    a.broken = true;
    await expect(client.request('x', bytes(1), { signal: signal() })).rejects.toMatchObject({ name: 'PeerClosedError' });
  });

  it('garbage frames are counted; past the bound the link is closed', async () => {
    const { a, client, server } = setup({ client: { maxMalformed: 3 } });
    server.handle('ok', async () => bytes(1));
    a.inject(new Uint8Array([9, 9, 9]));
    a.inject(new Uint8Array(0));
    a.inject(encodeFrame(FrameKind.RESPONSE, 1, 2, 3, bytes(1))); // past its message's end
    expect(client.stats().malformedFrames).toBe(3);
    expect(client.closed).toBe(false);
    expect(await client.request('ok', bytes(1), { signal: signal() })).toEqual(bytes(1));
    const closed = new Promise<string>((r) => server.onClose(r));
    a.inject(new Uint8Array([1]));
    expect(client.closed).toBe(true);
    expect(await closed).toContain('malformed');
  });

  it('a frame corrupted in the middle of a response fails that request with FrameError', async () => {
    const { b, client, server } = setup();
    server.handle('get', async () => bytes(300_000));
    let n = 0;
    b.filter = (f) => {
      if (++n === 3) {
        const bad = f.slice();
        bad[13] = bad[13]! ^ 1; // the offset field
        return bad;
      }
      return f;
    };
    await expect(client.request('get', bytes(1), { signal: signal() })).rejects.toMatchObject({ name: 'FrameError' });
    expect(client.stats().malformedFrames).toBe(1);
    expect(client.stats().reassemblyBytes).toBe(0);
  });

  it('replies to requests never made are ignored and counted', async () => {
    const { a, client, server } = setup();
    server.handle('ok', async () => bytes(2));
    a.inject(encodeFrame(FrameKind.RESPONSE, 999, 3, 0, bytes(3)));
    a.inject(encodeFrame(FrameKind.ERROR, 998, 3, 0, new Uint8Array([1, 0x45, 0x41])));
    a.inject(encodeFrame(FrameKind.CANCEL, 997, 0, 0, new Uint8Array(0)));
    expect(client.stats()).toMatchObject({ unknownReplies: 2, malformedFrames: 0, cancelsReceived: 1 });
    expect(await client.request('ok', bytes(1), { signal: signal() })).toEqual(bytes(2));
  });

  it('a request id already in use is malformed', async () => {
    const { a, client } = setup();
    const first = encodeFrame(FrameKind.REQUEST, 5, 100, 0, new Uint8Array([1, 0x6d, 0, 0]));
    a.inject(first);
    a.inject(first);
    expect(client.stats().malformedFrames).toBe(1);
  });

  it('beyond maxInbound the peer answers PeerBusyError, and discards a refused large request cleanly', async () => {
    const { client, server } = setup({ server: { maxInbound: 2 } });
    const g = gate();
    server.handle('wait', async () => (await g.wait, bytes(1, 7)));
    const reqs = Array.from({ length: 5 }, () => client.request('wait', bytes(200_000), { signal: signal() }).then((r) => r[0], (e: Error) => e.name));
    await settle();
    g.open();
    const got = await Promise.all(reqs);
    expect(got.filter((x) => x === 7)).toHaveLength(2);
    expect(got.filter((x) => x === 'PeerBusyError')).toHaveLength(3);
    await settle();
    expect(server.stats()).toMatchObject({ busyRefused: 3, reassemblyBytes: 0, inbound: 0, malformedFrames: 0 });
    expect(await client.request('wait', bytes(1), { signal: signal() })).toEqual(bytes(1, 7));
  });

  it('beyond maxInboundBytes of requests held at once the peer answers PeerBusyError, and frees them when handled', async () => {
    const { client, server } = setup({ server: { maxInboundBytes: 1024 * 1024 } });
    const g = gate();
    server.handle('store', async (p) => (await g.wait, new Uint8Array([p.length >>> 16])));
    const reqs = [0, 1, 2].map(() => client.request('store', bytes(600 * 1024), { signal: signal() }).then((r) => r[0], (e: Error) => e.name));
    await settle();
    expect(server.stats().inboundBytes).toBeGreaterThanOrEqual(600 * 1024);
    g.open();
    expect((await Promise.all(reqs)).sort()).toEqual([9, 'PeerBusyError', 'PeerBusyError'].sort());
    await settle();
    expect(server.stats()).toMatchObject({ inboundBytes: 0, reassemblyBytes: 0, busyRefused: 2, malformedFrames: 0 });
    expect(await client.request('store', bytes(900 * 1024), { signal: signal() })).toEqual(new Uint8Array([14]));
  });

  it('beyond maxPending further requests wait for a slot (and can be aborted while waiting)', async () => {
    const { client, server } = setup({ client: { maxPending: 2 } });
    let running = 0;
    let most = 0;
    server.handle('work', async (p) => {
      most = Math.max(most, ++running);
      await settle();
      running--;
      return p;
    });
    const ac = new AbortController();
    const waiting = client.request('work', bytes(1), { signal: ac.signal });
    const all = Array.from({ length: 10 }, (_, i) => client.request('work', bytes(1, i), { signal: signal() }));
    ac.abort(new Error('not needed'));
    await expect(waiting).resolves.toBeDefined(); // it had a slot already: it runs
    const results = await Promise.all(all);
    expect(results.map((r) => r[0])).toEqual([...Array(10).keys()]);
    expect(most).toBe(2);
    const blockers = [client.request('work', bytes(1), { signal: signal() }), client.request('work', bytes(1), { signal: signal() })];
    const ac2 = new AbortController();
    const queued = client.request('work', bytes(1), { signal: ac2.signal });
    ac2.abort(new Error('gave up in the queue'));
    await expect(queued).rejects.toThrow('gave up in the queue');
    await Promise.all(blockers);
  });

  it('a handler that returns something other than bytes gives RemoteError(TypeError)', async () => {
    const { client, server } = setup();
    server.handle('bad', async () => 'text' as unknown as Uint8Array);
    await expect(client.request('bad', bytes(1), { signal: signal() })).rejects.toMatchObject({ name: 'RemoteError', remoteName: 'TypeError' });
  });

  it('validates its arguments at the edge', async () => {
    const { client } = setup({ client: { maxMessageBytes: 1000 } });
    await expect(client.request('bad name', bytes(1), { signal: signal() })).rejects.toThrow(RangeError);
    await expect(client.request('m', 'x' as unknown as Uint8Array, { signal: signal() })).rejects.toThrow(TypeError);
    await expect(client.request('m', bytes(1), {} as { signal: AbortSignal })).rejects.toThrow(TypeError);
    await expect(client.request('m', bytes(1000), { signal: signal() })).rejects.toThrow(/over the rpc limit/);
    await expect(client.request('m', bytes(1), { signal: signal(), timeoutMs: 0 })).rejects.toThrow(RangeError);
    await expect(client.request('m', bytes(1), { signal: AbortSignal.abort(new Error('already')) })).rejects.toThrow('already');
    expect(() => client.handle('', async () => bytes(1))).toThrow(RangeError);
  });

  it('works over a link with latency and a small frame limit', async () => {
    const { client, server } = setup({ link: { maxFrameBytes: 1024, latency: 1 }, client: { frameBytes: 65_536 }, server: { frameBytes: 65_536 } });
    server.handle('echo', async (p) => p);
    const big = Uint8Array.from({ length: 50_000 }, (_, i) => i * 7);
    const back = await client.request('echo', big, { signal: signal() });
    expect(Buffer.compare(back, big)).toBe(0);
  });
});

describe('MemoryLink latency on an injected clock', () => {
  it('delivers after exactly the latency of the fake clock', async () => {
    const clock = new FakeClock();
    const [a, b] = createMemoryLinkPair({ latency: 250, clock });
    const got: number[] = [];
    b.onMessage((f) => got.push(f[0]!));
    await a.send(new Uint8Array([1]), { signal: signal() });
    await clock.advance(249);
    expect(got).toEqual([]);
    await clock.advance(1);
    expect(got).toEqual([1]);
    const client = createRpc({ link: a, clock });
    const server = createRpc({ link: b, clock });
    server.handle('x', async (p) => p);
    const req = client.request('x', bytes(3), { signal: signal(), timeoutMs: 10_000 });
    await clock.advance(500);
    expect(await req).toEqual(bytes(3));
  });
});
