/**
 * Entry names: what a directory accepts as a child's name, checked before anything changes.
 * A name is the UTF-8 of an NFC-normalised string, 1..MAX_DIR_NAME_BYTES bytes, without '/'
 * (the path separator) or NUL, and neither '.' nor '..' (a restore writes names to a real
 * filesystem, where those would escape the folder). Names are compared and ordered by bytes.
 * @module
 */
import { utf8ToBytes } from '../bytes.js';
import { MAX_DIR_NAME_BYTES } from '../limits.js';
import { BadEntryNameError } from './errors.js';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** Throws BadEntryNameError saying what is wrong with `name`; returns its UTF-8 bytes. */
export function assertEntryName(name: unknown): Uint8Array {
  if (typeof name !== 'string') throw new BadEntryNameError(`an entry name is text, got ${name === null ? 'null' : typeof name}`);
  if (name.length === 0) throw new BadEntryNameError('an entry name cannot be empty');
  if (LONE_SURROGATE.test(name)) throw new BadEntryNameError('the name is not valid Unicode text (it has a lone surrogate, so it has no UTF-8 form)');
  const shown = JSON.stringify(name.length > 40 ? `${name.slice(0, 40)}…` : name);
  if (name.includes('/')) throw new BadEntryNameError(`the name ${shown} contains "/", which separates folders in a path`);
  if (name.includes('\0')) throw new BadEntryNameError(`the name ${shown} contains a NUL character`);
  if (name === '.' || name === '..') throw new BadEntryNameError(`"${name}" cannot be an entry name: it means this folder or its parent`);
  if (name.normalize('NFC') !== name) {
    throw new BadEntryNameError(`the name ${shown} is not in Unicode normal form C (NFC); normalise it first (name.normalize('NFC'))`);
  }
  const bytes = utf8ToBytes(name);
  if (bytes.length > MAX_DIR_NAME_BYTES) {
    throw new BadEntryNameError(`the name ${shown} is ${bytes.length} bytes of UTF-8; at most ${MAX_DIR_NAME_BYTES} are allowed`);
  }
  return bytes;
}

/** Orders names by their UTF-8 bytes (the order entries are stored in). */
export function compareNameBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
