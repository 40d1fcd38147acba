/**
 * A streaming zip writer (PKWARE APPNOTE.TXT 6.3): stored (uncompressed) entries, each followed
 * by a data descriptor (§4.3.9) so the CRC-32 is computed while the bytes stream out, names in
 * UTF-8 (flag bit 11), and ZIP64 (§4.3.14, §4.5.3) for an entry, offset or count past 32 bits.
 * Memory stays one chunk plus the central directory (~100 bytes an entry), whatever the sizes.
 * @module
 */
import { utf8ToBytes } from '../../core/bytes.js';
import { crc32 } from './crc32.js';
import { ZipError } from './errors.js';

/** One entry: a file (with `data`) or a directory (`path` ending in '/'). */
export interface ZipEntryInput {
  /** Path inside the zip, '/'-separated, no leading '/'; a directory's ends with '/'. */
  readonly path: string;
  /** The file's bytes, known before it streams (0 for a directory); a different count is a ZipError. */
  readonly size: number;
  /** Modification time, ms since the Unix epoch (stored as an MS-DOS time, in UTC). */
  readonly mtime: number;
  /** The file's contents, opened when the entry is written (absent for a directory). */
  readonly data?: (opts: { signal: AbortSignal }) => AsyncIterable<Uint8Array>;
}

export interface ZipOptions {
  signal: AbortSignal;
  /** Write ZIP64 records for every entry and the end record (tests use it to cover ZIP64 without 4 GiB). @default false */
  forceZip64?: boolean;
}

const MAX_32 = 0xffffffff;
const MAX_16 = 0xffff;
const FLAG_DESCRIPTOR = 0x0008;
const FLAG_UTF8 = 0x0800;
const VERSION_DEFAULT = 20;
const VERSION_ZIP64 = 45;
/** "Made by" Unix (3) so the external attributes carry file modes. */
const MADE_BY_UNIX = 3 << 8;

interface Written {
  readonly name: Uint8Array;
  readonly isDir: boolean;
  readonly zip64: boolean;
  readonly crc: number;
  readonly size: number;
  readonly offset: number;
  readonly time: number;
  readonly date: number;
}

/** The zip's bytes, chunk by chunk. */
export async function* zipChunks(entries: AsyncIterable<ZipEntryInput> | Iterable<ZipEntryInput>, opts: ZipOptions): AsyncGenerator<Uint8Array> {
  const { signal } = opts;
  const force = opts.forceZip64 === true;
  const written: Written[] = [];
  let offset = 0;
  for await (const entry of entries) {
    signal.throwIfAborted();
    const name = utf8ToBytes(entry.path);
    if (name.length === 0 || name.length > MAX_16) throw new ZipError(`a zip entry name must be 1 to ${MAX_16} bytes, got ${name.length}`);
    const isDir = entry.path.endsWith('/');
    if (!Number.isSafeInteger(entry.size) || entry.size < 0 || (isDir && entry.size !== 0)) throw new ZipError(`the entry ${entry.path} has an impossible size ${entry.size}`);
    const zip64 = force || entry.size >= MAX_32;
    const { time, date } = dosTime(entry.mtime);
    const header = localHeader(name, isDir, zip64, time, date);
    const start = offset;
    yield header;
    offset += header.length;
    let crc = 0;
    let size = 0;
    if (!isDir) {
      if (entry.data === undefined) throw new ZipError(`the file ${entry.path} has no contents`);
      for await (const chunk of entry.data({ signal })) {
        if (chunk.length === 0) continue;
        crc = crc32(chunk, crc);
        size += chunk.length;
        if (size > entry.size) throw new ZipError(`the file ${entry.path} gave more than its ${entry.size} bytes`);
        yield chunk;
      }
      if (size !== entry.size) throw new ZipError(`the file ${entry.path} gave ${size} of its ${entry.size} bytes`);
      const descriptor = dataDescriptor(crc, size, zip64);
      yield descriptor;
      offset += size + descriptor.length;
    }
    written.push({ name, isDir, zip64, crc, size, offset: start, time, date });
  }
  const cdStart = offset;
  for (const w of written) {
    const record = centralHeader(w, force);
    yield record;
    offset += record.length;
  }
  yield endRecords(written.length, cdStart, offset - cdStart, force);
}

/** The zip as a byte stream that pulls entries as it is read (so a slow sink slows the restore). */
export function zipStream(entries: AsyncIterable<ZipEntryInput> | Iterable<ZipEntryInput>, opts: ZipOptions): ReadableStream<Uint8Array> {
  const chunks = zipChunks(entries, opts);
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await chunks.next();
      if (next.done === true) controller.close();
      else controller.enqueue(next.value);
    },
    async cancel() {
      await chunks.return(undefined);
    },
  });
}

function localHeader(name: Uint8Array, isDir: boolean, zip64: boolean, time: number, date: number): Uint8Array {
  const extra = zip64 ? 20 : 0;
  const out = new Uint8Array(30 + name.length + extra);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x04034b50, true);
  v.setUint16(4, zip64 ? VERSION_ZIP64 : VERSION_DEFAULT, true);
  v.setUint16(6, FLAG_UTF8 | (isDir ? 0 : FLAG_DESCRIPTOR), true);
  v.setUint16(8, 0, true); // stored
  v.setUint16(10, time, true);
  v.setUint16(12, date, true);
  // CRC and sizes follow in the data descriptor (zero here; 0xFFFFFFFF points to the ZIP64 extra).
  v.setUint32(14, 0, true);
  v.setUint32(18, zip64 ? MAX_32 : 0, true);
  v.setUint32(22, zip64 ? MAX_32 : 0, true);
  v.setUint16(26, name.length, true);
  v.setUint16(28, extra, true);
  out.set(name, 30);
  if (zip64) {
    const at = 30 + name.length;
    v.setUint16(at, 0x0001, true);
    v.setUint16(at + 2, 16, true); // original and compressed size, both 0 until the descriptor
  }
  return out;
}

