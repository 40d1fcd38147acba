/**
 * Backup and folder upload over the in-memory grid (10 nodes, real encoding): the second backup
 * of an unchanged folder sends no share bytes at all; a touched file (same bytes, new mtime) is
 * read again but deduplicated by convergent encryption; a changed file is the only upload; the
 * archives keep every snapshot and Latest names the newest. A folder uploaded keeping its tree
 * comes back intact through the zip restore (read by Python's zipfile).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../../src/core/bytes.js';
import { toReadOnlyCap } from '../../../../src/core/cap/dir.js';
import { formatCap } from '../../../../src/core/cap/parse.js';
import type { DirReadCap } from '../../../../src/core/cap/types.js';
import { createInThreadRunner } from '../../../../src/core/immutable/runner.js';
import { backupFolder } from '../../../../src/app/folders/backup.js';
import { LocalFolderError } from '../../../../src/app/folders/errors.js';
import { zipEntriesOf } from '../../../../src/app/folders/folder-restore.js';
import { uploadTree } from '../../../../src/app/folders/folder-upload.js';
import type { LocalFolder } from '../../../../src/app/folders/local-folder.js';
import { buildLocalTree } from '../../../../src/app/folders/local-tree.js';
import { createFolderParts } from '../../../../src/app/folders/parts.js';
import { resolveFolder } from '../../../../src/app/folders/paths.js';
import { walkTree } from '../../../../src/app/folders/walk.js';
import { zipChunks } from '../../../../src/app/folders/zip.js';
import { MemoryMutableGrid } from '../../../fakes/memory-mutable-grid.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});
const tmp = mkdtempSync(join(tmpdir(), 'bric-backup-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const signal = new AbortController().signal;

function setup() {
  const grid = new MemoryMutableGrid({ nodes: 10 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  let x = 4242;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  let t = 1_800_000_000_000;
  const parts = createFolderParts(
    { broker: grid, clock: grid.clock, runner: createInThreadRunner(), randomBytes, wallClock: { now: () => (t += 1000) } },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), k: 3, happy: 7, n: 10, segmentSize: 4096 },
  );
  const immutableBytes = () => grid.grid.nodes.reduce((sum, n) => sum + n.bytesWritten, 0);
  return { grid, parts, immutableBytes };
}

function bytesOf(n: number, seed: number): Uint8Array<ArrayBuffer> {
  let x = seed;
  return Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

const MTIME = Date.UTC(2026, 0, 2, 3, 4, 5);
function file(name: string, size: number, seed: number, mtime = MTIME): File {
  return new File([bytesOf(size, seed)], name, { lastModified: mtime });
}

/** A folder of 12 files in nested folders (a few small enough to be LIT caps) and an empty folder. */
function sampleFolder(): LocalFolder {
  const files = [
    ['readme.txt', 300],
    ['tiny.txt', 20],
    ['docs/a.bin', 5000],
    ['docs/b.bin', 9000],
    ['docs/deep/c.bin', 100],
    ['docs/deep/d.bin', 40],
    ['docs/deep/er/e.bin', 7000],
    ['pics/1.jpg', 12_000],
    ['pics/2.jpg', 12_001],
    ['pics/3.jpg', 64],
    ['pics/same-as-1.jpg', 12_000],
    ['z.bin', 1],
  ] as const;
  return {
    name: 'stuff',
    files: files.map(([path, size], i) => ({ path: path.split('/'), file: file(path.split('/').at(-1)!, size, path === 'pics/same-as-1.jpg' ? 7 : i) })),
    dirs: [['empty'], ['docs', 'deep', 'er']],
  };
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

async function contentsOf(parts: ReturnType<typeof setup>['parts'], cap: Parameters<typeof walkTree>[1]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const item of walkTree(parts.dirs, cap, { signal })) {
    if (item.kind === 'file') {
      const chunks: Uint8Array[] = [];
      for await (const c of parts.download(item.cap, { signal })) chunks.push(c);
      out.set(item.path.join('/'), sha(concatBytes(...chunks)));
    } else if (item.kind === 'dir') out.set(`${item.path.join('/')}/`, 'dir');
  }
  return out;
}

async function expected(folder: LocalFolder): Promise<Map<string, string>> {
  const out = new Map<string, string>([['/', 'dir']]);
  for (const d of folder.dirs) for (let i = 1; i <= d.length; i++) out.set(`${d.slice(0, i).join('/')}/`, 'dir');
  for (const f of folder.files) {
    for (let i = 1; i < f.path.length; i++) out.set(`${f.path.slice(0, i).join('/')}/`, 'dir');
    out.set(f.path.join('/'), sha(new Uint8Array(await f.file.arrayBuffer())));
  }
  return out;
}

