/**
 * Errors of the grid client: placement that cannot reach happiness, servers that do not answer,
 * files whose shares cannot be found. Messages say what is wrong in a person's words.
 * @module
 */
import { BricError } from '../errors.js';

/** A server did not answer within its time. */
export class ServerTimeoutError extends BricError {
  override name = 'ServerTimeoutError';
}

/** Why placement or an upload could not keep servers-of-happiness (Tahoe's UploadUnhappinessError). */
export interface UnhappinessDetail {
  /** Happiness reached: distinct servers credited with distinct shares. */
  readonly happiness: number;
  /** Happiness the upload requires. */
  readonly happy: number;
  /** Servers that refused a share for lack of room (or announced too little room). */
  readonly full: number;
  /** Servers that could not be reached, did not answer or failed. */
  readonly unreachable: number;
  /** Servers present in the grid when placement began. */
  readonly known: number;
}

export class UploadUnhappinessError extends BricError implements UnhappinessDetail {
  override name = 'UploadUnhappinessError';
  readonly happiness: number;
  readonly happy: number;
  readonly full: number;
  readonly unreachable: number;
  readonly known: number;
  constructor(message: string, detail: UnhappinessDetail, options?: { cause?: unknown }) {
    super(message, options);
    this.happiness = detail.happiness;
    this.happy = detail.happy;
    this.full = detail.full;
    this.unreachable = detail.unreachable;
    this.known = detail.known;
  }
}

/**
 * The words for too little happiness: "only 4 of the 7 peers needed are online", or with full
 * servers "only 5 of the 7 peers needed have room for a share of 12.3 MB", plus what became of
 * the others.
 */
export function describeUnhappiness(detail: UnhappinessDetail, shareSize: number, when?: string): string {
  const { happiness, happy, full, unreachable } = detail;
  const head = full > 0
    ? `only ${happiness} of the ${happy} peers needed have room for a share of ${formatBytes(shareSize)}`
    : `only ${happiness} of the ${happy} peers needed are online`;
  const why: string[] = [];
  if (full > 0) why.push(`${full} ${full === 1 ? 'is' : 'are'} full`);
  if (unreachable > 0) why.push(`${unreachable} did not answer`);
  return `Upload failed${when === undefined ? '' : ` ${when}`}: ${head}${why.length > 0 ? ` (${why.join(', ')})` : ''}`;
}

/** Sizes as a person reads them: 12.3 MB, 900 kB, 17 bytes (powers of 1000, like the browser). */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  const units = ['kB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  const text = value >= 100 ? value.toFixed(0) : value.toFixed(1).replace(/\.0$/, '');
  return `${text} ${units[unit]}`;
}
