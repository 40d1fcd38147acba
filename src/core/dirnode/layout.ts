/**
 * The contents of a directory (Tahoe's DIR2 pack_children, as a strict versioned binary layout
 * instead of netstrings and JSON): the entries, sorted by name, each with its child's readcap,
 * for mutable directories the child's hidden writecap (writecap.ts), and its metadata. The same
 * layout, with kind 2 and no writecaps, is an immutable snapshot. One spelling per directory.
 * @module
 */
import { bytesToUtf8, readUint32BE, readUint64BE, utf8ToBytes, writeUint32BE, writeUint64BE } from '../bytes.js';
import { isImmutableCap, isWriteCap } from '../cap/dir.js';
import { formatCap, parseCap } from '../cap/parse.js';
import type { Cap } from '../cap/types.js';
import { MAX_CHILD_CAP_CHARS, MAX_DIR_ENTRIES } from '../limits.js';
import { BadChildCapError, DirectoryFormatError, TooManyEntriesError } from './errors.js';
import { assertEntryName, compareNameBytes } from './names.js';
import { HIDDEN_SALT_BYTES } from './writecap.js';

/*
 * Directory layout version 1. Integers big-endian.
 *
 *  offset  bytes  field
 *  0       4      magic "bdir" (62 64 69 72)
 *  4       2      layout version = 1
 *  6       1      kind: 1 = mutable directory, 2 = immutable snapshot
 *  7       4      entry count, 0..MAX_DIR_ENTRIES
 *  11             entries, strictly ascending by the bytes of their names:
 *          2        name length, 1..MAX_DIR_NAME_BYTES
 *          …        name: UTF-8, NFC, no "/", no NUL, not "." or ".." (names.ts)
 *          2        readcap length, 1..MAX_CHILD_CAP_CHARS
 *          …        readcap text (ASCII): a read-only cap (CHK, LIT, SSK-RO, DIR1-RO, DIR1-CHK,
 *                   DIR1-LIT); in a snapshot only the immutable ones
 *          2        hidden writecap length: 0 (none; always 0 in a snapshot) or more than 16
 *          …        hidden writecap: 16-byte salt ‖ ChaCha20 ciphertext (writecap.ts)
 *          1        flags: bit 0 = size known; the other bits are 0
 *          8        size in bytes (0 when unknown)
 *          8        ctime: when the entry was made, ms since the Unix epoch
 *          8        mtime: when the entry last changed, ms since the Unix epoch
 *  end             (nothing may follow the last entry)
 */
export const DIR_MAGIC = new Uint8Array([0x62, 0x64, 0x69, 0x72]);
export const DIR_LAYOUT_VERSION_1 = 1;
export const DIR_KIND_MUTABLE = 1;
export const DIR_KIND_SNAPSHOT = 2;
const HEADER_BYTES = 11;
const MAX_HIDDEN_BYTES = HIDDEN_SALT_BYTES + MAX_CHILD_CAP_CHARS;

export interface EntryMetadata {
  /** Bytes of the child (a file), when known. */
  readonly size?: number;
  /** When the entry was made, ms since the Unix epoch. */
  readonly ctime: number;
  /** When the entry last changed. */
  readonly mtime: number;
}

/** One entry as stored: the writecap stays hidden (only the directory's writers can open it). */
export interface StoredEntry {
  readonly name: string;
  readonly readcap: Cap;
  /** salt ‖ ciphertext, or undefined when the child has no writecap here. */
  readonly hiddenWritecap?: Uint8Array;
  readonly metadata: EntryMetadata;
}

export type DirectoryKind = typeof DIR_KIND_MUTABLE | typeof DIR_KIND_SNAPSHOT;