describe('backup', () => {
  it('a second backup of an unchanged folder sends no share bytes; touched and changed files are told apart', async () => {
    const { parts, immutableBytes } = setup();
    const home = await parts.dirs.create({ signal });
    const folder = sampleFolder();

    const first = await backupFolder(parts, home, folder, { signal, now: Date.UTC(2026, 10, 22, 5, 0, 0) });
    expect(first.archive).toBe('2026-11-22T05:00:00Z');
    expect(first.filesTotal).toBe(12);
    expect(first.filesReused).toBe(0);
    // same-as-1.jpg has 1.jpg's bytes: convergent encryption finds it on the grid (whichever went first).
    expect(first.filesUploaded + first.filesDeduplicated).toBe(12);
    expect(first.filesDeduplicated).toBe(1);
    expect(first.fileBytesUploaded).toBeGreaterThan(0);

    const before = immutableBytes();
    const second = await backupFolder(parts, home, folder, { signal, now: Date.UTC(2026, 10, 22, 6, 0, 0) });
    expect(second).toMatchObject({ filesReused: 12, filesUploaded: 0, filesDeduplicated: 0, fileBytesUploaded: 0, directoryBytesUploaded: 0 });
    expect(immutableBytes() - before, 'share bytes written by the storage servers').toBe(0);
    expect(formatCap(second.snapshot)).toBe(formatCap(first.snapshot));
    expect(second.foldersReused).toBeGreaterThan(0);

    // Touched (same bytes, new mtime): read and uploaded again, but the grid has its shares.
    const touched: LocalFolder = { ...folder, files: folder.files.map((f) => (f.path.join('/') === 'docs/a.bin' ? { ...f, file: file('a.bin', 5000, 2, MTIME + 60_000) } : f)) };
    const third = await backupFolder(parts, home, touched, { signal, now: Date.UTC(2026, 10, 22, 7, 0, 0) });
    expect(third).toMatchObject({ filesReused: 11, filesDeduplicated: 1, filesUploaded: 0, fileBytesUploaded: 0 });

    // Changed: the only file that sends bytes.
    const changed: LocalFolder = { ...touched, files: touched.files.map((f) => (f.path.join('/') === 'pics/2.jpg' ? { ...f, file: file('2.jpg', 12_001, 99, MTIME + 1) } : f)) };
    const before4 = immutableBytes();
    const fourth = await backupFolder(parts, home, changed, { signal, now: Date.UTC(2026, 10, 22, 8, 0, 0) });
    expect(fourth).toMatchObject({ filesReused: 11, filesUploaded: 1, filesDeduplicated: 0 });
    expect(fourth.fileBytesUploaded).toBeGreaterThan(12_001);
    expect(immutableBytes() - before4).toBe(fourth.fileBytesUploaded + fourth.directoryBytesUploaded);

    // Archives keeps all four; Latest is the newest, and it holds the changed tree exactly.
    const target = await resolveFolder(parts.dirs, home, ['Backups', 'stuff'], { signal });
    const archives = await resolveFolder(parts.dirs, target, ['Archives'], { signal });
    expect((await parts.dirs.list(archives, { signal })).map((e) => e.name)).toEqual([
      '2026-11-22T05:00:00Z',
      '2026-11-22T06:00:00Z',
      '2026-11-22T07:00:00Z',
      '2026-11-22T08:00:00Z',
    ]);
    const latest = await parts.dirs.get(target, 'Latest', { signal });
    expect(formatCap(latest.readcap)).toBe(formatCap(fourth.snapshot));
    expect(await contentsOf(parts, fourth.snapshot)).toEqual(await expected(changed));
    // The first archive is untouched by the later ones.
    expect(await contentsOf(parts, first.snapshot)).toEqual(await expected(folder));
  }, 60_000);

  it('a folder with a name that cannot be an entry changes nothing', async () => {
    const { parts } = setup();
    const home = await parts.dirs.create({ signal });
    const bad: LocalFolder = { name: 'x', files: [{ path: ['ok', '..'], file: file('..', 100, 1) }], dirs: [] };
    await expect(backupFolder(parts, home, bad, { signal, now: 0 })).rejects.toThrow(LocalFolderError);
    expect(await parts.dirs.list(home, { signal })).toEqual([]);
    const twice: LocalFolder = { name: 'x', files: [{ path: ['caf\u00e9'], file: file('a', 1, 1) }, { path: ['cafe\u0301'], file: file('b', 1, 1) }], dirs: [] };
    expect(() => buildLocalTree(twice)).toThrow(/normalised/);
  });
});

describe('folder upload and zip restore', () => {
  it('uploads a tree as mutable folders and restores it as a zip Python reads back intact', async () => {
    const { parts } = setup();
    const folder = sampleFolder();
    const children = await uploadTree(parts, buildLocalTree(folder), { signal });
    const top = await parts.dirs.create({ signal }, children);
    expect(await contentsOf(parts, top)).toEqual(await expected(folder));

    const chunks: Uint8Array[] = [];
    for await (const c of zipChunks(zipEntriesOf(parts, toReadOnlyCap(top) as DirReadCap, 'stuff', { signal }), { signal })) chunks.push(c);
    const path = join(tmp, 'stuff.zip');
    writeFileSync(path, concatBytes(...chunks));
    const py = `import hashlib,json,sys,zipfile
z=zipfile.ZipFile(sys.argv[1]); assert z.testzip() is None
print(json.dumps({i.filename: ('dir' if i.is_dir() else hashlib.sha256(z.read(i)).hexdigest()) for i in z.infolist()}))`;
    const read = JSON.parse(execFileSync('python3', ['-c', py, path], { encoding: 'utf8' })) as Record<string, string>;
    const want = Object.fromEntries([...(await expected(folder))].map(([k, v]) => [k === '/' ? 'stuff/' : `stuff/${k}`, v]));
    expect(read).toEqual(want);
  }, 60_000);

  it('walks a folder that links itself once, and a folder linked at two places at both', async () => {
    const { parts } = setup();
    const top = await parts.dirs.create({ signal });
    const sub = await parts.dirs.create({ signal }, new Map([['f.txt', { cap: { kind: 'lit' as const, data: new Uint8Array([1]) } }]]));
    await parts.dirs.set(top, 'self', { cap: toReadOnlyCap(top) }, { signal });
    await parts.dirs.set(top, 'a', { cap: sub }, { signal });
    await parts.dirs.set(top, 'b', { cap: toReadOnlyCap(sub) }, { signal });
    const seen: string[] = [];
    for await (const item of walkTree(parts.dirs, top, { signal })) seen.push(`${item.kind}:${item.path.join('/')}`);
    expect(seen).toEqual(['dir:', 'dir:a', 'file:a/f.txt', 'dir:b', 'file:b/f.txt', 'skipped:self']);
  });
});
