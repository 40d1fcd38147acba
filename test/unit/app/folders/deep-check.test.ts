/**
 * The deep check of a folder tree (src/app/folders/deep-check.ts) over the in-memory grid (10
 * nodes, k=3 happy=7 N=10, real encoding): a healthy file, a file missing shares on 4 servers
 * (needs repair), a file left with 2 shares (unrecoverable), a LIT file, a sub-folder whose
 * slot lost 4 servers' shares, and one whose slot is gone: each entry and the summary right.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { deriveStorageIndex } from '../../../../src/core/cap/storage-index.js';
import type { ChkReadCap, DirWriteCap } from '../../../../src/core/cap/types.js';
import type { ChildSpec } from '../../../../src/core/dirnode/directory.js';
import { createInThreadRunner } from '../../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../../src/core/immutable/source.js';
import { MutableFileClient } from '../../../../src/core/mutable/client.js';
import { FileChecker } from '../../../../src/core/repair/checker.js';
import { deepCheck, summaryWords, type DeepCheckComponents, type DeepCheckEntry } from '../../../../src/app/folders/deep-check.js';
import { FolderHealth } from '../../../../src/app/folders/folder-health.svelte.js';
import { createFolderParts } from '../../../../src/app/folders/parts.js';
import { MemoryMutableGrid } from '../../../fakes/memory-mutable-grid.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});
const signal = new AbortController().signal;
const LEASE = new Uint8Array(32).fill(1);

function setup() {
  const grid = new MemoryMutableGrid({ nodes: 10 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  let x = 7;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  let t = 1_800_000_000_000;
  const runner = createInThreadRunner();
  const parts = createFolderParts(
    { broker: grid, clock: grid.clock, runner, randomBytes, wallClock: { now: () => (t += 1000) } },
    { leaseSecret: LEASE, convergenceSecret: new Uint8Array(32).fill(2), k: 3, happy: 7, n: 10, segmentSize: 4096 },
  );
  const mutable = new MutableFileClient({ broker: grid, clock: grid.clock, randomBytes }, { leaseSecret: LEASE, k: 3, happy: 7, n: 10 });
  const checker = new FileChecker({ broker: grid, clock: grid.clock, runner }, { leaseSecret: LEASE, happy: 7 });
  const components: DeepCheckComponents = { dirs: parts.dirs, checker, servermap: (cap, o) => mutable.servermap(cap, o) };
  return { grid, parts, mutable, components };
}

function bytesOf(n: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

async function upload(parts: ReturnType<typeof setup>['parts'], size: number, seed: number): Promise<ChildSpec> {
  const { cap } = await parts.uploadFile(bytesFileSource(bytesOf(size, seed)), { signal });
  return { cap };
}

/** Deletes the file's shares from the first `nodes` nodes holding any. */
async function loseShares(grid: MemoryMutableGrid, cap: ChkReadCap, nodes: number): Promise<void> {
  const si = deriveStorageIndex(cap.key);
  let lost = 0;
  for (const node of grid.grid.nodes) {
    if (lost >= nodes) break;
    const held = await node.sharesOf(si);
    if (held.length === 0) continue;
    for (const share of held) await node.store.delete(si, share, { signal });
    lost++;
  }
}

/** Deletes the directory's slot from the first `nodes` nodes holding it. */
async function loseSlot(grid: MemoryMutableGrid, mutable: MutableFileClient, cap: DirWriteCap, nodes: number): Promise<void> {
  const map = await mutable.servermap(cap.file, { signal });
  for (const holder of map.servers.filter((s) => map.shares.some((sh) => sh.holder === s)).slice(0, nodes)) {
    await grid.slotNode(holder.server.nodeId).store.delete(map.storageIndex, { signal });
  }
}

const at = (entries: DeepCheckEntry[], path: string): DeepCheckEntry | undefined => entries.find((e) => e.path.join('/') === path);

