/**
 * Errors of the immutable file format. Share data comes from untrusted peers: every way it can be
 * wrong is named, with the share number and (where there is one) the segment, so the downloader
 * can drop that share, report it to its holder as corrupt, and fetch another.
 * @module
 */
import { BricError } from '../errors.js';

/** A share is unusable: wrong header, truncated, swapped, hash chain not matching the UEB, … */
export class BadShareError extends BricError {
  override name = 'BadShareError';
  constructor(
    readonly shareNum: number,
    readonly reason: string,
    readonly segmentIndex?: number,
    options?: { cause?: unknown },
  ) {
    super(
      `share ${shareNum}${segmentIndex === undefined ? '' : ` (segment ${segmentIndex})`} is bad: ${reason}`,
      options,
    );
  }
}

/** A share could not be read (its server failed or went away): dropped, but not reported corrupt. */
export class ShareUnavailableError extends BricError {
  override name = 'ShareUnavailableError';
  constructor(
    readonly shareNum: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`share ${shareNum} is unavailable: ${reason}`, options);
  }
}

/** One block of a share does not match that share's block hash tree. */
export class BadBlockError extends BadShareError {
  override name = 'BadBlockError';
  declare readonly segmentIndex: number;
  constructor(shareNum: number, segmentIndex: number, reason: string, options?: { cause?: unknown }) {
    super(shareNum, reason, segmentIndex, options);
  }
}

/** A share written in a layout version this code does not know (newer software, or garbage). */
export class ShareVersionError extends BadShareError {
  override name = 'ShareVersionError';
}

/** UEB bytes that do not parse: wrong length, a field out of bounds, fields that contradict. */
export class UebError extends BricError {
  override name = 'UebError';
}

/** A UEB in a version this code does not know. */
export class UebVersionError extends UebError {
  override name = 'UebVersionError';
}

/**
 * A decoded segment's crypttext does not match the crypttext hash tree although every block
 * verified: the uploader encoded the file wrongly. No share is to blame, so this is fatal.
 */
export class BadCrypttextError extends BricError {
  override name = 'BadCrypttextError';
  constructor(readonly segmentIndex: number, message: string) {
    super(message);
  }
}

/** Fewer than k good, distinct shares could be found. */
export class NotEnoughSharesError extends BricError {
  override name = 'NotEnoughSharesError';
  constructor(
    readonly found: number,
    readonly needed: number,
    /** Why each share that was tried and dropped was dropped, in order. */
    readonly problems: readonly Error[] = [],
  ) {
    const why = problems.length === 0 ? '' : `; dropped: ${problems.map((p) => p.message).join('; ')}`;
    super(`found ${found} of the ${needed} shares needed${why}`);
  }
}

/** A FileSource returned the wrong number of bytes (the file changed, or the source is broken). */
export class SourceReadError extends BricError {
  override name = 'SourceReadError';
}

/** The segment runner could not do a job: it was closed, or a worker failed or died. */
export class SegmentRunnerError extends BricError {
  override name = 'SegmentRunnerError';
}
