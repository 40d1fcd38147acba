/** Errors of the erasure codec. @module */
import { BricError } from '../errors.js';

/** Parameters (k, m) or share numbers that the code cannot have. */
export class CodecParamsError extends BricError {
  override name = 'CodecParamsError';
}

/** Blocks handed to encode or decode that do not fit together (lengths, counts). */
export class CodecInputError extends BricError {
  override name = 'CodecInputError';
}
