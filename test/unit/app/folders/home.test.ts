/**
 * The home folder facade over the in-memory grid: made on first use and kept in the store;
 * new folder, rename, move, delete; and the errors of issue 5, each in words and changing
 * nothing: names that are empty, too long or contain '/', writing through a read-only cap
 * (a read-only folder linked into home, and a read-only cap offered as home), and a folder whose
 * entries fail to verify.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { toReadOnlyCap } from '../../../../src/core/cap/dir.js';
import { formatCap } from '../../../../src/core/cap/parse.js';
import type { DirWriteCap } from '../../../../src/core/cap/types.js';
import { createInThreadRunner } from '../../../../src/core/immutable/runner.js';
import { MutableFileClient } from '../../../../src/core/mutable/client.js';
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
  let x = 99;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  let t = 1_800_000_000_000;
  const parts = createFolderParts(
    { broker: grid, clock: grid.clock, runner: createInThreadRunner(), randomBytes, wallClock: { now: () => (t += 1000) } },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), k: 3, happy: 7, n: 10, segmentSize: 4096 },
  );
  const saved = new Map<string, string>();
  const store = { get: async (g: GridRef) => saved.get(g.id), put: async (g: GridRef, cap: string) => void saved.set(g.id, cap) };
  const home = new HomeFolders({ grid: DEFAULT_GRID, parts, store, lock: (_name, work) => work() });
  stops.push(() => home.stop());
  const mutable = new MutableFileClient({ broker: grid, clock: grid.clock, randomBytes }, { leaseSecret: new Uint8Array(32).fill(1) });
  return { grid, parts, home, saved, mutable };
}

const names = (home: HomeFolders) => home.browser.rows.map((r) => r.name);

describe('home folder', () => {
  it('is made on first use and kept; new folder, rename, move and delete', async () => {
    const { home, saved } = setup();
    await home.start();
    expect(home.status).toBe('no-home');
    await home.mkdir('docs');
    expect(home.error).toBeUndefined();
    expect(home.status).toBe('ready');
    expect(saved.get('default')).toMatch(/^URI:BRIC-DIR1:/);
    await home.mkdir('inbox');
    await home.rename('docs', 'papers');
    expect(names(home)).toEqual(['inbox', 'papers']);
    await home.move('inbox', '/papers');
    expect(home.error).toBeUndefined();
    expect(names(home)).toEqual(['papers']);
    await home.browser.open('papers');
    expect(home.browser.path).toEqual(['papers']);
    expect(names(home)).toEqual(['inbox']);
    await home.remove('inbox');
    expect(names(home)).toEqual([]);
    await home.browser.goTo(0);
    await home.share('papers');
    expect(home.shareLink).toMatch(/#folder=URI:BRIC-DIR1-RO:/);
    await home.revealHome();
    expect(home.homeCapText).toBe(saved.get('default'));
  }, 60_000);

  it('refuses names that are empty, too long or contain "/" in words, and makes nothing (not even home)', async () => {
    const { home, saved } = setup();
    await home.start();
    for (const [name, why] of [
      ['', /New folder failed: an entry name cannot be empty/],
      ['a/b', /contains "\/"/],
      ['é'.repeat(200), /400 bytes of UTF-8; at most 255/],
    ] as const) {
      await home.mkdir(name);
      expect(home.error).toMatch(why);
    }
    expect(saved.size).toBe(0);
    await home.mkdir('ok');
    await home.rename('ok', 'a/b');
    expect(home.error).toMatch(/Rename failed: .*contains "\/"/);
    expect(names(home)).toEqual(['ok']);
  }, 60_000);

  it('refuses writing through a read-only cap, and a read-only cap as home, changing nothing', async () => {
    const { home, parts, saved } = setup();
    await home.mkdir('mine');
    const other = await parts.dirs.create({ signal });
    await parts.dirs.mkdir(other, 'theirs', { signal });
    await parts.dirs.set(home.home!, 'shared', { cap: toReadOnlyCap(other) }, { signal });
    await home.browser.refresh();
    await home.browser.open('shared');
    expect(home.browser.writable).toBe(false);
    await home.mkdir('x');
    expect(home.error).toMatch(/New folder failed: this is a read-only directory cap/);
    await home.rename('theirs', 'y');
    expect(home.error).toMatch(/read-only/);
    expect((await parts.dirs.list(other, { signal })).map((e) => e.name)).toEqual(['theirs']);

    const before = saved.get('default');
    await home.adopt(formatCap(toReadOnlyCap(other)));
    expect(home.error).toMatch(/read-only folder cap: a home folder must be writable/);
    await home.adopt('URI:BRIC-DIR1:not-a-cap');
    expect(home.error).toMatch(/not a cap/);
    expect(saved.get('default')).toBe(before);
    // A writable directory cap is adopted (after it lists).
    await home.adopt(formatCap(other));
    expect(home.error).toBeUndefined();
    expect(saved.get('default')).toBe(formatCap(other));
    expect(names(home)).toEqual(['theirs']);
  }, 60_000);

  it('a folder whose entries fail to verify is reported and nothing else changes', async () => {
    const { home, parts, mutable } = setup();
    await home.mkdir('good');
    await home.mkdir('bad');
    const bad = (await parts.dirs.get(home.home!, 'bad', { signal })).writecap as DirWriteCap;
    await mutable.overwrite(bad.file, new TextEncoder().encode('not a directory at all'), { signal });
    await home.browser.open('bad');
    expect(home.browser.error).toMatch(/The folder "home\/bad" could not be listed: .*/);
    expect(home.browser.path).toEqual([]); // still at home, its rows as they were
    expect(names(home)).toEqual(['bad', 'good']);
    await home.mkdir('after');
    expect(names(home)).toEqual(['after', 'bad', 'good']);
  }, 60_000);
});
