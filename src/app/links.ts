/**
 * Readcap links and invite links (CONTRACT.md "Links"): the cap, the file's name and the grid go
 * only in the URL's `#fragment`, which browsers never send to the server. A page at `/` with no
 * fragment joins the embedded default grid. Fragment grammar (form-encoded, keys in any order):
 *   invite:  #grid=<grid id>.<grid secret in base32 (52 characters for 32 bytes)>
 *   readcap: #cap=<URI:BRIC-…>&name=<file name>&grid=<grid id>[.<secret>]   ("default" needs no secret)
 *   folder:  #folder=<URI:BRIC-DIR1-RO:… or a DIR1-CHK/LIT snapshot>&name=<folder name>&grid=…  (read-only)
 * @module
 */
import { parseCap, formatCap } from '../core/cap/parse.js';
import type { ChkReadCap, DirChkCap, DirLitCap, DirReadCap, LitCap } from '../core/cap/types.js';
import { base32Decode, base32Encode, equalBytes } from '../core/bytes.js';
import { DEFAULT_GRID_SECRET, deriveRoomId, MIN_GRID_SECRET_BYTES } from '../core/wire/grid-proof.js';
import { LinkError } from './errors.js';

/** A grid: a name people read and the secret whose knowledge makes a peer a member. */
export interface GridRef {
  /** 1–32 of a–z, 0–9 and '-', starting with a letter or digit. */
  readonly id: string;
  /** 16–64 bytes (32 random ones for a new grid); the signaling server sees only a hash of it (roomIdOf). */
  readonly secret: Uint8Array;
}

/** What a page was opened with. */
export type OpenedLink =
  | { readonly kind: 'none'; readonly grid: GridRef }
  | { readonly kind: 'invite'; readonly grid: GridRef }
  | { readonly kind: 'readcap'; readonly grid: GridRef; readonly cap: ChkReadCap | LitCap; readonly name: string }
  | { readonly kind: 'folder'; readonly grid: GridRef; readonly cap: FolderReadCap; readonly name: string };

/** A folder as a link shares it: read-only (a mutable directory's readcap, or an immutable snapshot). */
export type FolderReadCap = DirReadCap | DirChkCap | DirLitCap;

/** Secret of a new grid. */
export const GRID_SECRET_BYTES = 32;
/** Longest secret a link may carry (a secret is a key, not a payload). */
const MAX_GRID_SECRET_BYTES = 64;
export const DEFAULT_GRID_ID = 'default';
/**
 * The default grid, embedded in the app (core/wire/grid-proof.ts) so `npm start` and a few tabs
 * make a grid with no set-up. Public by design; private grids come from invite links.
 */
export const DEFAULT_GRID: GridRef = Object.freeze({ id: DEFAULT_GRID_ID, secret: DEFAULT_GRID_SECRET });

const GRID_ID_RE = /^[a-z0-9][a-z0-9-]{0,31}$/;
/** File names longer than this are cut (file systems allow 255 bytes; a link should stay short). */
const MAX_NAME_CHARS = 200;
/** Fragments longer than this are not ours (a CHK cap is ~150 characters). */
const MAX_FRAGMENT_CHARS = 2048;
const FALLBACK_NAME = 'bric-file';
const FALLBACK_FOLDER_NAME = 'bric-folder';

/** The signaling room of a grid: a tagged hash of its secret (52 base32 characters). */
export function roomIdOf(grid: GridRef): string {
  return deriveRoomId(grid.secret);
}

export function isDefaultGrid(grid: GridRef): boolean {
  return grid.id === DEFAULT_GRID_ID && equalBytes(grid.secret, DEFAULT_GRID_SECRET);
}

/** A new private grid with a random secret, for invite links. */
export function createGrid(id: string, randomBytes: (n: number) => Uint8Array): GridRef {
  assertGridId(id);
  return { id, secret: randomBytes(GRID_SECRET_BYTES) };
}

/** The link that lets another browser join `grid`: `origin/#grid=…` (`origin/` alone for the default grid). */
export function inviteLink(origin: string, grid: GridRef): string {
  const base = `${trimOrigin(origin)}/`;
  return isDefaultGrid(grid) ? base : `${base}#grid=${gridParam(grid)}`;
}

/** The link that restores a file: its cap, its name and its grid, all in the fragment. */
export function readcapLink(origin: string, grid: GridRef, cap: ChkReadCap | LitCap, name: string): string {
  const params = [`cap=${formatCap(cap)}`, `name=${encodeURIComponent(cleanFileName(name))}`, `grid=${gridParam(grid)}`];
  return `${trimOrigin(origin)}/#${params.join('&')}`;
}

/** The link that shows a folder read-only (and offers to restore it): its read-only cap, name and grid in the fragment. */
export function folderLink(origin: string, grid: GridRef, cap: FolderReadCap, name: string): string {
  const params = [`folder=${formatCap(cap)}`, `name=${encodeURIComponent(cleanFileName(name))}`, `grid=${gridParam(grid)}`];
  return `${trimOrigin(origin)}/#${params.join('&')}`;
}