describe('deep check', () => {
  it('counts healthy, short and lost files and folders, entry by entry', async () => {
    const { grid, parts, mutable, components } = setup();
    const healthy = await upload(parts, 5000, 1);
    const short = await upload(parts, 6000, 2);
    const lost = await upload(parts, 7000, 3);
    const tiny = await upload(parts, 20, 4);
    const inner = await upload(parts, 3000, 5);
    const sub = await parts.dirs.create({ signal }, new Map([['inner.bin', inner]]));
    const gone = await parts.dirs.create({ signal }, new Map([['never-seen.bin', await upload(parts, 4000, 6)]]));
    const top = await parts.dirs.create(
      { signal },
      new Map<string, ChildSpec>([
        ['healthy.bin', healthy],
        ['short.bin', short],
        ['lost.bin', lost],
        ['tiny.txt', tiny],
        ['sub', { cap: sub }],
        ['gone', { cap: gone }],
      ]),
    );
    expect(tiny.cap.kind).toBe('lit');
    await loseShares(grid, short.cap as ChkReadCap, 4);
    await loseShares(grid, lost.cap as ChkReadCap, 8);
    await loseSlot(grid, mutable, sub, 4);
    await loseSlot(grid, mutable, gone, 10);

    const seen: DeepCheckEntry[] = [];
    const { entries, summary } = await deepCheck(components, top, { signal, onEntry: (e) => seen.push(e) });
    expect(seen).toHaveLength(entries.length);
    expect(summary).toEqual({
      files: 4,
      healthy: 2,
      needsRepair: 1,
      unrecoverable: 1,
      unknown: 0,
      lit: 1,
      directories: 3,
      directoriesHealthy: 1,
      directoriesNeedRepair: 1,
      directoriesUnrecoverable: 1,
      skipped: 0,
    });
    const file = (p: string) => at(entries, p) as Extract<DeepCheckEntry, { kind: 'file' }>;
    expect(file('healthy.bin').state).toBe('healthy');
    expect(file('healthy.bin').result?.happiness).toBe(10);
    expect(file('short.bin').state).toBe('needs-repair');
    expect(file('short.bin').result?.happiness).toBe(6);
    expect(file('short.bin').result?.missing).toHaveLength(4);
    expect(file('lost.bin').state).toBe('unrecoverable');
    expect(file('lost.bin').result?.distinctShares).toBe(2);
    expect(file('sub/inner.bin').state).toBe('healthy');
    const dir = (p: string) => at(entries, p) as Extract<DeepCheckEntry, { kind: 'dir' }>;
    expect(dir('').state).toBe('healthy');
    expect(dir('').shares).toMatchObject({ k: 3, n: 10, distinctShares: 10, happiness: 10 });
    expect(dir('sub')).toMatchObject({ mutable: true, state: 'needs-repair', shares: { distinctShares: 6, happiness: 6 } });
    // A folder whose slot is gone cannot be listed: reported, its files unseen, the walk goes on.
    expect(dir('gone').state).toBe('unrecoverable');
    expect(dir('gone').error).toMatch(/could not be listed/);
    expect(at(entries, 'gone/never-seen.bin')).toBeUndefined();
    expect(summaryWords(summary)).toBe('5 files: 3 healthy, 1 needs repair, 1 unrecoverable; 2 of 3 folders unreadable or short of shares');
  });

  it('checks at most `concurrency` files at once and stops when aborted', async () => {
    const { grid, parts, components } = setup();
    const children = new Map<string, ChildSpec>();
    for (let i = 0; i < 6; i++) children.set(`f${i}.bin`, await upload(parts, 2000 + i, 10 + i));
    const top = await parts.dirs.create({ signal }, children);
    let inFlight = 0;
    let most = 0;
    const counting: DeepCheckComponents = {
      ...components,
      checker: {
        happy: 7,
        async check(cap, o) {
          most = Math.max(most, ++inFlight);
          try {
            return await components.checker.check(cap, o);
          } finally {
            inFlight--;
          }
        },
      },
    };
    const { summary } = await deepCheck(counting, top, { signal, concurrency: 2 });
    expect(summary.healthy).toBe(6);
    expect(most).toBe(2);
    expect(grid.grid.total('listShares')).toBeGreaterThan(0);

    const stop = new AbortController();
    stop.abort(new Error('stopped'));
    await expect(deepCheck(components, top, { signal: stop.signal })).rejects.toThrow('stopped');
  });

  it('FolderHealth keeps each folder\'s summary in words and hands the files it finds on', async () => {
    const { grid, parts, components } = setup();
    const a = await upload(parts, 5000, 21);
    const b = await upload(parts, 6000, 22);
    const sub = await parts.dirs.create({ signal }, new Map([['b.bin', b]]));
    const top = await parts.dirs.create({ signal }, new Map<string, ChildSpec>([['a.bin', a], ['sub', { cap: sub }]]));
    await loseShares(grid, b.cap as ChkReadCap, 4);
    const found: string[] = [];
    const health = new FolderHealth(components, signal, (cap) => void found.push(cap.kind));
    expect(health.report(top)).toBeUndefined();
    const first = health.check(top);
    expect(health.report(top)?.checking).toBe(true);
    await Promise.all([first, health.check(sub), health.check(a.cap)]);
    expect(health.report(top)).toMatchObject({ checking: false, summary: { files: 2, healthy: 1, needsRepair: 1 } });
    expect(health.report(top)?.words).toBe('2 files: 1 healthy, 1 needs repair; 2 folders healthy');
    expect(health.report(sub)?.words).toBe('1 file: 1 needs repair; 1 folder healthy');
    expect(health.report(a.cap)).toBeUndefined(); // not a folder
    expect(found).toEqual(['chk', 'chk', 'chk']);
  });
});
