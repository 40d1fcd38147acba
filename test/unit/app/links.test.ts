/** Readcap and invite links: caps only in the fragment, round trips, and plain words for broken links. */
import { describe, expect, it } from 'vitest';
import { formatCap, parseCap } from '../../../src/core/cap/parse.js';
import type { ChkReadCap } from '../../../src/core/cap/types.js';
import {
  cleanFileName,
  createGrid,
  DEFAULT_GRID,
  inviteLink,
  isDefaultGrid,
  parseFragment,
  readcapLink,
  roomIdOf,
} from '../../../src/app/links.js';
import { LinkError } from '../../../src/app/errors.js';

const ORIGIN = 'http://127.0.0.1:8080';
const cap: ChkReadCap = { kind: 'chk', key: new Uint8Array(16).fill(7), uebHash: new Uint8Array(32).fill(9), k: 3, n: 10, size: 33_554_432 };
const privateGrid = createGrid('family', (n) => new Uint8Array(n).fill(42));

function fragmentOf(link: string): string {
  return new URL(link).hash;
}

describe('readcap links', () => {
  it('carry the cap, name and grid only in the fragment, and read back', () => {
    for (const grid of [DEFAULT_GRID, privateGrid]) {
      const link = readcapLink(ORIGIN, grid, cap, 'holiday photos (2024).tar.gz');
      const url = new URL(link);
      expect(url.pathname).toBe('/');
      expect(url.search).toBe('');
      expect(`${url.origin}${url.pathname}`).toBe(`${ORIGIN}/`);
      expect(url.hash).toContain(formatCap(cap));
      const opened = parseFragment(url.hash);
      expect(opened.kind).toBe('readcap');
      if (opened.kind !== 'readcap') return;
      expect(formatCap(opened.cap)).toBe(formatCap(cap));
      expect(opened.name).toBe('holiday photos (2024).tar.gz');
      expect(opened.grid.id).toBe(grid.id);
      expect(opened.grid.secret).toEqual(grid.secret);
    }
  });

  it('keep names with &, #, %, + and non-ASCII intact', () => {
    const name = 'a&b=c #1 100% + ünïcödé 東京.txt';
    const opened = parseFragment(fragmentOf(readcapLink(ORIGIN, DEFAULT_GRID, cap, name)));
    expect(opened.kind === 'readcap' && opened.name).toBe(name);
  });

  it('carry LIT caps too', () => {
    const lit = parseCap(formatCap({ kind: 'lit', data: new Uint8Array([104, 105]) }));
    if (lit.kind !== 'lit') throw new Error('not lit');
    const opened = parseFragment(fragmentOf(readcapLink(ORIGIN, DEFAULT_GRID, lit, 'hi.txt')));
    expect(opened.kind === 'readcap' && opened.cap.kind).toBe('lit');
  });

  it('refuse verify caps, broken caps and damaged grid secrets with words', () => {
    const verifier = 'URI:BRIC-CHK1-Verifier:' + formatCap(cap).split(':').slice(2).join(':');
    expect(() => parseFragment(`#cap=${verifier}`)).toThrow(LinkError);
    expect(() => parseFragment('#cap=URI:BRIC-CHK1:nonsense')).toThrow(/cap in this link is broken/);
    expect(() => parseFragment(`#cap=${formatCap(cap)}&grid=family.abc`)).toThrow(/damaged/);
    expect(() => parseFragment(`#cap=${formatCap(cap)}&grid=family`)).toThrow(/without its secret/);
    expect(() => parseFragment(`#cap=${formatCap(cap)}&cap=${formatCap(cap)}`)).toThrow(/twice/);
    expect(() => parseFragment('#name=x')).toThrow(/neither a file/);
    expect(() => parseFragment(`#grid=${'x'.repeat(3000)}`)).toThrow(/too long/);
  });
});

describe('invite links and the default grid', () => {
  it('a page without a fragment joins the default grid', () => {
    expect(parseFragment('')).toEqual({ kind: 'none', grid: DEFAULT_GRID });
    expect(parseFragment('#')).toEqual({ kind: 'none', grid: DEFAULT_GRID });
    expect(inviteLink(ORIGIN, DEFAULT_GRID)).toBe(`${ORIGIN}/`);
  });

  it('an invite names another grid by id and secret, in the fragment', () => {
    const link = inviteLink(`${ORIGIN}/`, privateGrid);
    expect(new URL(link).search).toBe('');
    const opened = parseFragment(fragmentOf(link));
    expect(opened.kind).toBe('invite');
    expect(opened.grid.id).toBe('family');
    expect(opened.grid.secret).toEqual(privateGrid.secret);
    expect(isDefaultGrid(opened.grid)).toBe(false);
  });

  it('rooms are hashes of the secret: different grids, different rooms; the secret never shows', () => {
    const room = roomIdOf(DEFAULT_GRID);
    expect(room).toMatch(/^[a-z2-7]{52}$/);
    expect(roomIdOf(privateGrid)).not.toBe(room);
    expect(isDefaultGrid(parseFragment('#grid=default').grid)).toBe(true);
  });
});

describe('file names', () => {
  it('lose directories, control characters and leading dots; never empty', () => {
    expect(cleanFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(cleanFileName('a\u0000b\nc')).toBe('a_b_c');
    expect(cleanFileName('   ')).toBe('bric-file');
    expect(cleanFileName('.hidden')).toBe('hidden');
    const long = `${'n'.repeat(400)}.tar.gz`;
    expect(cleanFileName(long).length).toBe(200);
    expect(cleanFileName(long).endsWith('.gz')).toBe(true);
  });
});
