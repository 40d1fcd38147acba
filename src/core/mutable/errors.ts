/**
 * Errors of mutable files (Tahoe's mutable/common.py): shares that fail to verify, versions that
 * cannot be recovered, writes that met another writer's, and writes through a read-only cap.
 * Share data comes from untrusted servers: a bad share is dropped and counted, never fatal alone.
 * @module
 */
import { BricError } from '../errors.js';

/** One mutable share is unusable: truncated, a forged signature or key, hashes that do not match. */
export class BadMutableShareError extends BricError {
  override name = 'BadMutableShareError';
  constructor(
    readonly shareNum: number,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`mutable share ${shareNum} is bad: ${reason}`, options);
  }
}

/** A mutable share in a layout version this code does not know (newer software, or garbage). */
export class MutableShareVersionError extends BadMutableShareError {
  override name = 'MutableShareVersionError';
}

/**
 * Another writer changed the file between our servermap and our write (Tahoe's
 * UncoordinatedWriteError): some servers refused our test-and-set. Our version may be on some
 * servers and theirs on others; nothing was overwritten silently. Read again and retry.
 */
export class UncoordinatedWriteError extends BricError {
  override name = 'UncoordinatedWriteError';
  constructor(
    message: string,
    /** Servers whose test-and-set failed, by name, with the sequence number they hold now (if readable). */
    readonly surprises: readonly { server: string; seqnum?: number }[] = [],
  ) {
    super(message);
  }
}

/** No version of the file has k good shares on the servers that answered (Tahoe's UnrecoverableFileError). */
export class UnrecoverableFileError extends BricError {
  override name = 'UnrecoverableFileError';
}

/** Too few servers took the new version for it to count as published (Tahoe's NotEnoughServersError). */
export class NotEnoughServersError extends BricError {
  override name = 'NotEnoughServersError';
  constructor(
    message: string,
    readonly placed: number,
    readonly needed: number,
  ) {
    super(message);
  }
}

/** A write was asked of a read-only or verify cap (Tahoe's NotWriteableError). */
export class ReadOnlyCapError extends BricError {
  override name = 'ReadOnlyCapError';
}

/** The contents are larger than a mutable file may be (MAX_MUTABLE_FILE_BYTES). */
export class MutableFileTooLargeError extends BricError {
  override name = 'MutableFileTooLargeError';
}
