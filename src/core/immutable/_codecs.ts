/** One codec per (k, N), built once: building zfec's matrix costs more than a small segment. @module */
import { createCodec, type Codec } from '../codec/rs.js';

const codecs = new Map<number, Codec>();

export function codecFor(k: number, n: number): Codec {
  const key = k * 1024 + n;
  let codec = codecs.get(key);
  if (codec === undefined) {
    codec = createCodec(k, n);
    codecs.set(key, codec);
  }
  return codec;
}
