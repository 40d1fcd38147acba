/**
 * The home tree reaches automatic repair (src/app/folders/home-keeper.ts) over the in-memory
 * grid: files uploaded into home are handed to durability, a home opened in another tab is
 * walked and its files (and a backup's snapshot folders) handed over, each file once however
 * often it is seen, LIT files never; walks asked for while one runs fold into one more.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { formatCap } from '../../../../src/core/cap/parse.js';
import type { ChkReadCap, LitCap } from '../../../../src/core/cap/types.js';
import type { ChildSpec } from '../../../../src/core/dirnode/directory.js';
import { createInThreadRunner } from '../../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../../src/core/immutable/source.js';
import { HomeKeeper } from '../../../../src/app/folders/home-keeper.js';
import { HomeFolders } from '../../../../src/app/folders/home.svelte.js';
import { createFolderParts } from '../../../../src/app/folders/parts.js';
import { DEFAULT_GRID, type GridRef } from '../../../../src/app/links.js';
import { MemoryMutableGrid } from '../../../fakes/memory-mutable-grid.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});
const signal = new AbortController().signal;

function setup() {
  const grid = new MemoryMutableGrid({ nodes: 10 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  let x = 31;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  let t = 1_800_000_000_000;
  const parts = createFolderParts(
    { broker: grid, clock: grid.clock, runner: createInThreadRunner(), randomBytes, wallClock: { now: () => (t += 1000) } },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), k: 3, happy: 7, n: 10, segmentSize: 4096 },
  );
  const saved = new Map<string, string>();
  const store = { get: async (g: GridRef) => saved.get(g.id), put: async (g: GridRef, cap: string) => void saved.set(g.id, cap) };
  /** What durability was given, in order (as cap text). */
  const added: string[] = [];
  const keep = { add: (cap: ChkReadCap | LitCap) => void added.push(formatCap(cap)) };
  const open = () => {
    const home = new HomeFolders({ grid: DEFAULT_GRID, parts, store, lock: (_name, work) => work(), keep });
    stops.push(() => home.stop());
    return home;
  };
  return { grid, parts, added, keep, open };
}

function bytesOf(n: number, seed: number): Uint8Array<ArrayBuffer> {
  let x = seed;
  return Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

describe('home files reach automatic repair', () => {
  it('hands uploaded files to durability, and a home opened again is walked, each file once', async () => {
    const { added, open, parts } = setup();
    const home = open();
    await home.start();
    await home.uploadFiles([new File([bytesOf(5000, 1)], 'a.bin'), new File([bytesOf(6000, 2)], 'b.bin'), new File([bytesOf(10, 3)], 'tiny.txt')]);
    expect(home.error).toBeUndefined();
    expect(added).toHaveLength(2); // the LIT file holds its bytes: nothing to repair
    expect(added.every((c) => c.startsWith('URI:BRIC-CHK'))).toBe(true);
    await home.mkdir('deeper');
    await home.browser.open('deeper');
    await home.uploadFiles([new File([bytesOf(7000, 4)], 'c.bin')]);
    expect(added).toHaveLength(3);
    // The same walk again (home opened in another tab of this person, or later): nothing new here.
    await home.keeper!.keepTree(home.home!, { signal });
    expect(added).toHaveLength(3);

    // A fresh tab: its keeper walks home on opening and hands over every file once.
    const again: string[] = [];
    const other = new HomeKeeper(() => parts.dirs, { add: (cap) => void again.push(formatCap(cap)) });
    await Promise.all([other.keepTree(home.home!, { signal }), other.keepTree(home.home!, { signal }), other.keepTree(home.home!, { signal })]);
    expect(new Set(again)).toEqual(new Set(added));
    expect(again).toHaveLength(3);
  });

  it('keeps the files of a tree and its snapshot folders, and folds walks asked for meanwhile into one', async () => {
    const { parts } = setup();
    const file = async (size: number, seed: number) => ({ cap: (await parts.uploadFile(bytesFileSource(bytesOf(size, seed)), { signal })).cap });
    const snapshot = await parts.dirs.snapshot(new Map([['s.bin', await file(3000, 9)]]), { signal });
    expect(snapshot.kind).toBe('dir-chk');
    const sub = await parts.dirs.create({ signal }, new Map([['x.bin', await file(4000, 5)]]));
    const children = new Map<string, ChildSpec>([
      ['y.bin', await file(4500, 6)],
      ['sub', { cap: sub }],
      ['snap', { cap: snapshot }],
    ]);
    const top = await parts.dirs.create({ signal }, children);
    const got: string[] = [];
    let lists = 0;
    const counting = Object.create(parts.dirs) as typeof parts.dirs;
    counting.list = (cap, o) => (lists++, parts.dirs.list(cap, o));
    const keeper = new HomeKeeper(() => counting, { add: (cap) => void got.push(formatCap(cap)) });
    const first = keeper.keepTree(top, { signal });
    const second = keeper.keepTree(top, { signal });
    const third = keeper.keepTree(sub, { signal });
    await Promise.all([first, second, third]);
    const folders = 3; // top, sub, snap
    // One walk, then one more covering both asks made while it ran (top again, and sub).
    expect(lists).toBe(folders + folders + 1);
    expect(got).toHaveLength(4); // y.bin, x.bin, s.bin and the snapshot folder itself
    expect(keeper.keptCount).toBe(got.length);
  });
});