/** Whether a cap may be stored as an entry's readcap in a directory of this kind. */
export function assertChildReadcap(cap: Cap, kind: DirectoryKind, name: string): void {
  const shown = JSON.stringify(name);
  if (isWriteCap(cap)) throw new BadChildCapError(`the entry ${shown} would store a write cap where only its read-only form belongs`);
  if (cap.kind === 'chk-verifier' || cap.kind === 'ssk-verifier' || cap.kind === 'dir-verifier' || cap.kind === 'dir-chk-verifier') {
    throw new BadChildCapError(`the entry ${shown} is a verify cap: it cannot be read, so it cannot be a directory entry`);
  }
  if (kind === DIR_KIND_SNAPSHOT && !isImmutableCap(cap)) {
    throw new BadChildCapError(`the entry ${shown} is a mutable file or directory: an immutable snapshot holds only immutable children`);
  }
}

function assertTime(v: number, what: string): void {
  if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`"${what}" must be whole milliseconds ≥ 0, got ${v}`);
}

/** Encodes entries (any order; sorted here), refusing anything parseDirectory would refuse. */
export function encodeDirectory(kind: DirectoryKind, entries: readonly StoredEntry[]): Uint8Array {
  if (entries.length > MAX_DIR_ENTRIES) throw new TooManyEntriesError(`a directory holds at most ${MAX_DIR_ENTRIES} entries, not ${entries.length}`);
  const encoded = entries.map((e) => {
    const name = assertEntryName(e.name);
    assertChildReadcap(e.readcap, kind, e.name);
    const cap = utf8ToBytes(formatCap(e.readcap));
    if (cap.length > MAX_CHILD_CAP_CHARS) throw new BadChildCapError(`the readcap of ${JSON.stringify(e.name)} is ${cap.length} characters, over ${MAX_CHILD_CAP_CHARS}`);
    const hidden = e.hiddenWritecap ?? new Uint8Array(0);
    if (kind === DIR_KIND_SNAPSHOT && hidden.length > 0) throw new BadChildCapError(`an immutable snapshot holds no writecaps (entry ${JSON.stringify(e.name)})`);
    if (hidden.length > MAX_HIDDEN_BYTES) throw new BadChildCapError(`the hidden writecap of ${JSON.stringify(e.name)} is too long`);
    const { size, ctime, mtime } = e.metadata;
    if (size !== undefined && (!Number.isSafeInteger(size) || size < 0)) throw new RangeError(`"size" of ${JSON.stringify(e.name)} must be a whole number of bytes`);
    assertTime(ctime, 'ctime');
    assertTime(mtime, 'mtime');
    return { name, cap, hidden, size, ctime, mtime };
  });
  encoded.sort((a, b) => compareNameBytes(a.name, b.name));
  for (let i = 1; i < encoded.length; i++) {
    if (compareNameBytes(encoded[i - 1]!.name, encoded[i]!.name) === 0) throw new RangeError(`two entries are named ${JSON.stringify(bytesToUtf8(encoded[i]!.name))}`);
  }
  let total = HEADER_BYTES;
  for (const e of encoded) total += 2 + e.name.length + 2 + e.cap.length + 2 + e.hidden.length + 25;
  const out = new Uint8Array(total);
  out.set(DIR_MAGIC, 0);
  out[5] = DIR_LAYOUT_VERSION_1;
  out[6] = kind;
  writeUint32BE(out, 7, encoded.length);
  let at = HEADER_BYTES;
  const put16 = (v: number): void => {
    out[at] = v >>> 8;
    out[at + 1] = v & 0xff;
    at += 2;
  };
  for (const e of encoded) {
    put16(e.name.length);
    out.set(e.name, at);
    at += e.name.length;
    put16(e.cap.length);
    out.set(e.cap, at);
    at += e.cap.length;
    put16(e.hidden.length);
    out.set(e.hidden, at);
    at += e.hidden.length;
    out[at] = e.size === undefined ? 0 : 1;
    writeUint64BE(out, at + 1, e.size ?? 0);
    writeUint64BE(out, at + 9, e.ctime);
    writeUint64BE(out, at + 17, e.mtime);
    at += 25;
  }
  return out;
}

/**
 * Parses a directory's contents strictly. @throws DirectoryFormatError naming the first thing
 * wrong (and the entry, when one is to blame); nothing partial is returned.
 */
