/**
 * The streaming zip writer, read back by Python's zipfile (an independent reader): names in UTF-8,
 * nested directories, empty and multi-chunk files, CRC-32 checked by testzip(), ZIP64 records
 * (forced, so no 4 GiB file is needed), and sizes that lie are refused.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../../src/core/bytes.js';
import { crc32 } from '../../../../src/app/folders/crc32.js';
import { ZipError } from '../../../../src/app/folders/errors.js';
import { zipChunks, zipStream, type ZipEntryInput } from '../../../../src/app/folders/zip.js';

const dir = mkdtempSync(join(tmpdir(), 'bric-zip-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const signal = new AbortController().signal;

const PY_READ = `
import hashlib, json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    bad = z.testzip()
    out = []
    for i in z.infolist():
        data = z.read(i)
        out.append({"name": i.filename, "size": i.file_size, "dir": i.is_dir(), "sha256": hashlib.sha256(data).hexdigest(), "date": list(i.date_time), "extra": len(i.extra)})
    print(json.dumps({"bad": bad, "entries": out}))
`;

function readWithPython(bytes: Uint8Array, file: string) {
  const path = join(dir, file);
  writeFileSync(path, bytes);
  return JSON.parse(execFileSync('python3', ['-c', PY_READ, path], { encoding: 'utf8' })) as {
    bad: string | null;
    entries: { name: string; size: number; dir: boolean; sha256: string; date: number[]; extra: number }[];
  };
}

function bytesOf(n: number, seed: number): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
}

function chunked(data: Uint8Array, size: number) {
  return async function* () {
    for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
  };
}

async function collect(entries: ZipEntryInput[], forceZip64 = false): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const c of zipChunks(entries, { signal, forceZip64 })) parts.push(c);
  return concatBytes(...parts);
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const T = Date.UTC(2026, 10, 22, 4, 20, 58);

const files = [
  { path: 'top.txt', data: bytesOf(1000, 1) },
  { path: 'a/b/deep.bin', data: bytesOf(70_000, 2) },
  { path: 'a/empty.txt', data: new Uint8Array(0) },
  { path: 'ünïcødé/ファイル.txt', data: bytesOf(333, 3) },
];
const entries = (): ZipEntryInput[] => [
  { path: 'a/', size: 0, mtime: T },
  { path: 'a/b/', size: 0, mtime: T },
  { path: 'ünïcødé/', size: 0, mtime: T },
  { path: 'empty-dir/', size: 0, mtime: T },
  ...files.map((f) => ({ path: f.path, size: f.data.length, mtime: T, data: chunked(f.data, 4096) })),
];

describe('zip writer', () => {
  it('CRC-32 matches the standard check value and continues across chunks', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    const data = bytesOf(10_000, 9);
    expect(crc32(data.subarray(5000), crc32(data.subarray(0, 5000)))).toBe(crc32(data));
    expect(crc32(new Uint8Array(0))).toBe(0);
  });

  for (const forceZip64 of [false, true]) {
    it(`Python's zipfile reads every entry back intact${forceZip64 ? ' (ZIP64 records)' : ''}`, async () => {
      const zip = await collect(entries(), forceZip64);
      const read = readWithPython(zip, forceZip64 ? 'z64.zip' : 'plain.zip');
      expect(read.bad).toBeNull();
      const byName = new Map(read.entries.map((e) => [e.name, e]));
      for (const f of files) {
        expect(byName.get(f.path)?.sha256, f.path).toBe(sha(f.data));
        expect(byName.get(f.path)?.size).toBe(f.data.length);
        expect(byName.get(f.path)?.date).toEqual([2026, 11, 22, 4, 20, 58]);
      }
      expect(byName.get('empty-dir/')?.dir).toBe(true);
      expect(read.entries).toHaveLength(8);
      // With ZIP64 forced, each central record carries the ZIP64 extra (sizes and offset).
      if (forceZip64) expect(read.entries.every((e) => e.extra === 28)).toBe(true);
    });
  }

  it('streams: the ReadableStream gives the same bytes and pulls entries lazily', async () => {
    let opened = 0;
    const lazy = files.map((f) => ({ path: f.path, size: f.data.length, mtime: T, data: () => (opened++, chunked(f.data, 1000)()) }));
    const stream = zipStream(lazy, { signal });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(opened).toBeLessThanOrEqual(1);
    const rest: Uint8Array[] = [first.value!];
    for (;;) {
      const r = await reader.read();
      if (r.done) break;
      rest.push(r.value);
    }
    expect(opened).toBe(files.length);
    expect(readWithPython(concatBytes(...rest), 'x.zip').bad).toBeNull();
  });

  it('refuses a file that gives another size than it declared, and names it', async () => {
    const short = [{ path: 'short.bin', size: 10, mtime: T, data: chunked(bytesOf(9, 1), 4) }];
    await expect(collect(short)).rejects.toThrow(ZipError);
    await expect(collect(short)).rejects.toThrow(/short\.bin gave 9 of its 10 bytes/);
    const long = [{ path: 'long.bin', size: 2, mtime: T, data: chunked(bytesOf(9, 1), 4) }];
    await expect(collect(long)).rejects.toThrow(/more than its 2 bytes/);
  });
});
