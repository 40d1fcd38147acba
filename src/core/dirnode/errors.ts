/**
 * Errors of directories (Tahoe's dirnode.py and common.py): names that cannot be entries,
 * entries that are missing or already there, directory contents that fail to parse or verify,
 * and changes asked of a read-only or immutable directory. Each one changes nothing.
 * @module
 */
import { BricError } from '../errors.js';

/** A name that cannot be a directory entry: empty, too long, with '/' or NUL, not NFC, '.' or '..'. */
export class BadEntryNameError extends BricError {
  override name = 'BadEntryNameError';
}

/** No entry of that name (Tahoe's NoSuchChildError). */
export class NoSuchChildError extends BricError {
  override name = 'NoSuchChildError';
}

/** An entry of that name exists and the change was asked not to replace it (Tahoe's ExistingChildError). */
export class ChildExistsError extends BricError {
  override name = 'ChildExistsError';
}

/** A directory's stored entries do not parse or do not verify (corrupt, forged by a writer, or a newer format). */
export class DirectoryFormatError extends BricError {
  override name = 'DirectoryFormatError';
}

/** A change asked of a read-only directory cap or an immutable snapshot (Tahoe's NotWriteableError). */
export class ReadOnlyDirectoryError extends BricError {
  override name = 'ReadOnlyDirectoryError';
}

/** A cap that cannot be a child here: a verify cap, or a mutable child in an immutable snapshot. */
export class BadChildCapError extends BricError {
  override name = 'BadChildCapError';
}

/** The directory would hold more entries than MAX_DIR_ENTRIES. */
export class TooManyEntriesError extends BricError {
  override name = 'TooManyEntriesError';
}
