/**
 * Directories on the memory grid: every operation, nested directories, read-only caps, names
 * refused before anything is written, two writers changing one directory at once (both changes
 * kept), entries that fail to verify, and immutable snapshots through the grid client.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { utf8ToBytes } from '../../src/core/bytes.js';
import { toReadOnlyCap } from '../../src/core/cap/dir.js';
import { formatCap } from '../../src/core/cap/parse.js';
import type { DirReadCap } from '../../src/core/cap/types.js';
import { DirectoryClient, type ChildSpec, type ReadableDirCap } from '../../src/core/dirnode/directory.js';
import { BadChildCapError, BadEntryNameError, ChildExistsError, DirectoryFormatError, NoSuchChildError, ReadOnlyDirectoryError } from '../../src/core/dirnode/errors.js';
import { gridImmutableFiles } from '../../src/core/dirnode/immutable-files.js';
import { GridClient } from '../../src/core/grid/client.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { MutableFileClient } from '../../src/core/mutable/client.js';
import { MemoryMutableGrid } from '../fakes/memory-mutable-grid.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});
const opts = () => ({ signal: new AbortController().signal });

function setup() {
  const grid = new MemoryMutableGrid({ nodes: 10 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  return { grid, ...person(grid, 1) };
}

/** One person's clients on the grid (their own randomness and lease secret). */
function person(grid: MemoryMutableGrid, seed: number) {
  let x = seed * 7919;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  const mutable = new MutableFileClient({ broker: grid, clock: grid.clock, randomBytes }, { leaseSecret: new Uint8Array(32).fill(seed) });
  const files = new GridClient({ broker: grid, clock: grid.clock, runner: createInThreadRunner(), randomBytes }, { leaseSecret: new Uint8Array(32).fill(seed), segmentSize: 4096 });
  let t = 1_700_000_000_000;
  const dirs = new DirectoryClient({ mutable, immutable: gridImmutableFiles(files), clock: { now: () => (t += 1000) } });
  return { mutable, files, dirs };
}

async function uploadText(files: GridClient, text: string) {
  return (await files.upload({ size: utf8ToBytes(text).length, read: async (o, l) => utf8ToBytes(text).slice(o, o + l) }, opts())).cap;
}

const names = async (dirs: DirectoryClient, cap: ReadableDirCap) => (await dirs.list(cap, opts())).map((e) => e.name);

