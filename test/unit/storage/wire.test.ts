/** The storage protocol over rpc: a remote node behaves as a local one; payloads are strict and pinned. */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { bytesToHex, equalBytes, hexToBytes } from '../../../src/core/bytes.js';
import { MAX_SHARE_WRITE_BYTES } from '../../../src/core/limits.js';
import type { StorageApi } from '../../../src/core/storage/api.js';
import { CapacityExceededError, ShareNotAllocatedError, StorageWireError } from '../../../src/core/storage/errors.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { serveStorage, storageClient } from '../../../src/core/storage/wire.js';
import { STORAGE_METHODS } from '../../../src/core/storage/wire-layout.js';
import { RemoteError } from '../../../src/core/wire/errors.js';
import { createRpc } from '../../../src/core/wire/rpc.js';
import type { Rpc } from '../../../src/core/wire/rpc-port.js';
import { FakeClock } from '../../fakes/fake-clock.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const renew = patternBytes(32, 1);
const cancel = patternBytes(32, 2);

function newServer(capacityBytes = 10_000) {
  const clock = { t: 5000, now() { return this.t; } };
  return new StorageServer({ store: new MemoryShareStore(), clock }, { nodeId: 'node-remote', capacityBytes });
}

function connect(server: StorageApi) {
  const [a, b] = createMemoryLinkPair();
  const clock = new FakeClock();
  const clientRpc = createRpc({ link: a, clock });
  const serverRpc = createRpc({ link: b, clock });
  const service = serveStorage(serverRpc, server);
  return { client: storageClient(clientRpc), clientRpc, serverRpc, service };
}

/** Runs one fixed scenario and writes down every answer and every error's class and message. */
async function transcript(api: StorageApi): Promise<unknown[]> {
  const out: unknown[] = [];
  const step = async (what: string, f: () => Promise<unknown>) => {
    try {
      const r = await f();
      out.push([what, r instanceof Uint8Array ? bytesToHex(r) : r]);
    } catch (err) {
      const e = err as Error;
      out.push([what, 'threw', e.constructor.name, e.name, e.message]);
    }
  };
  const data = patternBytes(3000, 7);
  await step('version', () => api.getVersion(opts()));
  await step('allocate', () => api.allocateBuckets(si(1), renew, cancel, [2, 0, 1, 3, 4], 3000, opts()));
  await step('allocate full', () => api.allocateBuckets(si(2), renew, cancel, [0], 3000, opts()));
  await step('write', () => api.writeShare(si(1), 0, 0, data, opts()));
  await step('write conflict', () => api.writeShare(si(1), 0, 10, patternBytes(5, 1), opts()));
  await step('write past end', () => api.writeShare(si(1), 0, 2999, patternBytes(2, 1), opts()));
  await step('write unallocated', () => api.writeShare(si(1), 9, 0, data, opts()));
  await step('read pending', () => api.readShare(si(1), 0, 0, 10, opts()));
  await step('close', () => api.closeShare(si(1), 0, opts()));
  await step('close again', () => api.closeShare(si(1), 0, opts()));
  await step('abort', () => api.abortShare(si(1), 1, opts()));
  await step('list', () => api.listShares(si(1), opts()));
  await step('read', () => api.readShare(si(1), 0, 2990, 100, opts()));
  await step('read empty', () => api.readShare(si(1), 0, 5000, 100, opts()));
  await step('lease', () => api.addLease(si(1), renew, cancel, opts()));
  await step('lease unknown', () => api.addLease(si(9), renew, cancel, opts()));
  await step('corrupt', () => api.adviseCorruptShare(si(1), 0, 'block 0 is bad: ünïcode', opts()));
  await step('bad index', () => api.listShares(new Uint8Array(3), opts()));
  await step('bad share', () => api.readShare(si(1), 256, 0, 1, opts()));
  await step('version after', () => api.getVersion(opts()));
  return out;
}

