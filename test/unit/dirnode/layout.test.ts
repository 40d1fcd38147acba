/** Directory contents: golden bytes, hidden writecaps, names, and strict rejection of damaged entries. */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesToHex, hexToBytes, utf8ToBytes } from '../../../src/core/bytes.js';
import { toReadOnlyCap } from '../../../src/core/cap/dir.js';
import { formatCap, parseCap } from '../../../src/core/cap/parse.js';
import type { Cap } from '../../../src/core/cap/types.js';
import { BadChildCapError, BadEntryNameError, DirectoryFormatError, TooManyEntriesError } from '../../../src/core/dirnode/errors.js';
import { DIR_KIND_MUTABLE, DIR_KIND_SNAPSHOT, encodeDirectory, parseDirectory, type StoredEntry } from '../../../src/core/dirnode/layout.js';
import { assertEntryName } from '../../../src/core/dirnode/names.js';
import { hideWritecap, unhideWritecap } from '../../../src/core/dirnode/writecap.js';
import { MAX_DIR_ENTRIES, MAX_DIR_NAME_BYTES } from '../../../src/core/limits.js';

const golden = JSON.parse(readFileSync(new URL('../../vectors/mutable-dirnode.json', import.meta.url), 'utf8')) as {
  source: string;
  dirWriteKeyHex: string;
  entries: { name: string; cap: string; size?: number; ctime: number; mtime: number }[];
  hiddenWritecapOfNotesHex: string;
  mutableHex: string;
  snapshotOfSecondAndThirdHex: string;
  emptySnapshotHex: string;
};
const dirWriteKey = hexToBytes(golden.dirWriteKeyHex);

function storedOf(g: (typeof golden.entries)[number]): StoredEntry {
  const cap = parseCap(g.cap);
  const writable = cap.kind === 'ssk' || cap.kind === 'dir';
  return {
    name: g.name,
    readcap: toReadOnlyCap(cap),
    ...(writable ? { hiddenWritecap: hideWritecap(dirWriteKey, cap) } : {}),
    metadata: { ...(g.size === undefined ? {} : { size: g.size }), ctime: g.ctime, mtime: g.mtime },
  };
}
const entries = golden.entries.map(storedOf);
const litEntry = (name: string, cap: Cap = parseCap('URI:BRIC-LIT1:nbswy3dp')): StoredEntry => ({ name, readcap: cap, metadata: { ctime: 1, mtime: 2 } });

describe('golden directory bytes', () => {
  it('names its source', () => expect(golden.source.length).toBeGreaterThan(20));
  it('a mutable directory encodes to the frozen bytes and parses back', () => {
    expect(bytesToHex(entries[0]!.hiddenWritecap!)).toBe(golden.hiddenWritecapOfNotesHex);
    const bytes = encodeDirectory(DIR_KIND_MUTABLE, entries);
    expect(bytesToHex(bytes)).toBe(golden.mutableHex);
    const parsed = parseDirectory(bytes, DIR_KIND_MUTABLE);
    expect(parsed.map((e) => e.name)).toEqual(['hello', 'notes', 'shared folder', 'Ünïcode café.txt']);
    expect(encodeDirectory(DIR_KIND_MUTABLE, parsed)).toEqual(bytes);
    const notes = parsed.find((e) => e.name === 'notes')!;
    expect(formatCap(unhideWritecap(dirWriteKey, notes.hiddenWritecap!, notes.readcap, 'notes'))).toBe(golden.entries[0]!.cap);
  });
  it('snapshots encode to the frozen bytes', () => {
    expect(bytesToHex(encodeDirectory(DIR_KIND_SNAPSHOT, [entries[1]!, entries[2]!]))).toBe(golden.snapshotOfSecondAndThirdHex);
    expect(bytesToHex(encodeDirectory(DIR_KIND_SNAPSHOT, []))).toBe(golden.emptySnapshotHex);
    expect(parseDirectory(hexToBytes(golden.emptySnapshotHex), DIR_KIND_SNAPSHOT)).toEqual([]);
  });
  it('read-only holders see no writecap: its text and key are nowhere in the bytes', () => {
    const bytes = Buffer.from(hexToBytes(golden.mutableHex));
    const writeKeyText = golden.entries[0]!.cap.slice('URI:BRIC-SSK1:'.length);
    expect(bytes.includes(Buffer.from(writeKeyText))).toBe(false);
    expect(bytes.includes(Buffer.from(parseCap(golden.entries[0]!.cap).kind === 'ssk' ? (parseCap(golden.entries[0]!.cap) as { writeKey: Uint8Array }).writeKey : []))).toBe(false);
  });
});

