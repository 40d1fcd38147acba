/**
 * Capacity: reading sizes a person types (Tahoe's util/abbreviate.py parse_abbreviated_size:
 * K/M/G/T/P/E are powers of 1000, KiB/MiB/… powers of 1024, a trailing B optional), the default
 * capacity under the browser's quota, and the byte accounting rule every ShareStore follows.
 * @module
 */
import {
  DEFAULT_CAPACITY_MAX_BYTES,
  DEFAULT_CAPACITY_QUOTA_FRACTION,
  DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES,
  MAX_SIZE_TEXT_CHARS,
} from '../limits.js';
import { SizeFormatError } from './errors.js';

const UNITS: Readonly<Record<string, bigint>> = {
  '': 1n,
  K: 10n ** 3n,
  M: 10n ** 6n,
  G: 10n ** 9n,
  T: 10n ** 12n,
  P: 10n ** 15n,
  E: 10n ** 18n,
  KI: 2n ** 10n,
  MI: 2n ** 20n,
  GI: 2n ** 30n,
  TI: 2n ** 40n,
  PI: 2n ** 50n,
  EI: 2n ** 60n,
};

const SIZE_RE = /^(\d+)(?:\.(\d+))?\s?([kmgtpe]i?)?b?$/i;

const HELP =
  'write a number of bytes (1000000) or a number with a unit: K, M, G, T are powers of 1000 ' +
  '(500M, 1.5G), KiB, MiB, GiB, TiB powers of 1024 (512MiB)';

/**
 * Reads "500M", "5G", "1.5G", "512MiB", "1000000" (any case; "B" optional; one space allowed
 * before the unit) as bytes. Units follow Tahoe: K = 1000, KiB = 1024. Unlike Tahoe a decimal
 * fraction is allowed with a unit, rounded down to whole bytes; a plain byte count must be whole.
 * @throws SizeFormatError naming the text, with what would be understood.
 */
export function parseSize(text: string): number {
  if (typeof text !== 'string') throw new TypeError('"size" expected a string');
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new SizeFormatError(`the size is empty: ${HELP}`);
  if (trimmed.length > MAX_SIZE_TEXT_CHARS) {
    throw new SizeFormatError(`"${trimmed.slice(0, MAX_SIZE_TEXT_CHARS)}…" is too long to be a size: ${HELP}`);
  }
  const m = SIZE_RE.exec(trimmed);
  if (m === null) throw new SizeFormatError(`"${trimmed}" is not a size: ${HELP}`);
  const [, whole = '', fraction = '', unitText = ''] = m;
  const unit = UNITS[unitText.toUpperCase()];
  if (unit === undefined) throw new SizeFormatError(`"${trimmed}" has an unknown unit: ${HELP}`);
  if (unitText === '' && fraction !== '') {
    throw new SizeFormatError(`"${trimmed}" is not a whole number of bytes: ${HELP}`);
  }
  // Exact decimal arithmetic: 4.35M must be 4350000, not 4349999.999….
  const scale = 10n ** BigInt(fraction.length);
  const bytes = ((BigInt(whole) * scale + BigInt(fraction === '' ? '0' : fraction)) * unit) / scale;
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new SizeFormatError(`"${trimmed}" is larger than any size bric can count (${Number.MAX_SAFE_INTEGER} bytes)`);
  }
  return Number(bytes);
}

const SHOW_UNITS = ['bytes', 'kB', 'MB', 'GB', 'TB', 'PB'];

/** A size for people, decimal units as parseSize reads them back: "1.5 GB", "999 bytes". */
export function formatSize(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`"bytes" ${bytes} is not a byte count`);
  let unit = 0;
  let whole = bytes;
  while (whole >= 1000 && unit < SHOW_UNITS.length - 1) {
    whole = Math.floor(whole / 1000);
    unit++;
  }
  if (unit === 0) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  // Three significant digits, rounded down so "free" is never overstated. Integer arithmetic:
  // in floating point 4350000 / 1e6 * 100 is 434.99…, which would show 4.34 MB.
  const digits = whole >= 100 ? 0 : whole >= 10 ? 1 : 2;
  const scaled = (BigInt(bytes) * 10n ** BigInt(digits)) / 1000n ** BigInt(unit);
  const text = scaled.toString().padStart(digits + 1, '0');
  const intPart = text.slice(0, text.length - digits);
  // Only zeros after the decimal point are dropped: 500 MB stays 500, 1.50 becomes 1.5.
  const fracPart = text.slice(text.length - digits).replace(/0+$/, '');
  const shown = fracPart === '' ? intPart : `${intPart}.${fracPart}`;
  return `${shown} ${SHOW_UNITS[unit]}`;
}

/**
 * The capacity a new node offers by default, from navigator.storage.estimate(): 25 % of the
 * site's quota (the quota also holds this app's other data and the browser evicts a site whole
 * when it is over), at most 2 GiB (an unattended tab should not take a person's disk), and
 * 256 MiB when the quota is unknown. Usage is deliberately not subtracted: it includes this
 * node's own shares, so a default that shrank as the node filled would move under the person.
 * The result is rounded down to whole MiB.
 */
export function estimateDefaultCapacity(estimate: { quota?: number; usage?: number }): number {
  const quota = estimate.quota;
  if (quota === undefined || !Number.isFinite(quota) || quota <= 0) return DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES;
  const bytes = Math.min(quota * DEFAULT_CAPACITY_QUOTA_FRACTION, DEFAULT_CAPACITY_MAX_BYTES);
  const MiB = 1024 * 1024;
  return Math.floor(bytes / MiB) * MiB;
}

/**
 * The accounting rule: a pending share counts its whole allocation (reserved before any byte
 * flows, so concurrent uploads cannot overcommit), a closed share its size. Share data only:
 * the store's own keys and metadata are not counted (a few hundred bytes per share).
 */
export function countedBytes(share: { state: 'pending' | 'closed'; allocatedSize: number; size: number }): number {
  return share.state === 'pending' ? share.allocatedSize : share.size;
}

/** capacity − used, never below 0 (capacity may be lowered under what is already stored). */
export function availableBytes(capacityBytes: number, usedBytes: number): number {
  return Math.max(0, capacityBytes - usedBytes);
}

/** Asserts a capacity setting: a whole number of bytes ≥ 0. */
export function assertCapacity(bytes: unknown): asserts bytes is number {
  if (typeof bytes !== 'number' || !Number.isSafeInteger(bytes) || bytes < 0) {
    throw new RangeError(`"capacityBytes" must be a whole number of bytes ≥ 0, got ${String(bytes)}`);
  }
}
