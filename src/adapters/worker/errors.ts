/** Errors of the codec worker pool. @module */
import { SegmentRunnerError } from '../../core/immutable/errors.js';

/** A codec worker failed: it could not start, crashed, or its job threw (remoteName says what). */
export class CodecWorkerError extends SegmentRunnerError {
  override name = 'CodecWorkerError';
  constructor(
    message: string,
    /** The name of the error thrown inside the worker, when there was one (e.g. 'RangeError'). */
    readonly remoteName?: string,
  ) {
    super(message);
  }
}
