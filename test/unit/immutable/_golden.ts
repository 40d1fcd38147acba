/** The golden shares of test/vectors/immutable-shares.json, typed (not a test file itself). */
import { readFileSync } from 'node:fs';

export interface GoldenCase {
  name: string;
  k: number;
  n: number;
  segmentSize: number;
  effectiveSegmentSize: number;
  plaintextHex: string;
  randomKeyHex?: string;
  convergenceSecretHex?: string;
  keyHex: string;
  storageIndexHex: string;
  uebHex: string;
  uebHashHex: string;
  sharesHex: string[];
}

export const golden = JSON.parse(readFileSync(new URL('../../vectors/immutable-shares.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
};