describe('storage over rpc', () => {
  it('answers exactly as the local server does, errors included', async () => {
    const local = await transcript(newServer());
    const remote = await transcript(connect(newServer()).client);
    expect(remote).toEqual(local);
    expect(local.some((s) => (s as unknown[])[2] === 'CapacityExceededError')).toBe(true);
  });

  it('restores named errors as their classes, with the remote error as cause', async () => {
    const { client } = connect(newServer(100));
    const full = await client.allocateBuckets(si(1), renew, cancel, [0], 1000, opts()).catch((e: unknown) => e);
    expect(full).toBeInstanceOf(CapacityExceededError);
    expect((full as Error).message).toBe('this node has 100 bytes free, the share needs 1000 bytes');
    expect((full as Error).cause).toBeInstanceOf(RemoteError);
    await expect(client.closeShare(si(1), 0, opts())).rejects.toBeInstanceOf(ShareNotAllocatedError);
  });

  it('carries a share of the largest write size', async () => {
    const { client } = connect(newServer(2 * MAX_SHARE_WRITE_BYTES));
    const data = patternBytes(MAX_SHARE_WRITE_BYTES, 3);
    await client.allocateBuckets(si(1), renew, cancel, [0], data.length, opts());
    await client.writeShare(si(1), 0, 0, data, opts());
    await client.closeShare(si(1), 0, opts());
    // toEqual walks 16 Mi elements one by one (minutes); compare the bytes directly.
    expect(equalBytes(await client.readShare(si(1), 0, 0, data.length, opts()), data)).toBe(true);
  });

  it('aborts what a peer allocated and never closed when its link closes (Tahoe: lost connection)', async () => {
    const server = newServer();
    const { client, clientRpc, service } = connect(server);
    await client.allocateBuckets(si(1), renew, cancel, [0, 1, 2], 1000, opts());
    await client.writeShare(si(1), 0, 0, patternBytes(1000, 1), opts());
    await client.closeShare(si(1), 0, opts());
    await client.abortShare(si(1), 1, opts());
    expect(service.pendingShares).toBe(1);
    clientRpc.close('tab closed');
    await expect.poll(async () => (await server.getVersion(opts())).usedBytes).toBe(1000);
    expect(await server.listShares(si(1), opts())).toEqual([0]);
  });
});

/** An Rpc that answers every request with a fixed payload, and records what it was sent. */
function fakeRpc(answer: (method: string, payload: Uint8Array) => Uint8Array): Rpc & { sent: Array<[string, string]> } {
  const sent: Array<[string, string]> = [];
  return {
    sent,
    closed: false,
    request: async (method, payload) => {
      sent.push([method, bytesToHex(payload)]);
      return answer(method, payload);
    },
    handle: () => undefined,
    close: () => undefined,
    onClose: () => undefined,
  };
}

describe('payload layout (golden bytes)', () => {
  it('encodes requests as wire-layout.ts says', async () => {
    const rpc = fakeRpc(() => hexToBytes('01'));
    const client = storageClient(rpc);
    const index = hexToBytes('000102030405060708090a0b0c0d0e0f');
    await client.closeShare(index, 7, opts());
    await client.writeShare(index, 2, 0x1_0000_0001, hexToBytes('aabb'), opts());
    await client.readShare(index, 1, 5, 300, opts()).catch(() => undefined);
    await client.adviseCorruptShare(index, 255, 'é', opts());
    expect(rpc.sent).toEqual([
      [STORAGE_METHODS.closeShare, '01000102030405060708090a0b0c0d0e0f07'],
      [STORAGE_METHODS.writeShare, '01000102030405060708090a0b0c0d0e0f02' + '0000000100000001' + 'aabb'],
      [STORAGE_METHODS.readShare, '01000102030405060708090a0b0c0d0e0f01' + '0000000000000005' + '0000012c'],
      [STORAGE_METHODS.adviseCorruptShare, '01000102030405060708090a0b0c0d0e0fff' + 'c3a9'],
    ]);
    const alloc = fakeRpc(() => hexToBytes('01' + '0001' + '03' + '0002' + '0001'));
    const r = await storageClient(alloc).allocateBuckets(index, new Uint8Array(32).fill(0x11), new Uint8Array(32).fill(0x22), [3, 0, 1], 1000, opts());
    expect(r).toEqual({ alreadyHave: [3], allocated: [0, 1] });
    expect(alloc.sent[0]![1]).toBe('01' + bytesToHex(index) + '11'.repeat(32) + '22'.repeat(32) + '00000000000003e8' + '0003' + '030001');
  });

  it('decodes a getVersion answer', async () => {
    const answer = '01' + '02' + '6869' + '0000000000000064' + '00000000000000c8' + '000000000000012c' + '0000000000000190' + '00000001';
    expect(await storageClient(fakeRpc(() => hexToBytes(answer))).getVersion(opts())).toEqual({
      nodeId: 'hi', maxShareBytes: 100, availableBytes: 200, capacityBytes: 300, usedBytes: 400, protocolVersion: 1,
    });
  });
});

