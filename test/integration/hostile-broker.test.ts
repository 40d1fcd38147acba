/**
 * The app's GridBroker with reputation (src/app/broker.ts over core/grid/reputation*.ts): a peer
 * whose replies are impossible is faulted on each, and past the threshold it leaves servers(),
 * connect() refuses it without dialling, and its link is closed.
 */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../src/adapters/memory/memory-link.js';
import { MemoryShareStore } from '../../src/adapters/memory/memory-share-store.js';
import { MemorySlotStore } from '../../src/adapters/memory/memory-slot-store.js';
import type { RtcPeers } from '../../src/adapters/rtc/peers.js';
import { GridBroker } from '../../src/app/broker.js';
import { REPUTATION_FAULT_THRESHOLD } from '../../src/core/limits.js';
import { MutableSlotServer } from '../../src/core/storage/mutable-slot-server.js';
import { StorageServer } from '../../src/core/storage/server.js';
import { serveStorage } from '../../src/core/storage/wire.js';
import { createRpc } from '../../src/core/wire/rpc.js';
import { FakeClock } from '../fakes/fake-clock.js';

const opts = () => ({ signal: new AbortController().signal });
const clock = { now: () => 5000 };

describe('GridBroker avoids a hostile peer', () => {
  it('impossible replies count; past the threshold the peer is left out, refused and disconnected', async () => {
    const liar = new StorageServer({ store: new MemoryShareStore(), clock }, { nodeId: 'liar' });
    const lying = new Proxy(liar, {
      get: (t, k) => (k === 'readShare' ? async () => new Uint8Array(64) : (Reflect.get(t, k) as (...a: unknown[]) => unknown).bind(t)),
    });
    const [a, b] = createMemoryLinkPair();
    serveStorage(createRpc({ link: b, clock: new FakeClock() }), lying);
    const rpc = createRpc({ link: a, clock: new FakeClock() });
    let dials = 0;
    const peers = { peerId: 'me', connect: async () => (dials++, rpc), connectedPeers: () => ['liar'] } as unknown as RtcPeers;
    const broker = new GridBroker({
      peers,
      present: () => ['liar', 'honest'],
      local: new StorageServer({ store: new MemoryShareStore(), clock }, { nodeId: 'me' }),
      localSlots: new MutableSlotServer({ store: new MemorySlotStore(), clock }, { nodeId: 'me', capacityBytes: 1000 }),
      touch: () => undefined,
      availableBytes: () => undefined,
    });
    const api = await broker.connect('liar', opts());
    for (let i = 0; i < REPUTATION_FAULT_THRESHOLD; i++) {
      // 64 bytes where 8 were asked for: no honest server answers so.
      const error = await api.readShare(new Uint8Array(16), 0, 0, 8, opts()).catch((e: Error) => e);
      expect((error as Error).name).toMatch(/^(ImpossibleReplyError|StorageWireError)$/);
    }
    expect(broker.reputation.avoid('liar')).toBe(true);
    expect(rpc.closed).toBe(true);
    expect(broker.servers().map((s) => s.nodeId).sort()).toEqual(['honest', 'me']);
    await expect(broker.connect('liar', opts())).rejects.toMatchObject({ name: 'AvoidedPeerError' });
    expect(dials).toBe(1);
  });
});