/** Reads the fragment a page was opened with (`location.hash`, with or without its '#'). */
export function parseFragment(hash: string): OpenedLink {
  const text = hash.startsWith('#') ? hash.slice(1) : hash;
  if (text.length === 0) return { kind: 'none', grid: DEFAULT_GRID };
  if (text.length > MAX_FRAGMENT_CHARS) throw new LinkError(`this link is too long to be a bric link (${text.length} characters after the #)`);
  const params = new Map<string, string>();
  for (const part of text.split('&')) {
    if (part.length === 0) continue;
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    if (params.has(key)) throw new LinkError(`this link names "${key.slice(0, 16)}" twice`);
    params.set(key, eq < 0 ? '' : decodePart(part.slice(eq + 1), key));
  }
  const gridText = params.get('grid');
  const grid = gridText === undefined ? DEFAULT_GRID : parseGridParam(gridText);
  const capText = params.get('cap');
  const folderText = params.get('folder');
  if (folderText !== undefined) {
    if (capText !== undefined) throw new LinkError('this link names both a file (cap=…) and a folder (folder=…)');
    return { kind: 'folder', grid, cap: parseFolderCap(folderText), name: cleanFileName(params.get('name') ?? FALLBACK_FOLDER_NAME) };
  }
  if (capText === undefined) {
    if (gridText === undefined) throw new LinkError('this link names neither a file (cap=…) nor a grid (grid=…)');
    return { kind: 'invite', grid };
  }
  return { kind: 'readcap', grid, cap: parseReadCap(capText), name: cleanFileName(params.get('name') ?? FALLBACK_NAME) };
}

function parseReadCap(text: string): ChkReadCap | LitCap {
  let cap;
  try {
    cap = parseCap(text);
  } catch (error) {
    throw new LinkError(`the file's cap in this link is broken: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (cap.kind === 'chk' || cap.kind === 'lit') return cap;
  if (cap.kind === 'chk-verifier') throw new LinkError('this link holds a verify cap: it can check the file but not read it');
  throw new LinkError(`this link holds a ${cap.kind} cap; this version of bric restores only immutable files`);
}

function parseFolderCap(text: string): FolderReadCap {
  let cap;
  try {
    cap = parseCap(text);
  } catch (error) {
    throw new LinkError(`the folder's cap in this link is broken: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  if (cap.kind === 'dir-ro' || cap.kind === 'dir-chk' || cap.kind === 'dir-lit') return cap;
  if (cap.kind === 'dir') throw new LinkError('this link holds a folder’s write cap: a shared link must be read-only, so it was not opened');
  throw new LinkError(`this link holds a ${cap.kind} cap where a folder's read-only cap belongs`);
}

function parseGridParam(text: string): GridRef {
  const dot = text.indexOf('.');
  const id = dot < 0 ? text : text.slice(0, dot);
  if (!GRID_ID_RE.test(id)) throw new LinkError(`"${id.slice(0, 40)}" is not a grid name: 1–32 letters, digits or dashes`);
  if (dot < 0) {
    if (id === DEFAULT_GRID_ID) return DEFAULT_GRID;
    throw new LinkError(`this link names the grid "${id}" without its secret, so it cannot be joined`);
  }
  let secret: Uint8Array;
  try {
    secret = base32Decode(text.slice(dot + 1));
  } catch {
    secret = new Uint8Array(0);
  }
  if (secret.length < MIN_GRID_SECRET_BYTES || secret.length > MAX_GRID_SECRET_BYTES) {
    throw new LinkError(`the secret of grid "${id}" in this link is damaged (it should be ${GRID_SECRET_BYTES} bytes in base32)`);
  }
  return { id, secret };
}

function gridParam(grid: GridRef): string {
  assertGridId(grid.id);
  if (isDefaultGrid(grid)) return DEFAULT_GRID_ID;
  if (grid.secret.length < MIN_GRID_SECRET_BYTES || grid.secret.length > MAX_GRID_SECRET_BYTES) {
    throw new RangeError(`"grid.secret" must be ${MIN_GRID_SECRET_BYTES}–${MAX_GRID_SECRET_BYTES} bytes, got ${grid.secret.length}`);
  }
  return `${grid.id}.${base32Encode(grid.secret)}`;
}

function assertGridId(id: string): void {
  if (typeof id !== 'string' || !GRID_ID_RE.test(id)) throw new RangeError(`"grid id" must be 1–32 of a–z, 0–9 and '-', got ${JSON.stringify(id)}`);
}

function decodePart(value: string, key: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw new LinkError(`the "${key.slice(0, 16)}" part of this link is not properly encoded`);
  }
}

/**
 * A file name safe to save under: no directories, no control characters, not empty, not a
 * dot-name that hides the file, at most MAX_NAME_CHARS characters (keeping the extension).
 */
export function cleanFileName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let clean = name.replace(/[\u0000-\u001f\u007f/\\]/g, '_').trim();
  clean = clean.replace(/^\.+/, '');
  if (clean.length > MAX_NAME_CHARS) {
    const dot = clean.lastIndexOf('.');
    const ext = dot > 0 && clean.length - dot <= 16 ? clean.slice(dot) : '';
    clean = clean.slice(0, MAX_NAME_CHARS - ext.length) + ext;
  }
  return clean.length === 0 ? FALLBACK_NAME : clean;
}

function trimOrigin(origin: string): string {
  return origin.replace(/\/+$/, '');
}
