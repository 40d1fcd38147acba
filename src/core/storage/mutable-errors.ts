/**
 * Errors of a node's mutable slots (Tahoe's storage/mutable.py refusals). Over the wire they
 * travel as RemoteError and mutableClient turns them back into these classes (with the storage
 * errors of errors.ts), so callers branch on `err.name` whether the node is local or remote.
 * @module
 */
import { BricError } from '../errors.js';
import { STORAGE_ERRORS } from './errors.js';

/** A write to an existing slot presented another write enabler: the writer lacks the write key (or misdirected it). */
export class BadWriteEnablerError extends BricError {
  override name = 'BadWriteEnablerError';
}

/** A lease or record was asked of a slot this node does not hold. */
export class SlotNotFoundError extends BricError {
  override name = 'SlotNotFoundError';
}

/** A slot request or its answer would carry more than one rpc message may (MAX_SLOT_REQUEST_BYTES). */
export class SlotRequestTooLargeError extends BricError {
  override name = 'SlotRequestTooLargeError';
}

/** Every error class a slot call may raise, by name, for mutableClient to restore from RemoteError. */
export const MUTABLE_STORAGE_ERRORS = {
  ...STORAGE_ERRORS,
  BadWriteEnablerError,
  SlotNotFoundError,
  SlotRequestTooLargeError,
} as const;