describe('hidden writecaps', () => {
  const notes = entries[0]!;
  it('another directory’s key cannot open it', () => {
    expect(() => unhideWritecap(new Uint8Array(32).fill(9), notes.hiddenWritecap!, notes.readcap, 'notes')).toThrow(DirectoryFormatError);
  });
  it('any changed bit is caught', () => {
    for (let at = 0; at < notes.hiddenWritecap!.length; at++) {
      const bad = notes.hiddenWritecap!.slice();
      bad[at]! ^= 1 << at % 8;
      expect(() => unhideWritecap(dirWriteKey, bad, notes.readcap, 'notes')).toThrow(DirectoryFormatError);
    }
  });
  it('a writecap moved onto another entry’s readcap is refused', () => {
    const other = hideWritecap(dirWriteKey, { kind: 'ssk', writeKey: new Uint8Array(32).fill(4) });
    expect(() => unhideWritecap(dirWriteKey, other, notes.readcap, 'notes')).toThrow(/belongs to another file/);
  });
});

describe('entry names', () => {
  const bad: [string, RegExp][] = [
    ['', /empty/],
    ['a/b', /"\/"/],
    ['a\0b', /NUL/],
    ['.', /this folder or its parent/],
    ['..', /this folder or its parent/],
    ['cafe\u0301', /NFC/],
    ['x\uD800y', /lone surrogate/],
    ['\uDC00', /lone surrogate/],
    ['é'.repeat(128), /256 bytes of UTF-8; at most 255/],
  ];
  for (const [name, why] of bad) {
    it(`refuses ${JSON.stringify(name.slice(0, 12))} with BadEntryNameError`, () => {
      expect(() => assertEntryName(name)).toThrow(BadEntryNameError);
      expect(() => assertEntryName(name)).toThrow(why);
    });
  }
  it('accepts any NFC text without "/" or NUL up to the byte bound', () => {
    expect(assertEntryName('x'.repeat(MAX_DIR_NAME_BYTES)).length).toBe(MAX_DIR_NAME_BYTES);
    for (const ok of ['.hidden', '...', 'a b', '😀', 'café', 'tab\there']) expect(() => assertEntryName(ok)).not.toThrow();
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }), (s) => {
        const name = s.normalize('NFC');
        if (name.includes('/') || name.includes('\0') || name === '.' || name === '..' || utf8ToBytes(name).length > MAX_DIR_NAME_BYTES) return;
        const parsed = parseDirectory(encodeDirectory(DIR_KIND_MUTABLE, [litEntry(name)]), DIR_KIND_MUTABLE);
        expect(parsed[0]!.name).toBe(name);
      }),
      { numRuns: 200 },
    );
  });
  it('encodeDirectory refuses bad names too, and duplicates', () => {
    expect(() => encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a/b')])).toThrow(BadEntryNameError);
    expect(() => encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a'), litEntry('a')])).toThrow(/two entries/);
  });
});

