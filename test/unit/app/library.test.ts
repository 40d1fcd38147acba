/** The files list: export/import round trip, refusals that change nothing, verify caps, and the FilesList rows. */
import { describe, expect, it } from 'vitest';
import { formatCap } from '../../../src/core/cap/parse.js';
import type { ChkReadCap } from '../../../src/core/cap/types.js';
import { DEFAULT_GRID, roomIdOf, type GridRef } from '../../../src/app/links.js';
import { exportLibrary, MemoryLibraryStore, parseLibraryImport, verifyCapOf, type LibraryRecord } from '../../../src/app/library.js';
import { FilesList, progressWords } from '../../../src/app/library.svelte.js';

const ORIGIN = 'http://127.0.0.1:8080';
const chk: ChkReadCap = { kind: 'chk', key: new Uint8Array(16).fill(1), uebHash: new Uint8Array(32).fill(2), k: 3, n: 10, size: 1234 };
const capText = formatCap(chk);
const lit = formatCap({ kind: 'lit', data: new Uint8Array([104, 105]) });
const room = roomIdOf(DEFAULT_GRID);
const rec = (over: Partial<LibraryRecord> = {}): LibraryRecord => ({ v: 1, grid: room, name: 'a.bin', size: 1234, cap: capText, added: Date.UTC(2026, 10, 22), ...over });

function host(grid: GridRef = DEFAULT_GRID) {
  const errors: string[] = [];
  return { errors, grid, origin: ORIGIN, upload: () => undefined, refuse: () => undefined, showError: (t: string) => errors.push(t), signal: new AbortController().signal };
}

