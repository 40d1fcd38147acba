/**
 * Automatic repair and leases on the memory grid: the RepairScheduler with the real FileChecker
 * brings every file back to full happiness after nodes leave; a file whose cap some tab holds
 * keeps its leases renewed by the scheduler's checks and outlives the 31-day lease, while a file
 * nobody holds is collected by the nodes and its space freed exactly.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/core/bytes.js';
import { deriveStorageIndex } from '../../src/core/cap/storage-index.js';
import type { Cap, ChkReadCap } from '../../src/core/cap/types.js';
import { GridClient } from '../../src/core/grid/client.js';
import { permuteServers } from '../../src/core/grid/ring.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { computeShareSize } from '../../src/core/immutable/layout.js';
import { bytesFileSource } from '../../src/core/immutable/source.js';
import { FileChecker } from '../../src/core/repair/checker.js';
import { RepairScheduler } from '../../src/core/repair/scheduler.js';
import type { RepairEvent } from '../../src/core/repair/scheduler-types.js';
import { LeaseCollector } from '../../src/core/storage/lease-collector.js';
import { MemoryGrid, type MemoryNode } from '../fakes/memory-grid.js';

const SEGMENT = 4096;
const DAY = 24 * 60 * 60 * 1000;
const LEASE_SECRET = new Uint8Array(32).fill(1);
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function setup(nodes = 20) {
  const grid = new MemoryGrid({ nodes });
  const stopAuto = grid.clock.startAuto();
  stops.push(() => grid.close());
  const components = { broker: grid, clock: grid.clock, runner: createInThreadRunner() };
  const client = new GridClient(components, { leaseSecret: LEASE_SECRET, convergenceSecret: new Uint8Array(32).fill(2), segmentSize: SEGMENT });
  const checker = new FileChecker(components, { leaseSecret: LEASE_SECRET });
  return { grid, client, checker, stopAuto };
}

function fileOf(size: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
}

const signal = (): AbortSignal => new AbortController().signal;

async function upload(client: GridClient, data: Uint8Array): Promise<ChkReadCap> {
  const { cap } = await client.upload(bytesFileSource(data), { signal: signal() });
  return cap as ChkReadCap;
}

function holders(grid: MemoryGrid, cap: ChkReadCap): MemoryNode[] {
  return permuteServers(deriveStorageIndex(cap.key), grid.servers()).slice(0, cap.n).map((s) => grid.node(s.nodeId));
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(...parts);
}

describe('automatic repair', () => {
  it('after nodes leave, one pass repairs every degraded file back to full happiness', async () => {
    const { grid, client, checker } = setup();
    const datas = [1, 2, 3, 4].map((i) => fileOf(2 * SEGMENT + 100 * i, i));
    const caps: Cap[] = [];
    for (const data of datas) caps.push(await upload(client, data));
    // The 6 nodes holding the most shares leave (as the rounds close the fullest tabs).
    const load = new Map<MemoryNode, number>();
    for (const cap of caps) for (const node of holders(grid, cap as ChkReadCap)) load.set(node, (load.get(node) ?? 0) + 1);
    const leaving = [...load].sort((a, b) => b[1] - a[1]).slice(0, 6).map(([n]) => n);
    for (const node of leaving) node.kill();
    const events: RepairEvent[] = [];
    const scheduler = new RepairScheduler({ clock: grid.clock, checker }, { caps: () => caps, onEvent: (e) => events.push(e) });
    const pass = await scheduler.runOnce({ signal: signal() });
    expect(pass.checks).toBe(4);
    const degraded = events.filter((e) => e.type === 'checked' && e.result.happiness < 7).length;
    expect(pass.repairs).toBe(degraded);
    expect(degraded).toBeGreaterThan(0);
    const second = await new RepairScheduler({ clock: grid.clock, checker }, { caps: () => caps }).runOnce({ signal: signal() });
    expect(second.repairs).toBe(0);
    for (const status of scheduler.status()) expect(status.state).toBe('healthy');
    for (const e of events) if (e.type === 'repaired') expect(e.result.after).toMatchObject({ healthy: true, happiness: 10 });
    for (const [i, cap] of caps.entries()) expect(await collect(client.download(cap as ChkReadCap, { signal: signal() }))).toEqual(datas[i]);
  });
});

describe('leases and garbage collection', () => {
  it('a held file outlives its first lease through the checks; an unheld one is collected, space freed exactly', async () => {
    const { grid, client, checker, stopAuto } = setup(12);
    const kept = await upload(client, fileOf(3 * SEGMENT, 7));
    const dropped = await upload(client, fileOf(2 * SEGMENT + 5, 8));
    stopAuto(); // from here time moves only by advance()
    const shareSize = (cap: ChkReadCap): number => computeShareSize({ k: 3, n: 10, segmentSize: SEGMENT }, cap.size);
    const usedBefore = (await grid.usedBytes()).reduce((a, b) => a + b, 0);
    expect(usedBefore).toBe(10 * shareSize(kept) + 10 * shareSize(dropped));

    // The tab holding `kept` checks it daily (renewing its leases); nobody holds `dropped`.
    const scheduler = new RepairScheduler({ clock: grid.clock, checker }, { caps: () => [kept], checkIntervalMs: DAY, checksPerMinute: 1, checkBurst: 1 });
    const collectors = grid.nodes.map((node) => new LeaseCollector({ servers: [node.server], clock: grid.clock }, { intervalMs: DAY }));
    const day = async (): Promise<void> => {
      await scheduler.runOnce({ signal: signal() });
      for (const c of collectors) await c.collectOnce({ signal: signal() });
      await grid.clock.advance(DAY);
    };
    for (let d = 0; d < 31; d++) await day();
    // Day 31: the upload's leases have run out; `kept`'s were renewed yesterday.
    for (const c of collectors) await c.collectOnce({ signal: signal() });
    const freed = collectors.reduce((sum, c) => sum + c.bytesFreed, 0);
    expect(freed).toBe(10 * shareSize(dropped));
    expect((await grid.usedBytes()).reduce((a, b) => a + b, 0)).toBe(10 * shareSize(kept));
    expect(await checker.check(dropped, { signal: signal() })).toMatchObject({ distinctShares: 0, recoverable: false });
    expect(await checker.check(kept, { signal: signal() })).toMatchObject({ distinctShares: 10, healthy: true });
    expect(scheduler.status()[0]).toMatchObject({ state: 'healthy' });

    // The tab lets go of `kept`: its last renewal (day 30) runs out on day 61.
    for (let d = 31; d < 61; d++) {
      for (const c of collectors) await c.collectOnce({ signal: signal() });
      await grid.clock.advance(DAY);
    }
    expect((await grid.usedBytes()).reduce((a, b) => a + b, 0)).toBe(10 * shareSize(kept));
    for (const c of collectors) await c.collectOnce({ signal: signal() });
    expect((await grid.usedBytes()).reduce((a, b) => a + b, 0)).toBe(0);
  });
});
