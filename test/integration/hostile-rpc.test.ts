/**
 * Hostile peers at the frame level (issue 7), over a MemoryLink with a real StorageServer and the
 * reputation watching the client: replies to requests never made, malformed and oversized frames,
 * a reply claiming a huge message, a malformed storage reply, a flood of requests at our server.
 * Every case: no crash, memory bounded (rpc counters), faults counted where the peer is at fault.
 */
import { describe, expect, it } from 'vitest';
import { MemoryShareStore } from '../../src/adapters/memory/memory-share-store.js';
import { createMemoryLinkPair } from '../../src/adapters/memory/memory-link.js';
import { watchStorage } from '../../src/core/grid/reputation-broker.js';
import { PeerReputation } from '../../src/core/grid/reputation.js';
import { MAX_RPC_CONCURRENT_INBOUND, MAX_RPC_MALFORMED_FRAMES, MAX_RPC_MESSAGE_BYTES } from '../../src/core/limits.js';
import type { StorageApi } from '../../src/core/storage/api.js';
import { StorageServer } from '../../src/core/storage/server.js';
import { serveStorage, storageClient } from '../../src/core/storage/wire.js';
import { encodeFrame, FrameKind, messageFrames, namePrefix } from '../../src/core/wire/frame.js';
import { createRpc } from '../../src/core/wire/rpc.js';
import { FakeClock } from '../fakes/fake-clock.js';

const signal = (): AbortSignal => new AbortController().signal;
const SI = new Uint8Array(16).fill(7);

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise<void>((r) => setImmediate(r));
}

function setup(serverApi?: (honest: StorageApi) => StorageApi) {
  const clock = new FakeClock();
  const [a, b] = createMemoryLinkPair({ latency: 0 });
  const clientRpc = createRpc({ link: a, clock });
  const serverRpc = createRpc({ link: b, clock });
  const honest = new StorageServer({ store: new MemoryShareStore(), clock: { now: () => 1_700_000_000_000 } }, { nodeId: 'evil', capacityBytes: 1 << 20 });
  serveStorage(serverRpc, serverApi ? serverApi(honest) : honest);
  const reputation = new PeerReputation({ clock });
  const api = watchStorage(storageClient(clientRpc), 'evil', reputation);
  return { clock, a, b, clientRpc, serverRpc, reputation, api };
}

/** A pending listShares whose answer the peer holds back (so we can answer in its place). */
function pendingList(s: ReturnType<typeof setup>) {
  s.b.hungUntil = new Promise(() => {});
  const outcome = s.api.listShares(SI, { signal: signal() }).then(
    (v) => ({ ok: v }),
    (e: Error) => ({ error: e.name }),
  );
  return outcome;
}

describe('hostile peers on the wire', () => {
  it('replies to requests never made are counted and ignored: nothing kept, the link keeps working', async () => {
    const s = setup();
    for (let id = 1000; id < 11_000; id++) {
      s.a.inject(encodeFrame(id % 2 === 0 ? FrameKind.RESPONSE : FrameKind.ERROR, id, 4, 0, new Uint8Array(4)));
    }
    await settle();
    expect(s.clientRpc.stats()).toMatchObject({ unknownReplies: 10_000, pending: 0, reassemblyBytes: 0 });
    expect(s.clientRpc.closed).toBe(false);
    expect(await s.api.listShares(SI, { signal: signal() })).toEqual([]);
    expect(s.reputation.faults('evil')).toBe(0);
  });

  it('malformed and oversized frames close the link past the bound, and the waiting request counts a fault', async () => {
    const s = setup();
    const outcome = pendingList(s);
    await settle();
    const junk = [new Uint8Array(3), new Uint8Array(MAX_RPC_MESSAGE_BYTES * 2).fill(0xff), Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9, 9)];
    for (let i = 0; i <= MAX_RPC_MALFORMED_FRAMES; i++) s.a.inject(junk[i % junk.length]!);
    await settle();
    expect(s.clientRpc.closed).toBe(true);
    expect(await outcome).toEqual({ error: 'PeerClosedError' });
    expect(s.reputation.report('evil').totals.dropped).toBe(1);
    expect(s.clientRpc.stats().reassemblyBytes).toBe(0);
  });

  it('a reply claiming a 4 GiB message is refused before any memory is set aside (a protocol fault)', async () => {
    const s = setup();
    const outcome = pendingList(s);
    await settle();
    s.a.inject(encodeFrame(FrameKind.RESPONSE, 1, 0xffff_ffff, 0, new Uint8Array(16)));
    await settle();
    expect(await outcome).toEqual({ error: 'FrameError' });
    expect(s.reputation.report('evil').totals.protocol).toBe(1);
    expect(s.clientRpc.stats().reassemblyBytes).toBe(0);
  });

  it('a malformed storage reply (bytes that are no share list) is a protocol fault, not a crash', async () => {
    const s = setup();
    const outcome = pendingList(s);
    await settle();
    s.a.inject(encodeFrame(FrameKind.RESPONSE, 1, 5, 0, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1)));
    await settle();
    expect(await outcome).toEqual({ error: 'StorageWireError' });
    expect(s.reputation.report('evil').totals.protocol).toBe(1);
  });

  it('three faults make the peer avoided: further calls are refused locally, without a request', async () => {
    const s = setup();
    for (let i = 0; i < 3; i++) {
      const outcome = pendingList(s);
      await settle();
      s.a.inject(encodeFrame(FrameKind.RESPONSE, i + 1, 5, 0, Uint8Array.of(0xff, 0xff, 0xff, 0xff, 1)));
      await settle();
      expect(await outcome).toEqual({ error: 'StorageWireError' });
    }
    expect(s.reputation.avoid('evil')).toBe(true);
    const sent = s.clientRpc.stats().requestsSent;
    await expect(s.api.getVersion({ signal: signal() })).rejects.toMatchObject({ name: 'AvoidedPeerError' });
    expect(s.clientRpc.stats().requestsSent).toBe(sent);
  });

  it('a flood of requests at our server: at most MAX_RPC_CONCURRENT_INBOUND run, the rest are refused busy, and it serves again after', async () => {
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const s = setup(
      (honest) =>
        new Proxy(honest, {
          get: (target, key, receiver) =>
            key === 'getVersion'
              ? async (opts: { signal: AbortSignal }) => {
                  await gate;
                  return target.getVersion(opts);
                }
              : (Reflect.get(target, key, receiver) as (...a: unknown[]) => unknown).bind(target),
        }),
    );
    const FLOOD = 10_000;
    for (let id = 1; id <= FLOOD; id++) for (const f of messageFrames(FrameKind.REQUEST, id, namePrefix('getVersion'), new Uint8Array(0), 65_536)) s.b.inject(f);
    await settle();
    const stats = s.serverRpc.stats();
    expect(stats.inbound).toBeLessThanOrEqual(MAX_RPC_CONCURRENT_INBOUND);
    expect(stats.busyRefused).toBe(FLOOD - MAX_RPC_CONCURRENT_INBOUND);
    release();
    await settle();
    expect(s.serverRpc.stats().inbound).toBe(0);
    expect(s.serverRpc.closed).toBe(false);
    expect(await s.api.listShares(SI, { signal: signal() })).toEqual([]);
  });
});
