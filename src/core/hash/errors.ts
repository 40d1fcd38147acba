/**
 * Errors of hash verification, named as Tahoe's hashtree.py names them. Bad data from a peer
 * surfaces as one of these; callers drop that share and count it, they do not crash.
 * @module
 */
import { BricError } from '../errors.js';

/** A hash did not match the value it must equal: the data or a hash along its path is corrupt. */
export class BadHashError extends BricError {
  override name = 'BadHashError';
}

/** The hashes given are not enough to connect a new hash to a node already trusted. */
export class NotEnoughHashesError extends BricError {
  override name = 'NotEnoughHashesError';
}
