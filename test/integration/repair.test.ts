/**
 * Check, verify and repair on the memory grid (real StorageServers over Rpc and MemoryLink, a
 * fake clock): counts right after losing nodes, a corrupt copy found and reported, repair with
 * only the verify cap restoring happiness after losing N−k nodes and after corruption, and the
 * file then read bit-exact from the new shares alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/core/bytes.js';
import { toVerifyCap } from '../../src/core/cap/chk.js';
import { deriveStorageIndex } from '../../src/core/cap/storage-index.js';
import type { ChkReadCap } from '../../src/core/cap/types.js';
import { GridClient } from '../../src/core/grid/client.js';
import { permuteServers } from '../../src/core/grid/ring.js';
import { blockOffset, computeLayout } from '../../src/core/immutable/layout.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { effectiveParams, segmentation } from '../../src/core/immutable/segmentation.js';
import { bytesFileSource } from '../../src/core/immutable/source.js';
import { FileChecker } from '../../src/core/repair/checker.js';
import { MemoryGrid, type MemoryGridInit, type MemoryNode } from '../fakes/memory-grid.js';

const SEGMENT = 4096;
const LEASE_SECRET = new Uint8Array(32).fill(1);
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function setup(gridInit: MemoryGridInit = { nodes: 20 }) {
  const grid = new MemoryGrid(gridInit);
  stops.push(grid.clock.startAuto(), () => grid.close());
  const components = { broker: grid, clock: grid.clock, runner: createInThreadRunner() };
  const client = new GridClient(components, { leaseSecret: LEASE_SECRET, convergenceSecret: new Uint8Array(32).fill(2), segmentSize: SEGMENT });
  const checker = new FileChecker(components, { leaseSecret: LEASE_SECRET });
  return { grid, client, checker };
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

async function upload(client: GridClient, data: Uint8Array): Promise<ChkReadCap> {
  const { cap } = await client.upload(bytesFileSource(data), { signal: signal() });
  if (cap.kind !== 'chk') throw new Error('expected a CHK cap');
  return cap;
}

/** The nodes holding the file's shares, share i on holders[i] (a fresh upload on a healthy grid). */
function holders(grid: MemoryGrid, cap: ChkReadCap): MemoryNode[] {
  return permuteServers(deriveStorageIndex(cap.key), grid.servers()).slice(0, cap.n).map((s) => grid.node(s.nodeId));
}

/** Flips a byte of block `segment` of every share `node` serves, in every reply that carries it. */
function corruptBlock(node: MemoryNode, cap: ChkReadCap, segment: number): void {
  const seg = segmentation(effectiveParams({ k: cap.k, n: cap.n, segmentSize: SEGMENT }, cap.size), cap.size);
  const at = blockOffset(computeLayout(seg), seg, segment);
  node.faults.corruptRead = (_share, offset, bytes) => {
    if (offset <= at && at < offset + bytes.length) bytes[at - offset]! ^= 0x01;
    return bytes;
  };
}