describe('hostile input', () => {
  it('a server refuses malformed requests with StorageWireError and counts them', async () => {
    const { clientRpc, service } = connect(newServer());
    const index = '000102030405060708090a0b0c0d0e0f';
    const bad: Array<[string, string]> = [
      [STORAGE_METHODS.getVersion, ''],
      [STORAGE_METHODS.getVersion, '02'],
      [STORAGE_METHODS.getVersion, '0100'],
      [STORAGE_METHODS.closeShare, '01' + index],
      [STORAGE_METHODS.closeShare, '01' + index + '0000'],
      [STORAGE_METHODS.listShares, '01' + index.slice(2)],
      [STORAGE_METHODS.allocateBuckets, '01' + index + '11'.repeat(64) + '0000000000000001' + '0002' + '0303'],
      [STORAGE_METHODS.allocateBuckets, '01' + index + '11'.repeat(64) + '0000000000000001' + '0101' + '00'.repeat(257)],
      [STORAGE_METHODS.allocateBuckets, '01' + index + '11'.repeat(64) + 'ffffffffffffffff' + '0000'],
      [STORAGE_METHODS.adviseCorruptShare, '01' + index + '00' + 'ff'],
      [STORAGE_METHODS.adviseCorruptShare, '01' + index + '00' + '61'.repeat(1025)],
      [STORAGE_METHODS.readShare, '01' + index + '00' + '00'.repeat(8)],
    ];
    for (const [method, hex] of bad) {
      const err = await clientRpc.request(method, hexToBytes(hex), opts()).catch((e: unknown) => e);
      expect(err, `${method} ${hex.slice(0, 40)}`).toBeInstanceOf(RemoteError);
      expect((err as RemoteError).remoteName, `${method} ${hex.slice(0, 40)}`).toBe('StorageWireError');
    }
    expect(service.malformedRequests).toBe(bad.length);
  });

  it('a client refuses malformed or impossible answers with StorageWireError', async () => {
    const index = si(1);
    const answers: Array<[(c: StorageApi) => Promise<unknown>, string]> = [
      [(c) => c.closeShare(index, 0, opts()), ''],
      [(c) => c.closeShare(index, 0, opts()), '0100'],
      [(c) => c.listShares(index, opts()), '01' + '0002' + '0503'],
      [(c) => c.listShares(index, opts()), '01' + '0002' + '05'],
      [(c) => c.allocateBuckets(index, renew, cancel, [0, 1], 10, opts()), '01' + '0001' + '07' + '0000'],
      [(c) => c.allocateBuckets(index, renew, cancel, [0, 1], 10, opts()), '01' + '0001' + '00' + '0001' + '00'],
      [(c) => c.readShare(index, 0, 0, 2, opts()), '01' + 'aabbcc'],
      [(c) => c.getVersion(opts()), '01' + '00' + '00'.repeat(36)],
      [(c) => c.getVersion(opts()), '01' + '01' + '61' + 'ff'.repeat(8) + '00'.repeat(28)],
    ];
    for (const [call, hex] of answers) {
      await expect(call(storageClient(fakeRpc(() => hexToBytes(hex)))), hex).rejects.toBeInstanceOf(StorageWireError);
    }
  });

  it('checks arguments before anything is sent, with the local messages', async () => {
    const rpc = fakeRpc(() => hexToBytes('01'));
    const client = storageClient(rpc);
    await expect(client.writeShare(si(1), 0, -1, new Uint8Array(1), opts())).rejects.toThrow(RangeError);
    await expect(client.writeShare(si(1), 0, 0, new Uint8Array(MAX_SHARE_WRITE_BYTES + 1), opts())).rejects.toThrow(RangeError);
    await expect(client.allocateBuckets(si(1), renew, cancel, [1, 1], 10, opts())).rejects.toThrow('twice');
    expect(rpc.sent).toEqual([]);
  });
});