describe('directory operations', () => {
  it('create, set, list, get, rename, delete; metadata follows', async () => {
    const { dirs, files } = setup();
    const root = await dirs.create(opts());
    expect(await dirs.list(root, opts())).toEqual([]);
    const big = await uploadText(files, 'x'.repeat(5000));
    const small = await uploadText(files, 'tiny');
    await dirs.set(root, 'big.txt', { cap: big }, opts());
    await dirs.set(root, 'small.txt', { cap: small }, opts());
    const listed = await dirs.list(root, opts());
    expect(listed.map((e) => [e.name, e.readcap.kind, e.metadata.size, e.hasWritecap])).toEqual([
      ['big.txt', 'chk', 5000, false],
      ['small.txt', 'lit', 4, false],
    ]);
    const created = listed[0]!.metadata.ctime;
    await dirs.set(root, 'big.txt', { cap: small }, opts()); // replace: ctime kept, mtime moves
    const replaced = await dirs.get(root, 'big.txt', opts());
    expect([replaced.readcap.kind, replaced.metadata.ctime, replaced.metadata.mtime > created]).toEqual(['lit', created, true]);
    await dirs.rename(root, 'big.txt', 'renamed.txt', opts());
    expect(await names(dirs, root)).toEqual(['renamed.txt', 'small.txt']);
    await expect(dirs.rename(root, 'renamed.txt', 'small.txt', opts())).rejects.toBeInstanceOf(ChildExistsError);
    await dirs.rename(root, 'renamed.txt', 'small.txt', { ...opts(), overwrite: true });
    expect(await names(dirs, root)).toEqual(['small.txt']);
    const gone = await dirs.delete(root, 'small.txt', opts());
    expect(gone.readcap.kind).toBe('lit');
    expect(await dirs.list(root, opts())).toEqual([]);
    await expect(dirs.delete(root, 'small.txt', opts())).rejects.toBeInstanceOf(NoSuchChildError);
    await expect(dirs.get(root, 'nothing', opts())).rejects.toThrow('there is no entry "nothing" in this directory');
  });

  it('nested directories: writers get the child writecap, read-only holders only the read cap all the way down', async () => {
    const { dirs, files } = setup();
    const root = await dirs.create(opts());
    const photos = await dirs.mkdir(root, 'photos', opts());
    const y2024 = await dirs.mkdir(photos, '2024', opts());
    await dirs.set(y2024, 'beach.jpg', { cap: await uploadText(files, 'jpeg bytes '.repeat(20)) }, opts());
    await expect(dirs.mkdir(root, 'photos', opts())).rejects.toBeInstanceOf(ChildExistsError);

    const entry = await dirs.get(root, 'photos', opts());
    expect(entry.hasWritecap).toBe(true);
    expect(formatCap(entry.writecap!)).toBe(formatCap(photos));
    const ro = toReadOnlyCap(root) as DirReadCap;
    const roEntry = await dirs.get(ro, 'photos', opts());
    expect(roEntry.writecap).toBeUndefined();
    expect(roEntry.readcap.kind).toBe('dir-ro');
    const roPhotos = roEntry.readcap as DirReadCap;
    const ro2024 = (await dirs.get(roPhotos, '2024', opts())).readcap as DirReadCap;
    expect(await names(dirs, ro2024)).toEqual(['beach.jpg']);
  });

  it('move between directories keeps the writecap (re-hidden for the target) and the metadata', async () => {
    const { dirs } = setup();
    const a = await dirs.create(opts());
    const b = await dirs.create(opts());
    const child = await dirs.mkdir(a, 'inbox', opts());
    const before = await dirs.get(a, 'inbox', opts());
    await dirs.move(a, 'inbox', b, { ...opts(), newName: 'archive' });
    expect(await names(dirs, a)).toEqual([]);
    const moved = await dirs.get(b, 'archive', opts());
    expect(formatCap(moved.writecap!)).toBe(formatCap(child));
    expect(moved.metadata.ctime).toBe(before.metadata.ctime);
    await dirs.mkdir(a, 'archive', opts());
    await expect(dirs.move(a, 'archive', b, opts())).rejects.toBeInstanceOf(ChildExistsError);
    expect(await names(dirs, a)).toEqual(['archive']); // nothing changed on a refusal
  });

  it('bad names and bad children are refused before anything is read or written', async () => {
    const { dirs, grid } = setup();
    const root = await dirs.create(opts());
    const writes = grid.total('slotTestvAndReadvAndWritev');
    const reads = grid.total('slotReadv');
    const lit = { cap: { kind: 'lit' as const, data: utf8ToBytes('x') } };
    for (const bad of ['', 'a/b', 'nul\0', '..', 'cafe\u0301', 'é'.repeat(200)]) {
      await expect(dirs.set(root, bad, lit, opts())).rejects.toBeInstanceOf(BadEntryNameError);
      await expect(dirs.mkdir(root, bad, opts())).rejects.toBeInstanceOf(BadEntryNameError);
      await expect(dirs.rename(root, 'x', bad, opts())).rejects.toBeInstanceOf(BadEntryNameError);
    }
    await expect(dirs.set(root, 'v', { cap: { kind: 'ssk-verifier', storageIndex: new Uint8Array(16), fingerprint: new Uint8Array(32) } }, opts())).rejects.toBeInstanceOf(BadChildCapError);
    expect([grid.total('slotTestvAndReadvAndWritev'), grid.total('slotReadv')]).toEqual([writes, reads]);
  });

  it('a read-only cap (or a snapshot) refuses every change, and nothing changes', async () => {
    const { dirs, grid } = setup();
    const root = await dirs.create(opts());
    await dirs.mkdir(root, 'kept', opts());
    const ro = toReadOnlyCap(root) as DirReadCap;
    const writes = grid.total('slotTestvAndReadvAndWritev');
    const lit = { cap: { kind: 'lit' as const, data: utf8ToBytes('x') } };
    const attempts = [
      () => dirs.set(ro, 'new', lit, opts()),
      () => dirs.mkdir(ro, 'new', opts()),
      () => dirs.delete(ro, 'kept', opts()),
      () => dirs.rename(ro, 'kept', 'other', opts()),
      () => dirs.move(ro, 'kept', root, opts()),
      () => dirs.move(root, 'kept', ro, opts()),
    ];
    for (const attempt of attempts) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadOnlyDirectoryError);
      expect((err as Error).message).toBe('this is a read-only directory cap: it can list the directory but not change it');
    }
    expect(grid.total('slotTestvAndReadvAndWritev')).toBe(writes);
    expect(await names(dirs, root)).toEqual(['kept']);
  });
});

