/**
 * The file cipher: ChaCha20 (RFC 8439, @noble/ciphers) addressed by byte offset, so any segment
 * can be encrypted or decrypted on its own (in parallel workers, or for a ranged read).
 * Chosen over AES-CTR by measurement (see CIPHER_CHOICE below and test/bench/pipeline.bench.ts).
 * @module
 */
import { chacha20 } from '@noble/ciphers/chacha.js';
import { assertBytes } from '../bytes.js';
import { TAG_CIPHER_KEY } from '../hash/tags.js';
import { taggedHash } from '../hash/tagged.js';
import { MAX_FILE_BYTES } from '../limits.js';

/*
 * CIPHER_CHOICE — measured in Node 20 on this shared 2-core machine, 1 MiB messages, one thread
 * (`npm run bench -- pipeline`, section "cipher"; three runs, the machine under varying load):
 *   @noble/ciphers chacha20          120–142 MB/s
 *   @noble/ciphers AES-128-CTR        57–88 MB/s   (Tahoe's cipher)
 *   @noble/ciphers AES-256-CTR        42–62 MB/s
 * ChaCha20 wins by 1.6–2.1×; it needs a 32-byte key, derived from the cap's 16-byte read key below.
 * (Native AES-CTR through WebCrypto would be faster still, but is async and outside @noble.)
 */

/** The cipher scheme's number, written in the UEB: a new scheme gets a new number. */
export const CIPHER_CHACHA20_OFFSET_V1 = 1;

/** Bytes of a read key (Tahoe's AES-128 key size; the cap carries exactly this). */
export const READ_KEY_BYTES = 16;

/** Bytes of the ChaCha20 key derived from the read key. */
export const CIPHER_KEY_BYTES = 32;

const BLOCK_BYTES = 64;
/**
 * noble refuses the block counter 2^32 − 1 (it never wraps), so the keystream is cut into runs of
 * 2^31 blocks (128 GiB): run r uses nonce = r (96-bit little-endian), counter = block mod 2^31.
 * Every byte offset up to MAX_FILE_BYTES thus has exactly one (nonce, counter, position).
 */
const BLOCKS_PER_NONCE = 2 ** 31;
const BYTES_PER_NONCE = BLOCKS_PER_NONCE * BLOCK_BYTES;

/** The 32-byte ChaCha20 key for a 16-byte read key: taggedHash(TAG_CIPHER_KEY, readKey). */
export function deriveCipherKey(readKey: Uint8Array): Uint8Array {
  assertBytes(readKey, 'readKey', READ_KEY_BYTES);
  return taggedHash(TAG_CIPHER_KEY, readKey, CIPHER_KEY_BYTES);
}

function nonceFor(run: number): Uint8Array {
  const nonce = new Uint8Array(12);
  let v = run;
  for (let i = 0; i < 8 && v > 0; i++) {
    nonce[i] = v % 256;
    v = Math.floor(v / 256);
  }
  return nonce;
}

/**
 * XORs `data` with the keystream starting at byte `offset` of the file and writes the result to
 * `output` (default: a new array; `output` may be `data` itself to work in place). Encryption
 * and decryption are the same operation.
 */
export function cryptAt(cipherKey: Uint8Array, offset: number, data: Uint8Array, output?: Uint8Array): Uint8Array {
  assertBytes(cipherKey, 'cipherKey', CIPHER_KEY_BYTES);
  assertBytes(data, 'data');
  if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`"offset" must be a whole number ≥ 0, got ${offset}`);
  if (offset + data.length > MAX_FILE_BYTES) throw new RangeError(`"offset" + length ${offset + data.length} is past the largest file`);
  const out = output ?? new Uint8Array(data.length);
  assertBytes(out, 'output', data.length);
  let done = 0;
  while (done < data.length) {
    const at = offset + done;
    const run = Math.floor(at / BYTES_PER_NONCE);
    const inRun = at - run * BYTES_PER_NONCE;
    const block = Math.floor(inRun / BLOCK_BYTES);
    const skip = inRun - block * BLOCK_BYTES;
    const nonce = nonceFor(run);
    if (skip !== 0) {
      // Unaligned start: one keystream block, of which we use the bytes from `skip` on.
      const take = Math.min(BLOCK_BYTES - skip, data.length - done);
      const ks = chacha20(cipherKey, nonce, new Uint8Array(BLOCK_BYTES), undefined, block);
      for (let i = 0; i < take; i++) out[done + i] = data[done + i]! ^ ks[skip + i]!;
      ks.fill(0);
      done += take;
      continue;
    }
    const take = Math.min(BYTES_PER_NONCE - inRun, data.length - done);
    chacha20(cipherKey, nonce, data.subarray(done, done + take), out.subarray(done, done + take), block);
    done += take;
  }
  return out;
}
