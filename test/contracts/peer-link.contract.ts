/**
 * The PeerLink contract (STYLE.md house style 15): one suite every PeerLink implementation must
 * pass, with rpc run over it. Framework-free (plain async cases that throw), so Vitest runs it
 * against MemoryLink and a real browser page runs it against the simple-peer link.
 */
import { LINK_HIGH_WATERMARK_BYTES } from '../../src/core/limits.js';
import type { PeerLink } from '../../src/core/wire/link.js';
import { createRpc, type RpcClock } from '../../src/core/wire/rpc.js';

export interface ContractEnv {
  /** A fresh pair of joined links (a → b and b → a). */
  makePair(): Promise<[PeerLink, PeerLink]>;
  clock: RpcClock;
}

export interface ContractCase {
  name: string;
  run(env: ContractEnv): Promise<void>;
}

function assert(cond: unknown, what: string): asserts cond {
  if (!cond) throw new Error(`contract: ${what}`);
}

/** Deterministic bytes, different for each seed (cheap to check at both ends). */
export function patternBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

async function rejectsWith(p: Promise<unknown>, name: string): Promise<Error> {
  try {
    await p;
  } catch (err) {
    assert(err instanceof Error && err.name === name, `expected ${name}, got ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
    return err;
  }
  throw new Error(`contract: expected ${name}, but it resolved`);
}

function collect(link: PeerLink, count: number): Promise<Uint8Array[]> {
  return new Promise((resolve) => {
    const got: Uint8Array[] = [];
    const off = link.onMessage((f) => {
      got.push(f.slice());
      if (got.length === count) {
        off();
        resolve(got);
      }
    });
  });
}

const signal = (): AbortSignal => new AbortController().signal;

export const peerLinkContract: ContractCase[] = [
  {
    name: 'frames arrive whole and in order, both ways at once',
    async run({ makePair }) {
      const [a, b] = await makePair();
      const sizes = [1, 2, 100, 16_384, 65_536, 1, 200_000, a.maxFrameBytes, 3];
      const atB = collect(b, sizes.length);
      const atA = collect(a, sizes.length);
      await Promise.all([
        (async () => {
          for (const [i, n] of sizes.entries()) await a.send(patternBytes(n, i), { signal: signal() });
        })(),
        (async () => {
          for (const [i, n] of sizes.entries()) await b.send(patternBytes(n, 100 + i), { signal: signal() });
        })(),
      ]);
      const [gotB, gotA] = await Promise.all([atB, atA]);
      for (const [i, n] of sizes.entries()) {
        assert(sameBytes(gotB[i]!, patternBytes(n, i)), `frame ${i} (${n} bytes) a→b intact`);
        assert(sameBytes(gotA[i]!, patternBytes(n, 100 + i)), `frame ${i} (${n} bytes) b→a intact`);
      }
      a.close();
    },
  },
  {
    name: 'a frame one byte over maxFrameBytes is refused with FrameError; the link stays usable',
    async run({ makePair }) {
      const [a, b] = await makePair();
      await rejectsWith(a.send(new Uint8Array(a.maxFrameBytes + 1), { signal: signal() }), 'FrameError');
      const got = collect(b, 1);
      await a.send(new Uint8Array([7]), { signal: signal() });
      assert((await got)[0]![0] === 7, 'a frame after the refused one arrives');
      a.close();
    },
  },
  {
    name: 'frames that arrive before a receiver is set are held and handed over in order',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      for (let i = 0; i < 5; i++) await a.send(new Uint8Array([i]), { signal: signal() });
      await clock.sleep(50, { signal: signal() });
      const got = await collect(b, 5);
      assert(got.map((f) => f[0]).join() === '0,1,2,3,4', 'held frames in order');
      a.close();
    },
  },
  {
    name: 'send waits on backpressure: the buffered amount stays near the high watermark',
    async run({ makePair }) {
      const [a, b] = await makePair();
      let received = 0;
      b.onMessage((f) => void (received += f.length));
      const frame = a.maxFrameBytes;
      const total = 8 * 1024 * 1024;
      let maxSeen = 0;
      for (let sent = 0; sent < total; sent += frame) {
        await a.send(new Uint8Array(frame), { signal: signal() });
        maxSeen = Math.max(maxSeen, a.bufferedAmount);
      }
      assert(maxSeen <= LINK_HIGH_WATERMARK_BYTES + frame, `buffered amount ${maxSeen} stays under watermark + one frame`);
      while (received < total) await new Promise((r) => setTimeout(r, 5));
      a.close();
    },
  },
  {
    name: 'close reaches the other end; later sends reject with PeerClosedError',
    async run({ makePair }) {
      const [a, b] = await makePair();
      const heard = new Promise<string>((resolve) => b.onClose(resolve));
      a.close('test is done');
      assert(typeof (await heard) === 'string', 'the other end hears the close');
      assert(a.closed && b.closed, 'both ends report closed');
      await rejectsWith(a.send(new Uint8Array(1), { signal: signal() }), 'PeerClosedError');
      await rejectsWith(b.send(new Uint8Array(1), { signal: signal() }), 'PeerClosedError');
      let late = '';
      a.onClose((r) => void (late = r));
      assert(late.length > 0, 'onClose after the close is called at once');
    },
  },
  {
    name: 'rpc: small, empty and offset payloads, both directions',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      const echo = async (p: Uint8Array): Promise<Uint8Array> => p.slice().reverse();
      ra.handle('echo', echo);
      rb.handle('echo', echo);
      const backing = patternBytes(1000, 5);
      const view = backing.subarray(17, 517);
      const r1 = await ra.request('echo', view, { signal: signal() });
      assert(sameBytes(r1, view.slice().reverse()), 'subarray payload echoed');
      const r2 = await rb.request('echo', new Uint8Array(0), { signal: signal() });
      assert(r2.length === 0, 'empty payload echoed');
      ra.close();
    },
  },
  {
    name: 'rpc: a 5 MiB payload each way is chunked and reassembled intact',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      const big = patternBytes(5 * 1024 * 1024 + 3, 9);
      rb.handle('put', async (p) => new Uint8Array([sameBytes(p, big) ? 1 : 0]));
      rb.handle('get', async () => big);
      ra.handle('get', async () => big);
      const ok = await ra.request('put', big, { signal: signal() });
      assert(ok[0] === 1, '5 MiB request arrived intact');
      const [fromB, fromA] = await Promise.all([ra.request('get', new Uint8Array(0), { signal: signal() }), rb.request('get', new Uint8Array(0), { signal: signal() })]);
      assert(sameBytes(fromB, big) && sameBytes(fromA, big), '5 MiB responses intact both ways');
      ra.close();
    },
  },
  {
    name: 'rpc: 300 concurrent requests all get their own answers',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      rb.handle('double', async (p) => p.map((x) => (x * 2) & 0xff));
      const asks = Array.from({ length: 300 }, (_, i) => patternBytes(1 + (i % 7) * 9000, i));
      const answers = await Promise.all(asks.map((p) => ra.request('double', p, { signal: signal() })));
      for (const [i, p] of asks.entries()) assert(sameBytes(answers[i]!, p.map((x) => (x * 2) & 0xff)), `answer ${i} matches its request`);
      ra.close();
    },
  },
  {
    name: 'rpc: a throwing handler gives RemoteError with its name and message; unknown methods too',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      rb.handle('fail', async () => {
        throw new RangeError('share 7 is not here');
      });
      const e = (await rejectsWith(ra.request('fail', new Uint8Array(1), { signal: signal() }), 'RemoteError')) as Error & { remoteName: string };
      assert(e.remoteName === 'RangeError' && e.message.includes('share 7 is not here'), 'remote name and message carried');
      const u = (await rejectsWith(ra.request('nope', new Uint8Array(1), { signal: signal() }), 'RemoteError')) as Error & { remoteName: string };
      assert(u.remoteName === 'UnknownMethodError', 'unknown method named');
      assert(!ra.closed && !rb.closed, 'errors do not close the link');
      ra.close();
    },
  },
  {
    name: 'rpc: abort rejects with the reason and the remote handler sees its signal abort',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      let started!: () => void;
      const running = new Promise<void>((r) => (started = r));
      const remoteAborted = new Promise<void>((resolve) => {
        rb.handle('slow', (_p, { signal: s }) => {
          started();
          return new Promise((_res, rej) => s.addEventListener('abort', () => (resolve(), rej(s.reason))));
        });
      });
      const ac = new AbortController();
      const req = ra.request('slow', new Uint8Array(1), { signal: ac.signal });
      await running;
      ac.abort(new Error('the person pressed stop'));
      const err = await req.then(() => null, (e: unknown) => e);
      assert(err instanceof Error && err.message === 'the person pressed stop', 'rejects with the abort reason');
      await remoteAborted;
      ra.close();
    },
  },
  {
    name: 'rpc: closing fails pending requests with PeerClosedError on both sides',
    async run({ makePair, clock }) {
      const [a, b] = await makePair();
      const ra = createRpc({ link: a, clock });
      const rb = createRpc({ link: b, clock });
      rb.handle('never', () => new Promise(() => {}));
      ra.handle('never', () => new Promise(() => {}));
      const fromA = ra.request('never', new Uint8Array(1), { signal: signal() });
      const fromB = rb.request('never', new Uint8Array(1), { signal: signal() });
      await clock.sleep(50, { signal: signal() });
      const heard = new Promise<string>((r) => rb.onClose(r));
      ra.close('done here');
      await rejectsWith(fromA, 'PeerClosedError');
      await rejectsWith(fromB, 'PeerClosedError');
      await heard;
      assert(ra.closed && rb.closed, 'both rpcs closed');
      await rejectsWith(ra.request('never', new Uint8Array(1), { signal: signal() }), 'PeerClosedError');
    },
  },
];