describe('children a directory accepts', () => {
  it('refuses write caps as readcaps, verify caps, and mutable children of snapshots', () => {
    const w = parseCap(golden.entries[0]!.cap);
    expect(() => encodeDirectory(DIR_KIND_MUTABLE, [litEntry('w', w)])).toThrow(BadChildCapError);
    expect(() => encodeDirectory(DIR_KIND_MUTABLE, [litEntry('v', parseCap('URI:BRIC-SSK1-Verifier:auy2xu7mpvocxuzjzzfvgw4rwu:3otzbrzh64fnhgn2rvccfyueu3eh3reni2luo4art6vzi4kshi3q'))])).toThrow(/verify cap/);
    expect(() => encodeDirectory(DIR_KIND_SNAPSHOT, [entries[3]!])).toThrow(/only immutable children/);
    expect(() => encodeDirectory(DIR_KIND_SNAPSHOT, [entries[0]!])).toThrow(BadChildCapError);
  });
  it('refuses more than MAX_DIR_ENTRIES', () => {
    const many = Array.from({ length: MAX_DIR_ENTRIES + 1 }, (_, i) => litEntry(`n${i}`));
    expect(() => encodeDirectory(DIR_KIND_MUTABLE, many)).toThrow(TooManyEntriesError);
  });
});

describe('strict parsing: damaged entries are a DirectoryFormatError', () => {
  const good = hexToBytes(golden.mutableHex);
  const reject = (bytes: Uint8Array, why: RegExp, kind: 1 | 2 = DIR_KIND_MUTABLE) => {
    expect(() => parseDirectory(bytes, kind)).toThrow(DirectoryFormatError);
    expect(() => parseDirectory(bytes, kind)).toThrow(why);
  };
  const patched = (at: number, ...values: number[]) => {
    const b = good.slice();
    b.set(values, at);
    return b;
  };
  it('every truncation and any trailing byte', () => {
    for (let len = 0; len < good.length; len++) expect(() => parseDirectory(good.subarray(0, len), DIR_KIND_MUTABLE)).toThrow(DirectoryFormatError);
    reject(new Uint8Array([...good, 0]), /1 bytes follow the last entry/);
  });
  it('header fields', () => {
    reject(patched(0, 0x63), /magic/);
    reject(patched(5, 2), /layout version 2/);
    reject(good, /a mutable directory where a snapshot belongs/, DIR_KIND_SNAPSHOT);
    reject(patched(7, 0xff, 0xff, 0xff, 0xff), /over 10000/);
    reject(patched(10, 3), /bytes follow the last entry/);
  });
  it('names out of order, repeated or invalid', () => {
    const swapped = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('b')]);
    const second = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a')]);
    const twoOutOfOrder = new Uint8Array([...swapped.subarray(0, 10), 2, ...swapped.subarray(11), ...second.subarray(11)]);
    reject(twoOutOfOrder, /out of order or repeated/);
    const dup = new Uint8Array([...second.subarray(0, 10), 2, ...second.subarray(11), ...second.subarray(11)]);
    reject(dup, /out of order or repeated/);
    const slash = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a_b')]);
    slash[14] = 0x2f;
    reject(slash, /entry 1.*contains "\/"/);
    const notUtf8 = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('ab')]);
    notUtf8[13] = 0xff;
    reject(notUtf8, /name is not valid/);
  });
  it('readcaps that are not usable', () => {
    const lit = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a')]);
    const capAt = 11 + 2 + 1 + 2;
    const garbled = lit.slice();
    garbled[capAt + 4] = 0x58;
    reject(garbled, /readcap of "a" is not usable/);
  });
  it('metadata flags and sizes', () => {
    const lit = encodeDirectory(DIR_KIND_MUTABLE, [litEntry('a')]);
    const meta = lit.length - 25;
    const flags = lit.slice();
    flags[meta] = 2;
    reject(flags, /unknown metadata flags/);
    const sizeWithoutFlag = lit.slice();
    sizeWithoutFlag[meta + 8] = 1;
    reject(sizeWithoutFlag, /size without the flag/);
  });
  it('a snapshot with a hidden writecap', () => {
    const snap = hexToBytes(golden.snapshotOfSecondAndThirdHex);
    const mutable = encodeDirectory(DIR_KIND_MUTABLE, [entries[0]!]);
    const forged = new Uint8Array([...mutable.subarray(0, 6), DIR_KIND_SNAPSHOT, ...mutable.subarray(7)]);
    expect(parseDirectory(snap, DIR_KIND_SNAPSHOT).length).toBe(2);
    reject(forged, /only immutable children|snapshot never has/, DIR_KIND_SNAPSHOT);
  });
});
