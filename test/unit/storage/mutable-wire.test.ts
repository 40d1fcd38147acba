/** The mutable slot protocol over rpc: a remote node behaves as a local one; payloads are strict and pinned. */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';
import { MemorySlotStore } from '../../../src/adapters/memory/memory-slot-store.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../../../src/core/bytes.js';
import { MAX_SLOT_SHARE_BYTES } from '../../../src/core/limits.js';
import { CapacityExceededError, StorageWireError } from '../../../src/core/storage/errors.js';
import type { MutableSlotApi, ShareTestAndWrite } from '../../../src/core/storage/mutable-api.js';
import { BadWriteEnablerError } from '../../../src/core/storage/mutable-errors.js';
import { MutableSlotServer } from '../../../src/core/storage/mutable-slot-server.js';
import { MUTABLE_METHODS, mutableClient, serveMutable } from '../../../src/core/storage/mutable-wire.js';
import { RemoteError } from '../../../src/core/wire/errors.js';
import { createRpc } from '../../../src/core/wire/rpc.js';
import type { Rpc } from '../../../src/core/wire/rpc-port.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const secrets = (seed = 1) => ({ writeEnabler: patternBytes(32, seed), renewSecret: patternBytes(32, seed + 10), cancelSecret: patternBytes(32, seed + 20) });
const absent = [{ offset: 0, length: 1, specimen: new Uint8Array(0) }];

function newServer(capacityBytes = 10_000) {
  return new MutableSlotServer({ store: new MemorySlotStore(), clock: { now: () => 5000 } }, { nodeId: 'node-remote', capacityBytes });
}

function connect(server: MutableSlotApi) {
  const [a, b] = createMemoryLinkPair();
  const clock = new FakeClock();
  const clientRpc = createRpc({ link: a, clock });
  const serverRpc = createRpc({ link: b, clock });
  const service = serveMutable(serverRpc, server);
  return { client: mutableClient(clientRpc), clientRpc, serverRpc, service };
}

async function transcript(api: MutableSlotApi): Promise<unknown[]> {
  const out: unknown[] = [];
  const show = (x: unknown): unknown => x === undefined ? 'done' : JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? bytesToHex(v) : v instanceof Map ? [...v] : v)));
  const step = async (what: string, f: () => Promise<unknown>) => {
    try {
      out.push([what, show(await f())]);
    } catch (err) {
      const e = err as Error;
      out.push([what, 'threw', e.constructor.name, e.name, e.message]);
    }
  };
  const tw = (data: Uint8Array, test: ShareTestAndWrite['test'] = [], newLength: number | null = null) => ({ test, write: [{ offset: 0, data }], newLength });
  const readv = [{ offset: 0, length: 4 }, { offset: 2, length: 100 }];
  await step('create', () => api.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, tw(utf8ToBytes('zero'), absent)], [5, tw(utf8ToBytes('five!'), absent)]]), readv, opts()));
  await step('create again', () => api.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, tw(utf8ToBytes('nope'), absent)]]), readv, opts()));
  await step('bad enabler', () => api.slotTestvAndReadvAndWritev(si(1), secrets(2), new Map([[0, tw(utf8ToBytes('evil'))]]), [], opts()));
  await step('update', () => api.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, tw(utf8ToBytes('ZERO'), [{ offset: 0, length: 4, specimen: utf8ToBytes('zero') }], 4)]]), [], opts()));
  await step('read some', () => api.slotReadv(si(1), [5], readv, opts()));
  await step('read all', () => api.slotReadv(si(1), [], readv, opts()));
  await step('read none', () => api.slotReadv(si(2), [], readv, opts()));
  await step('too big', () => api.slotTestvAndReadvAndWritev(si(2), secrets(), new Map([[0, tw(new Uint8Array(20_000))]]), [], opts()));
  await step('lease', () => api.addSlotLease(si(1), patternBytes(32, 3), patternBytes(32, 4), opts()));
  await step('lease unknown', () => api.addSlotLease(si(3), patternBytes(32, 3), patternBytes(32, 4), opts()));
  await step('corrupt', () => api.adviseCorruptSlotShare(si(1), 5, 'bad signature: ünïcode', opts()));
  await step('bad index', () => api.slotReadv(new Uint8Array(3), [], [], opts()));
  await step('delete', () => api.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, { test: [], write: [], newLength: 0 }], [5, { test: [], write: [], newLength: 0 }]]), [], opts()));
  await step('gone', () => api.slotReadv(si(1), [], readv, opts()));
  return out;
}