describe('check', () => {
  it('counts every share of a fresh upload, healthy; renews leases when asked', async () => {
    const { client, checker } = setup();
    const cap = await upload(client, fileOf(3 * SEGMENT + 100));
    const result = await checker.check(cap, { signal: signal(), addLease: true });
    expect(result).toMatchObject({ k: 3, n: 10, happy: 7, sharesFound: 10, distinctShares: 10, happiness: 10, missing: [], corrupt: [] });
    expect(result).toMatchObject({ healthy: true, recoverable: true, verified: false, leasesRenewed: 10 });
    // Happiness N is the most there is: once seen, no further server is asked (beyond those in flight).
    expect(result.serversAsked).toBeLessThan(20);
    expect(result.serversAnswered).toBe(result.serversAsked);
    expect(result.servers.map((s) => s.shares.length)).toEqual(new Array(10).fill(1));
    expect(JSON.parse(JSON.stringify(result))).toEqual(result); // JSON-ready
  });

  it('counts right after losing nodes: missing shares, happiness, unreachable servers named', async () => {
    const { grid, client, checker } = setup();
    const cap = await upload(client, fileOf(2 * SEGMENT));
    const order = holders(grid, cap);
    for (const node of order.slice(0, 5)) node.kill();
    order[5]!.setBroken(true); // still in presence, but its link is dead
    const result = await checker.check(toVerifyCap(cap), { signal: signal() });
    expect(result).toMatchObject({ sharesFound: 4, distinctShares: 4, happiness: 4, missing: [0, 1, 2, 3, 4, 5] });
    expect(result).toMatchObject({ healthy: false, recoverable: true, serversAsked: 15, serversAnswered: 14, unreachable: [order[5]!.nodeId] });
    for (const node of order.slice(6)) node.kill();
    const gone = await checker.check(cap, { signal: signal() });
    expect(gone).toMatchObject({ distinctShares: 0, happiness: 0, recoverable: false });
    expect(grid.total('readShare')).toBe(0); // a check reads no share data
  });
  it('names a hung server unreachable once its time is up; refuses what is not a CHK cap', async () => {
    const { grid, client, checker } = setup();
    const cap = await upload(client, fileOf(SEGMENT + 1));
    const hung = holders(grid, cap)[0]!;
    hung.faults.hungUntil = grid.clock.now() + 3_600_000;
    const result = await checker.check(cap, { signal: signal() });
    expect(result).toMatchObject({ unreachable: [hung.nodeId], distinctShares: 9, missing: [0], happiness: 9, healthy: false });
    expect(() => checker.check({ kind: 'lit', data: new Uint8Array(3) } as never, { signal: signal() })).toThrow(TypeError);
    expect(() => checker.check({ ...toVerifyCap(cap), k: 11 }, { signal: signal() })).toThrow(RangeError);
    expect(() => new FileChecker({ broker: grid, clock: grid.clock, runner: createInThreadRunner() }, { leaseSecret: new Uint8Array(8) })).toThrow(RangeError);
  });
});

describe('verify', () => {
  it('finds a corrupt copy, reports it to its holder, and says what it cost', async () => {
    const { grid, client, checker } = setup();
    const data = fileOf(5 * SEGMENT + 7);
    const cap = await upload(client, data);
    const bad = holders(grid, cap)[4]!;
    corruptBlock(bad, cap, 3);
    const result = await checker.verify(toVerifyCap(cap), { signal: signal() });
    expect(result).toMatchObject({ verified: true, sharesFound: 9, distinctShares: 9, missing: [4], happiness: 9, healthy: false, recoverable: true });
    expect(result.corrupt).toEqual([{ server: bad.nodeId, id: bad.nodeId, share: 4, reason: expect.stringContaining('block') }]);
    await grid.clock.advance(0);
    expect(bad.server.stats().corruptReports).toBe(1);
    // Every share read whole: N/k = 3.3× plus hash trees and headers.
    expect(result.cost!.ratio).toBeGreaterThan(10 / 3);
    expect(result.cost!.ratio).toBeLessThan(4);
    expect(result.cost!.words).toContain('N/k = 3.3×');
    const clean = await checker.verify(cap, { signal: signal() });
    expect(clean.corrupt).toHaveLength(1); // still corrupt on the wire
    bad.faults.corruptRead = null;
    expect(await checker.verify(cap, { signal: signal() })).toMatchObject({ corrupt: [], healthy: true, distinctShares: 10 });
  });
});

