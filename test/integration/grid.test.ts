/**
 * The grid client on the memory grid (real StorageServers, fault injection, a fake clock):
 * round trips of every awkward size, losing N−k nodes and one more, full nodes, too few nodes,
 * hung peers, connections dropped mid-upload and mid-download, corrupt replies, bounded load.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/core/bytes.js';
import { deriveStorageIndex } from '../../src/core/cap/storage-index.js';
import type { ChkReadCap } from '../../src/core/cap/types.js';
import { GridClient, type GridClientInit } from '../../src/core/grid/client.js';
import { permuteServers } from '../../src/core/grid/ring.js';
import { blockOffset, computeLayout } from '../../src/core/immutable/layout.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { effectiveParams, segmentation } from '../../src/core/immutable/segmentation.js';
import { bytesFileSource } from '../../src/core/immutable/source.js';
import { MemoryGrid, type MemoryGridInit, type MemoryNode } from '../fakes/memory-grid.js';

const SEGMENT = 4096;
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function setup(gridInit: MemoryGridInit = {}, clientInit: Partial<GridClientInit> = {}) {
  const grid = new MemoryGrid(gridInit);
  stops.push(grid.clock.startAuto(), () => grid.close());
  let counter = 0;
  const client = new GridClient(
    {
      broker: grid,
      clock: grid.clock,
      runner: createInThreadRunner(),
      randomBytes: (n) => Uint8Array.from({ length: n }, () => (counter = (counter * 1103515245 + 12345) >>> 0) & 255),
    },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), segmentSize: SEGMENT, ...clientInit },
  );
  return { grid, client };
}

function fileOf(size: number, seed = 1): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
}

const signal = (): AbortSignal => new AbortController().signal;

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(...parts);
}

async function upload(client: GridClient, data: Uint8Array) {
  return client.upload(bytesFileSource(data), { signal: signal() });
}

/** The nodes in the order the file's shares went to them (share i on ring[i] on a healthy grid). */
function ring(grid: MemoryGrid, cap: ChkReadCap): MemoryNode[] {
  return permuteServers(deriveStorageIndex(cap.key), grid.servers()).map((s) => grid.node(s.nodeId));
}

describe('grid round trips', () => {
  for (const size of [0, 1, 55, 56, 57, 4095, 4096, 4097, 3 * SEGMENT + 1234]) {
    it(`${size} bytes come back bit-exact`, async () => {
      const { grid, client } = setup();
      const data = fileOf(size, size + 1);
      const progress: [number, number][] = [];
      const result = await client.upload(bytesFileSource(data), { signal: signal(), onProgress: (done, total) => progress.push([done, total]) });
      if (size <= 55) {
        expect(result.cap.kind).toBe('lit');
        expect(grid.connects).toBe(0); // a LIT cap touches no server
      } else {
        expect(result.cap.kind).toBe('chk');
        expect(result.happiness).toBe(10);
      }
      const [done, total] = progress.at(-1)!;
      expect(done).toBe(total);
      expect(total).toBe(size <= 55 ? size : 2 * size); // convergent: one pass to hash, one to send
      expect(await collect(client.download(result.cap, { signal: signal() }))).toEqual(data);
    });
  }

  it('converges: the same file by the same person gives the same cap and no new shares', async () => {
    const { grid, client } = setup();
    const data = fileOf(10_000);
    const first = await upload(client, data);
    const writes = grid.total('writeShare');
    const second = await upload(client, data);
    expect(second.cap).toEqual(first.cap);
    expect(grid.total('writeShare')).toBe(writes); // every server already had its share
    expect(second.happiness).toBe(10);
  });

  it('random keys: two uploads of one file give two caps, both readable', async () => {
    const { client } = setup({}, { convergenceSecret: undefined });
    const data = fileOf(9_000);
    const a = await upload(client, data);
    const b = await upload(client, data);
    expect(a.cap).not.toEqual(b.cap);
    expect(await collect(client.download(b.cap, { signal: signal() }))).toEqual(data);
  });
});

