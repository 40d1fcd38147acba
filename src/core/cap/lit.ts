/**
 * The literal cap, `URI:BRIC-LIT1:<data>` (Tahoe's URI:LIT:): a file small enough to live in
 * its cap, so it needs no shares and no servers. At most LIT_MAX_BYTES; empty is allowed.
 * @module
 */
import { assertBytes, base32Encode } from '../bytes.js';
import { LIT_MAX_BYTES } from '../limits.js';
import { readBase32UpTo } from './_fields.js';
import { CapParamsError } from './errors.js';
import type { CapCodec, LitCap } from './types.js';

export const LIT_PREFIX = 'URI:BRIC-LIT1:';

export const litCapCodec: CapCodec<LitCap> = {
  kind: 'lit',
  prefix: LIT_PREFIX,
  parse(body, at) {
    return { kind: 'lit', data: readBase32UpTo(body, at, 'the LIT data', LIT_MAX_BYTES) };
  },
  format(cap) {
    assertBytes(cap.data, 'data');
    if (cap.data.length > LIT_MAX_BYTES) {
      throw new CapParamsError(`a LIT cap carries at most ${LIT_MAX_BYTES} bytes, not ${cap.data.length}`);
    }
    return LIT_PREFIX + base32Encode(cap.data);
  },
};