describe('repair with only the verify cap', () => {
  it('after losing N−k nodes: happiness back to N, and the file reads from the new shares alone', async () => {
    const { grid, client, checker } = setup();
    const data = fileOf(4 * SEGMENT + 999);
    const cap = await upload(client, data);
    const original = holders(grid, cap);
    for (const node of original.slice(0, 7)) node.kill();
    const progress: number[] = [];
    const result = await checker.repair(toVerifyCap(cap), { signal: signal(), onProgress: (done) => progress.push(done) });
    expect(result.before).toMatchObject({ happiness: 3, distinctShares: 3 });
    expect(result.after).toMatchObject({ happiness: 10, distinctShares: 10, missing: [], healthy: true });
    expect(result.sharesWritten).toBe(7);
    expect(new Set(result.placed.map((p) => p.id)).size).toBe(7); // seven servers that held nothing
    for (const p of result.placed) expect(original.map((n) => n.nodeId)).not.toContain(p.id);
    expect(progress).toEqual([1, 2, 3, 4, 5]);
    expect(result.bytesRead).toBeLessThan(data.length * 1.2); // k shares' worth, not N
    for (const node of original) node.kill();
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });

  it('replaces corrupt copies found by verify, elsewhere, and the new shares alone rebuild the file', async () => {
    const { grid, client, checker } = setup();
    const data = fileOf(3 * SEGMENT + 1);
    const cap = await upload(client, data);
    const original = holders(grid, cap);
    for (const node of original.slice(0, 4)) node.kill();
    corruptBlock(original[4]!, cap, 0);
    corruptBlock(original[5]!, cap, 2);
    const verified = await checker.verify(cap, { signal: signal() });
    expect(verified.corrupt.map((c) => c.share).sort()).toEqual([4, 5]);
    const result = await checker.repair(toVerifyCap(cap), { signal: signal(), corrupt: verified.corrupt });
    expect(result.before).toMatchObject({ distinctShares: 4, missing: [0, 1, 2, 3, 4, 5] });
    expect(result.after).toMatchObject({ distinctShares: 10, happiness: 10, healthy: true });
    const placedOn = result.placed.map((p) => p.id);
    expect(placedOn).not.toContain(original[4]!.nodeId);
    expect(placedOn).not.toContain(original[5]!.nodeId);
    for (const node of original) node.kill();
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });

  it('a corrupt copy met while reading is reported and passed over', async () => {
    const { grid, client, checker } = setup();
    const data = fileOf(3 * SEGMENT);
    const cap = await upload(client, data);
    const original = holders(grid, cap);
    for (const node of original.slice(3, 8)) node.kill(); // primaries 0–2 stay, and 8, 9
    corruptBlock(original[1]!, cap, 1);
    const result = await checker.repair(cap, { signal: signal() });
    expect(result.corruptFound.map((c) => c.share)).toEqual([1]);
    expect(result.after).toMatchObject({ missing: [1], distinctShares: 9, happiness: 9 });
    await grid.clock.advance(0);
    expect(original[1]!.server.stats().corruptReports).toBe(1);
    // The scheduler's next pass replaces share 1 too.
    const again = await checker.repair(cap, { signal: signal(), corrupt: result.after.corrupt });
    expect(again.after).toMatchObject({ missing: [], happiness: 10 });
    for (const node of original) node.kill();
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });

  it('goes on without a server lost mid-repair, and leaves nothing allocated on it', async () => {
    const { grid, client, checker } = setup();
    const cap = await upload(client, fileOf(6 * SEGMENT));
    const original = holders(grid, cap);
    for (const node of original.slice(0, 7)) node.kill();
    const ring = permuteServers(deriveStorageIndex(cap.key), grid.servers()).map((s) => grid.node(s.nodeId));
    const victim = ring.find((n) => !original.includes(n))!;
    victim.faults.dropAfter = { method: 'writeShare', calls: 3 };
    const result = await checker.repair(cap, { signal: signal() });
    expect(result.sharesWritten).toBe(6);
    expect(result.after).toMatchObject({ distinctShares: 9, happiness: 9 });
    await grid.clock.advance(0);
    victim.faults.dropAfter = null;
    expect((await victim.server.getVersion({ signal: signal() })).usedBytes).toBe(0);
  });

  it('does nothing on a healthy file, and refuses an unrecoverable one with the numbers', async () => {
    const { grid, client, checker } = setup();
    const cap = await upload(client, fileOf(2 * SEGMENT));
    const idle = await checker.repair(cap, { signal: signal() });
    expect(idle).toMatchObject({ sharesWritten: 0, bytesWritten: 0, bytesRead: 0, note: expect.stringContaining('nothing to repair') });
    for (const node of holders(grid, cap).slice(0, 8)) node.kill();
    const err = await checker.repair(cap, { signal: signal() }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'NotEnoughSharesError', message: 'found 2 of the 3 shares needed' });
  });

  it('with fewer servers than N, restores as much happiness as there are servers', async () => {
    const { grid, client, checker } = setup({ nodes: 10 });
    const data = fileOf(2 * SEGMENT + 3);
    const cap = await upload(client, data);
    for (const node of holders(grid, cap).slice(0, 4)) node.kill();
    const result = await checker.repair(cap, { signal: signal() });
    expect(result.after).toMatchObject({ distinctShares: 10, happiness: 6, missing: [] });
    expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
  });
});
