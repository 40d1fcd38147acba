/**
 * Errors of folders in the app (home, folder upload and restore, zip, backup). Messages are shown
 * to the person as they are: each names what is wrong in plain words.
 * @module
 */
import { BricError } from '../../core/errors.js';

/** A cap given as a home folder, or in a folder link, that is not a directory this can use. */
export class FolderCapError extends BricError {
  override name = 'FolderCapError';
}

/** A local folder that cannot be uploaded as it is (two names the same after normalising, too deep, …). */
export class LocalFolderError extends BricError {
  override name = 'LocalFolderError';
}

/** A zip entry that cannot be written (a name too long, a file that gave another size than it said). */
export class ZipError extends BricError {
  override name = 'ZipError';
}

/** Restoring a folder failed part way: names the file it stopped at. */
export class FolderRestoreError extends BricError {
  override name = 'FolderRestoreError';
}