describe('slots over rpc', () => {
  it('answer exactly as the local server does, errors included', async () => {
    const local = await transcript(newServer());
    const remote = await transcript(connect(newServer()).client);
    expect(remote).toEqual(local);
    const names = local.filter((s) => (s as unknown[])[1] === 'threw').map((s) => (s as unknown[])[3]);
    expect(names).toEqual(['BadWriteEnablerError', 'CapacityExceededError', 'SlotNotFoundError', 'RangeError']);
  });

  it('restores named errors as their classes, with the remote error as cause', async () => {
    const { client } = connect(newServer(100));
    const err = await client.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, { test: [], write: [{ offset: 0, data: new Uint8Array(101) }], newLength: null }]]), [], opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CapacityExceededError);
    expect((err as Error).cause).toBeInstanceOf(RemoteError);
    await client.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, { test: [], write: [{ offset: 0, data: new Uint8Array(1) }], newLength: null }]]), [], opts());
    await expect(client.slotTestvAndReadvAndWritev(si(1), secrets(9), new Map(), [], opts())).rejects.toBeInstanceOf(BadWriteEnablerError);
  });

  it('carries a share of the largest size both ways', async () => {
    const { client } = connect(newServer(2 * MAX_SLOT_SHARE_BYTES));
    const data = patternBytes(MAX_SLOT_SHARE_BYTES, 3);
    await client.slotTestvAndReadvAndWritev(si(1), secrets(), new Map([[0, { test: absent, write: [{ offset: 0, data }], newLength: null }]]), [], opts());
    const read = await client.slotReadv(si(1), [0], [{ offset: 0, length: MAX_SLOT_SHARE_BYTES }], opts());
    expect(Buffer.compare(read.get(0)![0]!, data)).toBe(0);
  });

  it('counts malformed requests and answers them with StorageWireError', async () => {
    const { clientRpc, service } = connect(newServer());
    const err = await clientRpc.request(MUTABLE_METHODS.slotReadv, hexToBytes('01' + '00'.repeat(16) + '0000' + '01'), opts()).catch((e: unknown) => e);
    expect((err as RemoteError).remoteName).toBe('StorageWireError');
    expect(service.malformedRequests).toBe(1);
  });
});

/** An Rpc answering every request with a fixed payload, recording what it was sent. */
function fakeRpc(answer: (method: string) => Uint8Array): Rpc & { sent: Array<[string, string]> } {
  const sent: Array<[string, string]> = [];
  return {
    sent,
    closed: false,
    request: async (method, payload) => {
      sent.push([method, bytesToHex(payload)]);
      return answer(method);
    },
    handle: () => undefined,
    close: () => undefined,
    onClose: () => undefined,
  };
}

describe('payload layout (golden bytes)', () => {
  const index = hexToBytes('000102030405060708090a0b0c0d0e0f');
  const we = 'aa'.repeat(32);
  const renew = 'bb'.repeat(32);
  const cancel = 'cc'.repeat(32);
  it('encodes requests as mutable-wire.ts says', async () => {
    const rpc = fakeRpc((m) => hexToBytes(m === MUTABLE_METHODS.slotTestvAndReadvAndWritev ? '01010000' : m === MUTABLE_METHODS.slotReadv ? '010000' : '01'));
    const client = mutableClient(rpc);
    await client.slotReadv(index, [3, 1], [{ offset: 0x10, length: 0x200 }], opts());
    const tw = new Map([[2, { test: [{ offset: 0, length: 1, specimen: new Uint8Array(0) }], write: [{ offset: 5, data: hexToBytes('beef') }], newLength: 7 }]]);
    await client.slotTestvAndReadvAndWritev(index, { writeEnabler: hexToBytes(we), renewSecret: hexToBytes(renew), cancelSecret: hexToBytes(cancel) }, tw, [], opts());
    await client.addSlotLease(index, hexToBytes(renew), hexToBytes(cancel), opts());
    await client.adviseCorruptSlotShare(index, 9, 'é', opts());
    const si = bytesToHex(index);
    expect(rpc.sent).toEqual([
      [MUTABLE_METHODS.slotReadv, `01${si}0002030101` + '00000010' + '00000200'],
      [
        MUTABLE_METHODS.slotTestvAndReadvAndWritev,
        `01${si}${we}${renew}${cancel}` + '0001' + '02' + '01' + '00000000' + '00000001' + '0000' + '01' + '00000005' + '00000002' + 'beef' + '01' + '00000007' + '00',
      ],
      [MUTABLE_METHODS.addSlotLease, `01${si}${renew}${cancel}`],
      [MUTABLE_METHODS.adviseCorruptSlotShare, `01${si}09c3a9`],
    ]);
  });
  it('decodes answers strictly', async () => {
    const answer = (hex: string) => mutableClient(fakeRpc(() => hexToBytes(hex)));
    const readv = [{ offset: 0, length: 2 }];
    expect(await answer('010001' + '03' + '00000002' + 'abcd').slotReadv(index, [], readv, opts())).toEqual(new Map([[3, [hexToBytes('abcd')]]]));
    const bad = ['010001' + '03' + '00000003' + 'abcdef', '010002' + '03' + '00000000' + '03' + '00000000', '010001' + '04' + '00000000', '010001' + '03' + '00000001' + 'ab' + '00', '02'];
    for (const hex of bad) await expect(answer(hex).slotReadv(index, [3], readv, opts()), hex).rejects.toBeInstanceOf(StorageWireError);
    await expect(answer('01020000').slotTestvAndReadvAndWritev(index, secrets(), new Map(), [], opts())).rejects.toBeInstanceOf(StorageWireError);
  });
});