describe('export and import', () => {
  it('round-trips names, sizes, dates and caps; links are rebuilt for the grid', () => {
    const text = exportLibrary([rec(), rec({ name: 'hi.txt', size: 2, cap: lit })], ORIGIN, DEFAULT_GRID, Date.UTC(2026, 10, 22, 5));
    const data = JSON.parse(text);
    expect(data).toMatchObject({ format: 'bric-files', version: 1, grid: 'default' });
    expect(data.files[0].link).toMatch(/^http:\/\/127\.0\.0\.1:8080\/#cap=URI:BRIC-CHK1:/);
    const back = parseLibraryImport(text, room, 0);
    expect(back.records.map((r) => [r.name, r.size, r.cap, r.added])).toEqual([
      ['a.bin', 1234, capText, Date.UTC(2026, 10, 22)],
      ['hi.txt', 2, lit, Date.UTC(2026, 10, 22)],
    ]);
  });

  it('refuses a file that is not a list, a broken cap, a verify cap or a wrong size, naming the entry', () => {
    expect(() => parseLibraryImport('not json', room, 0)).toThrow(/not a bric files list \(it is not JSON\)/);
    expect(() => parseLibraryImport('{"files":[]}', room, 0)).toThrow(/"format": "bric-files"/);
    const list = (files: unknown[]) => JSON.stringify({ format: 'bric-files', version: 1, files });
    expect(() => parseLibraryImport(list([{ name: 'x', cap: 'URI:BRIC-CHK1:zz' }]), room, 0)).toThrow(/^file 1 of the list cannot be used: its cap is broken/);
    const verifier = verifyCapOf(capText) ?? '';
    expect(() => parseLibraryImport(list([{ cap: capText }, { cap: verifier }]), room, 0)).toThrow(/file 2 .*verify cap/);
    expect(() => parseLibraryImport(list([{ cap: capText, size: 5 }]), room, 0)).toThrow(/says 5 bytes but its cap says 1234/);
    expect(() => parseLibraryImport(JSON.stringify({ format: 'bric-files', version: 9, files: [] }), room, 0)).toThrow(/version 9/);
  });

  it('gives a CHK file its verify cap and a LIT file none', () => {
    expect(verifyCapOf(capText)).toMatch(/^URI:BRIC-CHK1-Verifier:/);
    expect(verifyCapOf(lit)).toBeUndefined();
  });
});

describe('FilesList', () => {
  it('loads the saved list of its grid only, imports without duplicates, and a bad import changes nothing', async () => {
    const store = new MemoryLibraryStore();
    await store.add([rec(), rec({ grid: 'other-grid', name: 'elsewhere' })]);
    const h = host();
    const list = new FilesList(h, store);
    await list.load();
    expect(list.rows.map((r) => [r.name, r.status, r.k, r.n])).toEqual([['a.bin', 'done', 3, 10]]);
    const exported = list.exportJson(0)!;
    expect(exported.name).toBe('bric-files-default-1970-01-01.json');

    const fresh = new FilesList(host(), new MemoryLibraryStore());
    await fresh.load();
    expect(await fresh.importJson(exported.text)).toBe(1);
    expect(await fresh.importJson(exported.text)).toBe(0);
    expect(fresh.notice).toMatch(/Imported 0 files \(1 already listed\)/);
    const bad = new FilesList(h, store);
    await bad.load();
    expect(await bad.importJson('{"format":"bric-files","version":1,"files":[{"cap":"nope"}]}')).toBe(0);
    expect(bad.rows).toHaveLength(1);
    expect(h.errors.at(-1)).toMatch(/^Import failed, nothing was changed: file 1 of the list cannot be used/);
  });

  it('uploads, saves the finished file, cancels a waiting one, and forgets', async () => {
    const store = new MemoryLibraryStore();
    let release: () => void = () => undefined;
    const h = {
      ...host(),
      upload: (file: File, o: { signal: AbortSignal; onProgress?(d: number, t: number): void }) =>
        new Promise<{ cap: ChkReadCap; link: string }>((resolve, reject) => {
          o.signal.addEventListener('abort', () => reject(o.signal.reason));
          release = () => (o.onProgress?.(2 * file.size, 2 * file.size), resolve({ cap: chk, link: `${ORIGIN}/#cap=${capText}` }));
        }),
    };
    const list = new FilesList(h, store);
    await list.load();
    list.upload([new File(['x'.repeat(100)], 'one.bin'), new File(['y'.repeat(100)], 'two.bin'), new File(['z'], 'three.bin')]);
    await new Promise((r) => setTimeout(r, 0));
    expect(list.rows.map((r) => r.status)).toEqual(['uploading', 'waiting', 'waiting']);
    list.cancel(list.rows[2]!.id);
    release();
    await new Promise((r) => setTimeout(r, 5));
    expect(list.rows.map((r) => r.status)).toEqual(['done', 'uploading', 'cancelled']);
    list.cancel(list.rows[1]!.id);
    await new Promise((r) => setTimeout(r, 5));
    expect(list.rows.map((r) => r.status)).toEqual(['done', 'cancelled', 'cancelled']);
    expect(h.errors).toEqual([]);
    expect((await store.list(room)).map((r) => r.name)).toEqual(['one.bin']);
    await list.forget(list.rows[0]!.id);
    expect(await store.list(room)).toEqual([]);
  });

  it('refuses before uploading when the host says the file cannot fit', async () => {
    const h = { ...host(), refuse: () => 'too large for the grid’s free space' };
    const list = new FilesList(h, new MemoryLibraryStore());
    list.upload([new File(['x'.repeat(100)], 'big.bin')]);
    await new Promise((r) => setTimeout(r, 0));
    expect(list.rows[0]).toMatchObject({ status: 'failed', error: 'Not uploaded: too large for the grid’s free space' });
    expect(h.errors).toEqual(['big.bin: Not uploaded: too large for the grid’s free space']);
  });

  it('says progress in bytes, throughput and time left', () => {
    expect(progressWords({ id: 1, name: 'x', size: 10_000_000, status: 'uploading', done: 10_000_000, total: 20_000_000, rate: 2_000_000, secondsLeft: 2.5 })).toBe('5 MB of 10 MB · 2 MB/s · 3 s left');
  });
});
