/** GridBroker as a SlotBroker: the local slot server for this tab, a mutableClient per Rpc for peers (touching the link). */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { MemorySlotStore } from '../../../src/adapters/memory/memory-slot-store.js';
import type { RtcPeers } from '../../../src/adapters/rtc/peers.js';
import { GridBroker } from '../../../src/app/broker.js';
import { repairLockName } from '../../../src/app/durability.js';
import { MutableSlotServer } from '../../../src/core/storage/mutable-slot-server.js';
import { serveMutable } from '../../../src/core/storage/mutable-wire.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { createRpc } from '../../../src/core/wire/rpc.js';
import type { Rpc } from '../../../src/core/wire/rpc-port.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const clock = { now: () => 5000 };
const slotServer = (nodeId: string) => new MutableSlotServer({ store: new MemorySlotStore(), clock }, { nodeId, capacityBytes: 10_000 });

function setup() {
  const remote = slotServer('remote');
  const rpcs: Rpc[] = [];
  const dial = (): Rpc => {
    const [a, b] = createMemoryLinkPair();
    serveMutable(createRpc({ link: b, clock: new FakeClock() }), remote);
    const rpc = createRpc({ link: a, clock: new FakeClock() });
    rpcs.push(rpc);
    return rpc;
  };
  let current = dial();
  const peers = { peerId: 'me', connect: async () => current, connectedPeers: () => [] } as unknown as RtcPeers;
  const touched: string[] = [];
  const localSlots = slotServer('me');
  const broker = new GridBroker({
    peers,
    present: () => ['remote'],
    local: new StorageServer({ store: new MemoryShareStore(), clock }, { nodeId: 'me' }),
    localSlots,
    touch: (p) => touched.push(p),
    availableBytes: () => undefined,
  });
  return { broker, localSlots, remote, touched, redial: () => (current = dial()) };
}

describe('GridBroker.connectSlots', () => {
  it('answers this tab from its own slot server', async () => {
    const { broker, localSlots } = setup();
    expect(await broker.connectSlots('me', opts())).toBe(localSlots);
    await expect(broker.connectSlots(new Uint8Array(20), opts())).rejects.toThrow(TypeError);
  });

  it('reaches a peer over its Rpc, one client per Rpc, touching the link on each call', async () => {
    const { broker, remote, touched, redial } = setup();
    const client = await broker.connectSlots('remote', opts());
    expect(await broker.connectSlots('remote', opts())).toBe(client);
    const secrets = { writeEnabler: patternBytes(32, 1), renewSecret: patternBytes(32, 2), cancelSecret: patternBytes(32, 3) };
    const writes = new Map([[0, { test: [], write: [{ offset: 0, data: patternBytes(100, 4) }], newLength: null }]]);
    expect((await client.slotTestvAndReadvAndWritev(si(1), secrets, writes, [], opts())).written).toBe(true);
    expect(await remote.usedBytes(opts())).toBe(100);
    expect(touched).toEqual(['remote']);
    redial();
    expect(await broker.connectSlots('remote', opts())).not.toBe(client);
  });
});

describe('repairLockName', () => {
  it('is one name per person and grid, and does not show the lease secret', () => {
    const secret = patternBytes(32, 9);
    const name = repairLockName(secret, 'room-a');
    expect(name).toMatch(/^bric-repair-[0-9a-f]{32}$/);
    expect(repairLockName(secret, 'room-a')).toBe(name);
    expect(repairLockName(secret, 'room-b')).not.toBe(name);
    expect(repairLockName(patternBytes(32, 8), 'room-a')).not.toBe(name);
  });
});
