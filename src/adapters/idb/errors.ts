/** Errors of the IndexedDB adapters (the store's own refusals are core's storage errors). @module */
import { BricError } from '../../core/errors.js';

/** A stored record has a format this code does not read (written by a newer bric, or damaged). */
export class IdbRecordError extends BricError {
  override name = 'IdbRecordError';
}

/** No node identity could be claimed (Web Locks missing, or the database refused). */
export class NodeIdentityError extends BricError {
  override name = 'NodeIdentityError';
}