function dataDescriptor(crc: number, size: number, zip64: boolean): Uint8Array {
  const out = new Uint8Array(zip64 ? 24 : 16);
  const v = new DataView(out.buffer);
  v.setUint32(0, 0x08074b50, true);
  v.setUint32(4, crc, true);
  if (zip64) {
    v.setBigUint64(8, BigInt(size), true);
    v.setBigUint64(16, BigInt(size), true);
  } else {
    v.setUint32(8, size, true);
    v.setUint32(12, size, true);
  }
  return out;
}

function centralHeader(w: Written, force: boolean): Uint8Array {
  // ZIP64 extra: only the fields whose 32-bit slot holds 0xFFFFFFFF, in this order (§4.5.3).
  const bigSize = force || w.size >= MAX_32;
  const bigOffset = force || w.offset >= MAX_32;
  const fields: number[] = [];
  if (bigSize) fields.push(w.size, w.size);
  if (bigOffset) fields.push(w.offset);
  const extra = fields.length > 0 ? 4 + 8 * fields.length : 0;
  const out = new Uint8Array(46 + w.name.length + extra);
  const v = new DataView(out.buffer);
  const needs64 = w.zip64 || fields.length > 0;
  v.setUint32(0, 0x02014b50, true);
  v.setUint16(4, MADE_BY_UNIX | VERSION_ZIP64, true);
  v.setUint16(6, needs64 ? VERSION_ZIP64 : VERSION_DEFAULT, true);
  v.setUint16(8, FLAG_UTF8 | (w.isDir ? 0 : FLAG_DESCRIPTOR), true);
  v.setUint16(10, 0, true);
  v.setUint16(12, w.time, true);
  v.setUint16(14, w.date, true);
  v.setUint32(16, w.crc, true);
  v.setUint32(20, bigSize ? MAX_32 : w.size, true);
  v.setUint32(24, bigSize ? MAX_32 : w.size, true);
  v.setUint16(28, w.name.length, true);
  v.setUint16(30, extra, true);
  v.setUint16(32, 0, true); // comment
  v.setUint16(34, 0, true); // disk
  v.setUint16(36, 0, true); // internal attributes
  // Unix mode in the high half (rw-r--r-- files, rwxr-xr-x directories) and MS-DOS's directory bit.
  v.setUint32(38, w.isDir ? ((0o040755 << 16) | 0x10) >>> 0 : (0o100644 << 16) >>> 0, true);
  v.setUint32(42, bigOffset ? MAX_32 : w.offset, true);
  out.set(w.name, 46);
  if (extra > 0) {
    let at = 46 + w.name.length;
    v.setUint16(at, 0x0001, true);
    v.setUint16(at + 2, 8 * fields.length, true);
    at += 4;
    for (const f of fields) {
      v.setBigUint64(at, BigInt(f), true);
      at += 8;
    }
  }
  return out;
}

function endRecords(count: number, cdStart: number, cdSize: number, force: boolean): Uint8Array {
  const zip64 = force || count >= MAX_16 || cdStart >= MAX_32 || cdSize >= MAX_32;
  const out = new Uint8Array((zip64 ? 56 + 20 : 0) + 22);
  const v = new DataView(out.buffer);
  let at = 0;
  if (zip64) {
    v.setUint32(0, 0x06064b50, true);
    v.setBigUint64(4, 44n, true); // size of the rest of this record
    v.setUint16(12, MADE_BY_UNIX | VERSION_ZIP64, true);
    v.setUint16(14, VERSION_ZIP64, true);
    v.setUint32(16, 0, true);
    v.setUint32(20, 0, true);
    v.setBigUint64(24, BigInt(count), true);
    v.setBigUint64(32, BigInt(count), true);
    v.setBigUint64(40, BigInt(cdSize), true);
    v.setBigUint64(48, BigInt(cdStart), true);
    // Locator: where the ZIP64 end record starts (right after the central directory).
    v.setUint32(56, 0x07064b50, true);
    v.setUint32(60, 0, true);
    v.setBigUint64(64, BigInt(cdStart + cdSize), true);
    v.setUint32(72, 1, true);
    at = 76;
  }
  v.setUint32(at, 0x06054b50, true);
  v.setUint16(at + 4, 0, true);
  v.setUint16(at + 6, 0, true);
  v.setUint16(at + 8, zip64 ? MAX_16 : count, true);
  v.setUint16(at + 10, zip64 ? MAX_16 : count, true);
  v.setUint32(at + 12, zip64 ? MAX_32 : cdSize, true);
  v.setUint32(at + 16, zip64 ? MAX_32 : cdStart, true);
  v.setUint16(at + 20, 0, true);
  return out;
}

/** MS-DOS date and time (2-second steps, 1980–2107), from UTC. */
function dosTime(ms: number): { time: number; date: number } {
  const d = new Date(Number.isFinite(ms) ? ms : 0);
  const year = d.getUTCFullYear();
  if (year < 1980) return { time: 0, date: (1 << 5) | 1 }; // 1980-01-01 00:00
  if (year > 2107) return { time: (23 << 11) | (59 << 5) | 29, date: (127 << 9) | (12 << 5) | 31 };
  return {
    time: (d.getUTCHours() << 11) | (d.getUTCMinutes() << 5) | (d.getUTCSeconds() >> 1),
    date: ((year - 1980) << 9) | ((d.getUTCMonth() + 1) << 5) | d.getUTCDate(),
  };
}
