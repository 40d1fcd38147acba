/**
 * The base of bric's named errors. Each layer defines its own subclasses next to the concept
 * they belong to (codec/errors.ts, cap/errors.ts, …); callers branch on `err.name`, which each
 * subclass spells out as a string literal so that minified builds keep it.
 * @module
 */

export class BricError extends Error {
  override name = 'BricError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
