/**
 * Tagged SHA-256d hashes, framed exactly as Tahoe's util/hashutil.py: tagged_hash(tag, data) =
 * SHA256(SHA256(netstring(tag) ‖ data)), truncated; tagged_pair_hash frames both halves as
 * netstrings. SHA-256 comes from @noble/hashes; nothing here is a primitive of our own.
 * @module
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes } from '../bytes.js';

type Sha256State = ReturnType<typeof sha256.create>;

/** SHA-256d: SHA-256 of the SHA-256 digest (Tahoe's choice against length extension). */
export function sha256d(data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  return sha256(sha256(data));
}

/** `${length}:` ‖ data ‖ `,` (D. J. Bernstein's netstring, as Tahoe's netstring()). */
export function netstring(data: Uint8Array): Uint8Array {
  assertBytes(data, 'data');
  const head = asciiBytes(`${data.length}:`);
  const out = new Uint8Array(head.length + data.length + 1);
  out.set(head, 0);
  out.set(data, head.length);
  out[out.length - 1] = 0x2c; // ','
  return out;
}

function asciiBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0x7e || c < 0x20) throw new RangeError(`"tag" must be printable ASCII, got code ${c} at ${i}`);
    out[i] = c;
  }
  return out;
}

// Hash state after absorbing netstring(tag), one per tag: every block hash would otherwise redo it.
const prefixStates = new Map<string, Sha256State>();

function tagState(tag: string): Sha256State {
  let state = prefixStates.get(tag);
  if (state === undefined) {
    if (typeof tag !== 'string' || tag.length === 0) throw new TypeError('"tag" expected a non-empty string');
    state = sha256.create().update(netstring(asciiBytes(tag)));
    prefixStates.set(tag, state);
  }
  return state.clone();
}

const COMMA = new Uint8Array([0x2c]);

/** Feeds netstring(data) to a hash without copying data (every interior tree node does this). */
function absorbNetstring(state: Sha256State, data: Uint8Array): void {
  state.update(asciiBytes(`${data.length}:`)).update(data).update(COMMA);
}

function assertTruncate(truncateTo: number): void {
  if (!Number.isInteger(truncateTo) || truncateTo < 1 || truncateTo > 32) {
    throw new RangeError(`"truncateTo" must be an integer from 1 to 32, got ${truncateTo}`);
  }
}

function finish(inner: Sha256State, truncateTo: number): Uint8Array {
  const outer = sha256(inner.digest());
  return truncateTo === 32 ? outer : outer.slice(0, truncateTo);
}

/** SHA256d(netstring(tag) ‖ data), the first `truncateTo` bytes (Tahoe's tagged_hash). */
export function taggedHash(tag: string, data: Uint8Array, truncateTo = 32): Uint8Array {
  assertBytes(data, 'data');
  assertTruncate(truncateTo);
  return finish(tagState(tag).update(data), truncateTo);
}

/** SHA256d(netstring(tag) ‖ netstring(a) ‖ netstring(b)) (Tahoe's tagged_pair_hash). */
export function taggedPairHash(tag: string, a: Uint8Array, b: Uint8Array, truncateTo = 32): Uint8Array {
  assertBytes(a, 'a');
  assertBytes(b, 'b');
  assertTruncate(truncateTo);
  const state = tagState(tag);
  absorbNetstring(state, a);
  absorbNetstring(state, b);
  return finish(state, truncateTo);
}

/** Streaming form of taggedHash, for data read segment by segment (Tahoe's tagged_hasher). */
export interface TaggedHasher {
  /** Absorbs more data; throws once a digest was taken. */
  update(data: Uint8Array): this;
  /** The tagged hash of everything absorbed; may be called again and gives the same bytes. */
  digest(truncateTo?: number): Uint8Array;
}

class _TaggedHasher implements TaggedHasher {
  private readonly state: Sha256State;
  private full: Uint8Array | undefined;
  constructor(tag: string) {
    this.state = tagState(tag);
  }
  update(data: Uint8Array): this {
    assertBytes(data, 'data');
    if (this.full !== undefined) throw new Error('tagged hasher: update() after digest()');
    this.state.update(data);
    return this;
  }
  digest(truncateTo = 32): Uint8Array {
    assertTruncate(truncateTo);
    this.full ??= finish(this.state, 32);
    return this.full.slice(0, truncateTo);
  }
}

export function createTaggedHasher(tag: string): TaggedHasher {
  return new _TaggedHasher(tag);
}