export function parseDirectory(bytes: Uint8Array, kind: DirectoryKind): StoredEntry[] {
  let at = 0;
  let entry = -1;
  const fail = (why: string): never => {
    throw new DirectoryFormatError(`this directory's stored entries are damaged${entry >= 0 ? ` (entry ${entry + 1})` : ''}: ${why}`);
  };
  const take = (n: number): Uint8Array => {
    if (at + n > bytes.length) fail(`they end ${at + n - bytes.length} bytes early`);
    const out = bytes.subarray(at, at + n);
    at += n;
    return out;
  };
  const u16 = (): number => {
    const b = take(2);
    return (b[0]! << 8) | b[1]!;
  };
  const head = take(HEADER_BYTES);
  for (let i = 0; i < 4; i++) if (head[i] !== DIR_MAGIC[i]) fail('they do not start with the bric directory magic');
  const version = (head[4]! << 8) | head[5]!;
  if (version !== DIR_LAYOUT_VERSION_1) fail(`layout version ${version} is not known to this bric (it reads version ${DIR_LAYOUT_VERSION_1})`);
  if (head[6] !== kind) fail(`they are a ${head[6] === DIR_KIND_SNAPSHOT ? 'snapshot' : head[6] === DIR_KIND_MUTABLE ? 'mutable directory' : `kind ${head[6]}`} where a ${kind === DIR_KIND_SNAPSHOT ? 'snapshot' : 'mutable directory'} belongs`);
  const count = readUint32BE(head, 7);
  if (count > MAX_DIR_ENTRIES) fail(`they claim ${count} entries, over ${MAX_DIR_ENTRIES}`);
  const out: StoredEntry[] = [];
  let previous: Uint8Array | undefined;
  for (entry = 0; entry < count; entry++) {
    const nameBytes = take(u16());
    let name = '';
    try {
      name = bytesToUtf8(nameBytes);
      assertEntryName(name);
    } catch (err) {
      fail(`its name is not valid: ${(err as Error).message}`);
    }
    if (previous !== undefined && compareNameBytes(previous, nameBytes) >= 0) fail(`${JSON.stringify(name)} is out of order or repeated`);
    previous = nameBytes;
    const capLength = u16();
    if (capLength === 0 || capLength > MAX_CHILD_CAP_CHARS) fail(`its readcap is ${capLength} characters, outside 1..${MAX_CHILD_CAP_CHARS}`);
    let readcap: Cap | undefined;
    try {
      readcap = parseCap(bytesToUtf8(take(capLength)));
      assertChildReadcap(readcap, kind, name);
    } catch (err) {
      if (err instanceof DirectoryFormatError) throw err;
      fail(`the readcap of ${JSON.stringify(name)} is not usable: ${(err as Error).message}`);
    }
    const hiddenLength = u16();
    if (hiddenLength !== 0 && (kind === DIR_KIND_SNAPSHOT || hiddenLength <= HIDDEN_SALT_BYTES || hiddenLength > MAX_HIDDEN_BYTES)) {
      fail(`${JSON.stringify(name)} has a hidden writecap of ${hiddenLength} bytes, which ${kind === DIR_KIND_SNAPSHOT ? 'a snapshot never has' : 'no writecap encrypts to'}`);
    }
    const hidden = hiddenLength === 0 ? undefined : take(hiddenLength).slice();
    const meta = take(25);
    if (meta[0]! > 1) fail(`${JSON.stringify(name)} has unknown metadata flags ${meta[0]}`);
    let size = 0;
    let ctime = 0;
    let mtime = 0;
    try {
      [size, ctime, mtime] = [readUint64BE(meta, 1), readUint64BE(meta, 9), readUint64BE(meta, 17)];
    } catch {
      fail(`${JSON.stringify(name)} has a size or time larger than 2^53`);
    }
    if (meta[0] === 0 && size !== 0) fail(`${JSON.stringify(name)} has a size without the flag that says it is known`);
    out.push({ name, readcap: readcap!, ...(hidden === undefined ? {} : { hiddenWritecap: hidden }), metadata: { ...(meta[0] === 1 ? { size } : {}), ctime, mtime } });
  }
  entry = -1;
  if (at !== bytes.length) fail(`${bytes.length - at} bytes follow the last entry`);
  return out;
}
