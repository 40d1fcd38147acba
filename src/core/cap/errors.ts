/**
 * Errors of cap parsing and formatting. Every one is a CapError, so a caller that only wants
 * "this is not a usable cap" catches one class; the subclasses say which part is wrong.
 * @module
 */
import { BricError } from '../errors.js';

/** Base of every cap error. */
export class CapError extends BricError {
  override name = 'CapError';
}

/** The text is not a cap at all, or a kind of cap bric does not know (its prefix is wrong). */
export class BadCapPrefixError extends CapError {
  override name = 'BadCapPrefixError';
}

/** The text has a known prefix but is not spelled right: fields, base32, numbers, whitespace. */
export class MalformedCapError extends CapError {
  override name = 'MalformedCapError';
}

/** The cap is well spelled but its values are impossible: k and N out of range, size, LIT length. */
export class CapParamsError extends CapError {
  override name = 'CapParamsError';
}