describe('losing nodes', () => {
  it('downloads with N−k = 7 of 10 nodes gone', async () => {
    const { grid, client } = setup();
    const data = fileOf(3 * SEGMENT + 17);
    const { cap } = await upload(client, data);
    const order = ring(grid, cap as ChkReadCap);
    for (const node of order.slice(0, 7)) node.kill();
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });

  it('one more gone: NotEnoughSharesError, "found 2 of the 3 shares needed"', async () => {
    const { grid, client } = setup();
    const { cap } = await upload(client, fileOf(3 * SEGMENT + 17));
    for (const node of ring(grid, cap as ChkReadCap).slice(0, 8)) node.kill();
    const err = await collect(client.download(cap, { signal: signal() })).catch((e: unknown) => e);
    expect((err as Error).name).toBe('NotEnoughSharesError');
    expect((err as Error).message).toContain('found 2 of the 3 shares needed');
  });
});

describe('room and presence', () => {
  const shareBytes = 3 * SEGMENT; // well above one share of the 10 kB file below

  it('skips a full node; the upload succeeds on the others', async () => {
    const { grid, client } = setup({ capacityBytes: [100, ...Array<number>(9).fill(1 << 20)] });
    const data = fileOf(10_000);
    const result = await upload(client, data);
    expect(result.happiness).toBe(9);
    expect(grid.nodes[0]!.calls.writeShare).toBe(0);
    expect(await collect(client.download(result.cap, { signal: signal() }))).toEqual(data);
  });

  it('too many full nodes: "have room" with the numbers, no share data sent, nothing left claimed', async () => {
    const { grid, client } = setup({ capacityBytes: [...Array<number>(4).fill(100), ...Array<number>(6).fill(shareBytes)] });
    const err = await upload(client, fileOf(10_000)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('UploadUnhappinessError');
    expect((err as Error).message).toMatch(/only 6 of the 7 peers needed have room for a share of [\d.]+ kB \(4 are full\)/);
    expect(grid.total('writeShare')).toBe(0);
    expect(await grid.usedBytes()).toEqual(Array(10).fill(0));
  });

  it('fewer than happy nodes online: "only 6 of the 7 peers needed are online", no data sent', async () => {
    const { grid, client } = setup({ nodes: 6 });
    const err = await upload(client, fileOf(10_000)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('UploadUnhappinessError');
    expect((err as Error).message).toContain('only 6 of the 7 peers needed are online');
    expect(grid.total('writeShare')).toBe(0);
    expect(await grid.usedBytes()).toEqual(Array(6).fill(0));
  });

  it('nodes whose connections are dead count as not online, with what became of them', async () => {
    const { grid, client } = setup({ nodes: 9 });
    for (const node of grid.nodes.slice(0, 3)) node.setBroken(true);
    const err = await upload(client, fileOf(10_000)).catch((e: unknown) => e);
    expect((err as Error).message).toBe('Upload failed: only 6 of the 7 peers needed are online (3 did not answer)');
    expect(grid.total('writeShare')).toBe(0);
    expect(await grid.usedBytes()).toEqual(Array(9).fill(0));
  });

  it('a node that does not answer is left behind after the timeout', async () => {
    const { grid, client } = setup({ nodes: 8 });
    grid.nodes[3]!.faults.hungUntil = 3_600_000;
    const data = fileOf(10_000);
    const result = await upload(client, data);
    expect(result.happiness).toBe(7);
    expect(grid.clock.now()).toBeGreaterThanOrEqual(30_000);
    expect(await collect(client.download(result.cap, { signal: signal() }))).toEqual(data);
  });
});

describe('faults during transfers', () => {
  it('download: reads go to the fastest responders', async () => {
    const { grid, client } = setup();
    const data = fileOf(2 * SEGMENT + 7);
    const { cap } = await upload(client, data);
    const order = ring(grid, cap as ChkReadCap);
    for (const node of order.slice(0, 4)) node.faults.latencyMs = 400; // the ring's first four are slow
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
    expect(order.slice(0, 4).map((n) => n.calls.readShare)).toEqual([0, 0, 0, 0]);
    expect(order.slice(4).filter((n) => n.calls.readShare > 0)).toHaveLength(3);
  });

  it('download: a peer hung on reads times out and other shares are used', async () => {
    const { grid, client } = setup();
    const data = fileOf(3 * SEGMENT + 5);
    const { cap } = await upload(client, data);
    const first = ring(grid, cap as ChkReadCap)[0]!;
    first.faults.hungUntil = grid.clock.now() + 3_600_000;
    first.faults.hungMethods = ['readShare'];
    const t0 = grid.clock.now();
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
    expect(grid.clock.now() - t0).toBeGreaterThanOrEqual(30_000);
    expect(first.calls.readShare).toBeGreaterThan(0);
  });

  it('download: a whole node hung is passed over while the others answer', async () => {
    const { grid, client } = setup({}, { queryConcurrency: 1 });
    const data = fileOf(10_000);
    const { cap } = await upload(client, data);
    ring(grid, cap as ChkReadCap)[0]!.faults.hungUntil = grid.clock.now() + 3_600_000;
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });

  it('download: a connection dropped mid-download falls back to another share', async () => {
    const { grid, client } = setup();
    const data = fileOf(4 * SEGMENT + 99);
    const { cap } = await upload(client, data);
    const order = ring(grid, cap as ChkReadCap);
    order[1]!.faults.dropAfter = { method: 'readShare', calls: 3 }; // presence still lists it
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
    expect(order.slice(3).some((n) => n.calls.readShare > 0)).toBe(true);
  });

  it('download: a corrupt block is dropped, another share used, and its holder told', async () => {
    const { grid, client } = setup();
    const data = fileOf(3 * SEGMENT + 5);
    const { cap } = await upload(client, data);
    const seg = segmentation(effectiveParams({ k: 3, n: 10, segmentSize: SEGMENT }, data.length), data.length);
    const secondBlock = blockOffset(computeLayout(seg), seg, 1);
    const bad = ring(grid, cap as ChkReadCap)[0]!;
    bad.faults.corruptRead = (_share, offset, bytes) => {
      if (offset === secondBlock && bytes.length > 0) bytes[0]! ^= 0x01;
      return bytes;
    };
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
    expect(bad.calls.adviseCorruptShare).toBe(1);
  });

  it('upload: a connection dropped mid-upload is dropped while happiness holds', async () => {
    const { grid, client } = setup();
    const data = fileOf(5 * SEGMENT + 1);
    const victim = grid.nodes[4]!;
    victim.faults.dropAfter = { method: 'writeShare', calls: 2 };
    const result = await upload(client, data);
    expect(result.happiness).toBe(9);
    expect(result.servers.map((s) => s.name)).not.toContain(victim.nodeId);
    expect(await collect(client.download(result.cap, { signal: signal() }))).toEqual(data);
  });

  it('upload: losing too many mid-upload fails clearly and leaves nothing claimed', async () => {
    const { grid, client } = setup({ nodes: 8 });
    for (const node of grid.nodes.slice(0, 2)) node.faults.dropAfter = { method: 'writeShare', calls: 2 };
    const err = await upload(client, fileOf(5 * SEGMENT + 1)).catch((e: unknown) => e);
    expect((err as Error).name).toBe('UploadUnhappinessError');
    expect((err as Error).message).toMatch(/Upload failed after peer node-0[01] was lost during write .*: only 6 of the 7 peers needed are online/);
    expect(await grid.usedBytes()).toEqual(Array(8).fill(0));
  });

  it('upload: cancelling aborts every allocation', async () => {
    const { grid, client } = setup();
    const controller = new AbortController();
    const run = client.upload(bytesFileSource(fileOf(6 * SEGMENT)), {
      signal: controller.signal,
      onProgress: (done, total) => {
        if (done > total / 2) controller.abort(new Error('cancelled by the person'));
      },
    });
    await expect(run).rejects.toThrow('cancelled by the person');
    expect(await grid.usedBytes()).toEqual(Array(10).fill(0));
  });
});

describe('bounded load', () => {
  it('connects only to the servers placement needs, and a download asks a bounded number at once', async () => {
    const { grid, client } = setup({ nodes: 30 }, { queryConcurrency: 4 });
    const data = fileOf(6 * SEGMENT + 3);
    const { cap } = await upload(client, data);
    expect(grid.connects).toBe(10);
    for (const node of grid.nodes) expect(node.maxInFlight).toBeLessThanOrEqual(2);
    // One segment's N blocks on the wire at a time: memory follows the segment size, not the file.
    expect(grid.load.maxInFlight.writeShare).toBeLessThanOrEqual(10);
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
    expect(grid.load.maxInFlight.listShares).toBeLessThanOrEqual(4);
    expect(grid.total('listShares')).toBeLessThan(30);
  });
});
