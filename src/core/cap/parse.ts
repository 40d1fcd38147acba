/**
 * parseCap/formatCap: dispatch on a cap's prefix (everything up to its second colon) to the
 * codec of its kind. Strict: one spelling per cap, so formatCap(parseCap(s)) === s.
 * @module
 */
import { chkReadCapCodec } from './chk.js';
import { dirChkCapCodec, dirChkVerifyCapCodec, dirLitCapCodec, dirReadCapCodec, dirVerifyCapCodec, dirWriteCapCodec } from './dir.js';
import { BadCapPrefixError, MalformedCapError } from './errors.js';
import { litCapCodec } from './lit.js';
import { sskReadCapCodec, sskVerifyCapCodec, sskWriteCapCodec } from './ssk.js';
import type { Cap, CapCodec, CapKind } from './types.js';
import { chkVerifyCapCodec } from './verifier.js';

/** Every kind bric reads. A new kind is one more entry. */
const CODECS: readonly CapCodec[] = [
  chkReadCapCodec,
  chkVerifyCapCodec,
  litCapCodec,
  sskWriteCapCodec,
  sskReadCapCodec,
  sskVerifyCapCodec,
  dirWriteCapCodec,
  dirReadCapCodec,
  dirVerifyCapCodec,
  dirChkCapCodec,
  dirChkVerifyCapCodec,
  dirLitCapCodec,
] as CapCodec[];

const BY_PREFIX = new Map(CODECS.map((c) => [c.prefix, c]));
const BY_KIND = new Map<CapKind, CapCodec>(CODECS.map((c) => [c.kind, c]));

/** Tahoe-LAFS's own kinds: recognised only to say plainly that bric cannot read them. */
const TAHOE_PREFIXES = ['URI:CHK:', 'URI:CHK-Verifier:', 'URI:LIT:', 'URI:SSK:', 'URI:SSK-RO:', 'URI:SSK-Verifier:', 'URI:MDMF:', 'URI:DIR2'];

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}

/** Reads a cap from its text form; throws a CapError subclass naming what is wrong. */
export function parseCap(text: string): Cap {
  if (typeof text !== 'string') throw new MalformedCapError(`a cap is text, got ${describe(text)}`);
  if (text.length === 0) throw new MalformedCapError('the cap is empty');
  if (text.trim() !== text) throw new MalformedCapError('the cap has spaces or line breaks at its start or end');
  if (!text.startsWith('URI:')) throw new BadCapPrefixError('this is not a cap: caps start with "URI:"');
  const colon = text.indexOf(':', 4);
  const prefix = colon < 0 ? text : text.slice(0, colon + 1);
  const codec = BY_PREFIX.get(prefix);
  if (codec === undefined) {
    if (TAHOE_PREFIXES.some((p) => text.startsWith(p))) {
      throw new BadCapPrefixError('this is a Tahoe-LAFS cap; bric reads only its own URI:BRIC-… caps');
    }
    const shown = prefix.length > 32 ? `${prefix.slice(0, 32)}…` : prefix;
    const known = CODECS.map((c) => c.prefix).join(', ');
    throw new BadCapPrefixError(`unknown kind of cap ${JSON.stringify(shown)}; bric knows ${known}`);
  }
  return codec.parse(text.slice(prefix.length), prefix.length);
}

/** Writes a cap's text form; the inverse of parseCap. Invalid values throw as parseCap would. */
export function formatCap(cap: Cap): string {
  const codec = typeof cap === 'object' && cap !== null ? BY_KIND.get(cap.kind) : undefined;
  if (codec === undefined) throw new TypeError(`"cap" is not a cap bric knows (${describe(cap)})`);
  return codec.format(cap);
}
