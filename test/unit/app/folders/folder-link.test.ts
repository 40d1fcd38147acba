/**
 * Folder links (links.ts `folder=` kind): a read-only folder cap, its name and grid in the
 * fragment only; read back by parseFragment; a folder's write cap, a file cap or both kinds at
 * once are refused with words. File links keep working as before.
 */
import { describe, expect, it } from 'vitest';
import { toReadOnlyCap } from '../../../../src/core/cap/dir.js';
import { formatCap } from '../../../../src/core/cap/parse.js';
import type { DirReadCap, DirWriteCap } from '../../../../src/core/cap/types.js';
import { LinkError } from '../../../../src/app/errors.js';
import { createGrid, DEFAULT_GRID, folderLink, parseFragment, readcapLink } from '../../../../src/app/links.js';

const write: DirWriteCap = { kind: 'dir', file: { kind: 'ssk', writeKey: new Uint8Array(32).fill(7) } };
const read = toReadOnlyCap(write) as DirReadCap;

describe('folder links', () => {
  it('carry a read-only folder cap and its name in the fragment, and read back', () => {
    const grid = createGrid('friends', (n) => new Uint8Array(n).fill(3));
    const link = folderLink('http://127.0.0.1:8080/', grid, read, 'Holiday photos');
    const url = new URL(link);
    expect(url.pathname).toBe('/');
    expect(url.search).toBe('');
    expect(url.hash).toMatch(/^#folder=URI:BRIC-DIR1-RO:/);
    const opened = parseFragment(url.hash);
    expect(opened.kind).toBe('folder');
    if (opened.kind !== 'folder') return;
    expect(formatCap(opened.cap)).toBe(formatCap(read));
    expect(opened.name).toBe('Holiday photos');
    expect(opened.grid.id).toBe('friends');
    expect(parseFragment(new URL(folderLink('http://x', DEFAULT_GRID, read, 'a/b')).hash)).toMatchObject({ kind: 'folder', name: 'a_b' });
  });

  it('refuse a write cap, a file cap and a link naming both', () => {
    expect(() => parseFragment(`#folder=${formatCap(write)}&name=x`)).toThrow(/write cap: a shared link must be read-only/);
    expect(() => parseFragment('#folder=URI:BRIC-LIT1:aaaa&name=x')).toThrow(LinkError);
    expect(() => parseFragment(`#folder=${formatCap(read)}&cap=URI:BRIC-LIT1:aaaa`)).toThrow(/both a file/);
    expect(() => parseFragment('#folder=URI:BRIC-DIR1-RO:zz')).toThrow(/folder's cap in this link is broken/);
  });

  it('leave file links as they were', () => {
    const link = readcapLink('http://x', DEFAULT_GRID, { kind: 'lit', data: new Uint8Array([1, 2]) }, 'f.txt');
    expect(parseFragment(new URL(link).hash)).toMatchObject({ kind: 'readcap', name: 'f.txt' });
    expect(() => parseFragment(`#cap=${formatCap(read)}`)).toThrow(/restores only immutable files/);
  });
});
