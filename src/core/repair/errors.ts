/**
 * Errors of check, verify and repair. A file with too few good shares is the immutable module's
 * NotEnoughSharesError ("found 2 of the 3 shares needed"); these name what only repair can meet.
 * @module
 */
import { BricError } from '../errors.js';

/**
 * Shares regenerated from verified blocks do not hash to the roots in the UEB: the uploader
 * wrote parity blocks that do not follow from its data. No share is to blame and no new share
 * is written (every allocation made is aborted).
 */
export class RegeneratedShareMismatchError extends BricError {
  override name = 'RegeneratedShareMismatchError';
}