describe('two writers at once', () => {
  it('concurrent changes to one directory are merged: every entry lands', async () => {
    const { grid, dirs } = setup();
    const root = await dirs.create(opts());
    const people = [dirs, person(grid, 2).dirs, person(grid, 3).dirs];
    let turn = 0;
    for (const node of grid.slots) node.faults.beforeWrite = () => new Promise((r) => setTimeout(r, turn++ % 3));
    await Promise.all(
      people.flatMap((d, p) => [0, 1].map((i) => d.set(root, `from ${p} #${i}`, { cap: { kind: 'lit', data: utf8ToBytes(`${p}.${i}`) } }, opts()))),
    );
    for (const node of grid.slots) node.faults.beforeWrite = null;
    expect(await names(dirs, root)).toEqual(['from 0 #0', 'from 0 #1', 'from 1 #0', 'from 1 #1', 'from 2 #0', 'from 2 #1']);
  });
});

describe('directories that fail to verify', () => {
  it('entries a writer stored damaged are a DirectoryFormatError for every operation, and nothing is written', async () => {
    const { dirs, mutable, grid } = setup();
    const root = await dirs.create(opts());
    await mutable.overwrite(root.file, utf8ToBytes('not a directory at all'), opts());
    const writes = grid.total('slotTestvAndReadvAndWritev');
    await expect(dirs.list(root, opts())).rejects.toBeInstanceOf(DirectoryFormatError);
    await expect(dirs.list(toReadOnlyCap(root) as DirReadCap, opts())).rejects.toThrow(/stored entries are damaged/);
    await expect(dirs.set(root, 'x', { cap: { kind: 'lit', data: new Uint8Array(1) } }, opts())).rejects.toBeInstanceOf(DirectoryFormatError);
    expect(grid.total('slotTestvAndReadvAndWritev')).toBe(writes);
  });
});

describe('immutable snapshots', () => {
  it('a snapshot holds readcaps only, lists like a directory, and cannot change', async () => {
    const { dirs, files } = setup();
    const a = await uploadText(files, 'a'.repeat(3000));
    const empty = await dirs.snapshot(new Map(), opts());
    expect(empty.kind).toBe('dir-lit');
    expect(await dirs.list(empty, opts())).toEqual([]);
    const inner = await dirs.snapshot(new Map([['a.txt', { cap: a }]]), opts());
    const children = new Map<string, ChildSpec>(Array.from({ length: 5 }, (_, i) => [`file ${i}`, { cap: a }]));
    children.set('inner', { cap: inner });
    const snap = await dirs.snapshot(children, opts());
    expect(snap.kind).toBe('dir-chk');
    expect(await names(dirs, snap)).toEqual(['file 0', 'file 1', 'file 2', 'file 3', 'file 4', 'inner']);
    expect((await dirs.get(snap, 'inner', opts())).readcap).toEqual(inner);
    await expect(dirs.set(snap, 'x', { cap: a }, opts())).rejects.toThrow('this is an immutable snapshot: it can never change');
    const mutableDir = await dirs.create(opts());
    await expect(dirs.snapshot(new Map([['live', { cap: mutableDir }]]), opts())).rejects.toBeInstanceOf(BadChildCapError);
  });
});
