/**
 * The immutable pipeline in one thread (Node): the cipher choice (noble ChaCha20 vs AES-CTR), each
 * stage of a segment (encrypt, Reed-Solomon, hashes with noble and with WebCrypto) so the limiting
 * stage is visible, then whole-file encode of a 256 MiB generated stream and decode of 64 MiB.
 * MB/s are 10^6 bytes of plaintext per second, best of a few runs.
 *
 * The worker pool's aggregate throughput needs real workers, so it is measured in Chromium by the
 * "throughput" test of test/browser/worker.spec.ts (64 MiB, 3 of 10, pool of hardwareConcurrency − 1
 * workers vs the page's thread; it logs MB/s and asserts nothing). As root, from the repo root:
 *   BRIC_BENCH=1 unshare --net -- sh -c 'ip link set lo up; exec npx playwright test test/browser/worker.spec.ts -g throughput'
 * @module
 */
import { createCipheriv } from 'node:crypto';
import { ctr } from '@noble/ciphers/aes.js';
import { chacha20 } from '@noble/ciphers/chacha.js';
import { webSha256 } from '../../src/adapters/worker/web-sha256.js';
import { createCodec } from '../../src/core/codec/rs.js';
import { cryptAt } from '../../src/core/crypto/cipher.js';
import { nobleSha256, type Sha256Digest } from '../../src/core/immutable/bulk-hash.js';
import { decodeImmutable } from '../../src/core/immutable/decode.js';
import { encodeImmutable, prepareImmutable } from '../../src/core/immutable/encode.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { encodeSegment, hashBlocks, hashCrypttextSegment } from '../../src/core/immutable/segment.js';
import type { FileSource, ShareReader, ShareWriter } from '../../src/core/immutable/source.js';

type Report = (row: { section: string; name: string; value: number; unit: string; anchor?: number; note?: string }) => void;

const MiB = 1024 * 1024;
const K = 3;
const N = 10;
const SEGMENT = 1048578; // 1 MiB rounded up to a multiple of k, as the encoder does
const signal = new AbortController().signal;

function pseudoRandom(size: number, seed = 1): Uint8Array {
  const b = new Uint8Array(size);
  let x = 0x9e3779b9 ^ seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x;
  }
  return b;
}

/** Best MB/s of `runs` timed calls (after one warm-up), `bytes` of plaintext each. */
async function best(bytes: number, runs: number, fn: () => unknown): Promise<number> {
  await fn();
  let ms = Infinity;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await fn();
    ms = Math.min(ms, performance.now() - t0);
  }
  return bytes / 1e6 / (ms / 1000);
}

async function cipherSection(report: Report): Promise<void> {
  const data = pseudoRandom(MiB);
  const out = new Uint8Array(MiB);
  const k32 = pseudoRandom(32, 2);
  const k16 = k32.subarray(0, 16);
  const openssl = await best(MiB, 10, () => createCipheriv('chacha20', k32, new Uint8Array(16)).update(data));
  const section = 'cipher (1 MiB, one thread)';
  report({ section, name: 'noble ChaCha20 (chosen)', value: await best(MiB, 10, () => chacha20(k32, new Uint8Array(12), data, out)), unit: 'MB/s', anchor: openssl, note: 'anchor: OpenSSL ChaCha20 through node:crypto' });
  report({ section, name: 'noble AES-128-CTR (Tahoe)', value: await best(MiB, 10, () => ctr(k16, new Uint8Array(16)).encrypt(data, out)), unit: 'MB/s', anchor: openssl });
  report({ section, name: 'noble AES-256-CTR', value: await best(MiB, 10, () => ctr(k32, new Uint8Array(16)).encrypt(data, out)), unit: 'MB/s', anchor: openssl });
  report({ section, name: 'cryptAt (ChaCha20 by offset)', value: await best(MiB, 10, () => cryptAt(k32, 12345 * 64, data, out)), unit: 'MB/s', anchor: openssl });
}

async function stageSection(report: Report): Promise<void> {
  const section = `segment stages (${K} of ${N}, 1 MiB segment, MB/s of plaintext)`;
  const plain = pseudoRandom(SEGMENT, 3);
  const key = pseudoRandom(32, 4);
  const codec = createCodec(K, N);
  const size = SEGMENT / K;
  const primaries = Array.from({ length: K }, (_, i) => plain.subarray(i * size, (i + 1) * size));
  const blocks = codec.encode(primaries);
  const hashAll = (d: Sha256Digest) => () => Promise.all([hashCrypttextSegment(plain, d), hashBlocks({ blocks }, d)]);
  const enc = await best(SEGMENT, 8, () => cryptAt(key, 0, plain, plain));
  const rs = await best(SEGMENT, 8, () => codec.encode(primaries));
  const noble = await best(SEGMENT, 4, hashAll(nobleSha256));
  const web = await best(SEGMENT, 8, hashAll(webSha256));
  report({ section, name: 'encrypt (ChaCha20)', value: enc, unit: 'MB/s' });
  report({ section, name: 'RS encode', value: rs, unit: 'MB/s' });
  report({ section, name: `hash crypttext + ${N} blocks, noble`, value: noble, unit: 'MB/s', note: `hashes (1 + N/k) = ${(1 + N / K).toFixed(2)} bytes per plaintext byte` });
  report({ section, name: `hash crypttext + ${N} blocks, WebCrypto`, value: web, unit: 'MB/s', anchor: noble, note: 'anchor: the same hashes with noble' });
  const job = (d: Sha256Digest) => () => encodeSegment({ k: K, n: N, segmentIndex: 0, offset: 0, length: SEGMENT, cipherKey: key, data: plain.slice() }, d);
  report({ section, name: 'encodeSegment, noble hashes', value: await best(SEGMENT, 4, job(nobleSha256)), unit: 'MB/s' });
  report({ section, name: 'encodeSegment, WebCrypto hashes', value: await best(SEGMENT, 8, job(webSha256)), unit: 'MB/s', note: `limiting stage: the slowest of the rows above (1/total ≈ Σ 1/stage)` });
}

/** A FileSource of `size` generated bytes (a 1 MiB pattern shifted per segment): no file in memory. */
function generated(size: number): FileSource {
  const pattern = pseudoRandom(2 * MiB, 5);
  return {
    size,
    read(offset, length) {
      const at = (offset * 7) % MiB;
      const out = new Uint8Array(length);
      for (let i = 0; i < length; i += MiB) out.set(pattern.subarray(at, at + Math.min(MiB, length - i)), i);
      return Promise.resolve(out);
    },
  };
}

async function wholeSection(report: Report): Promise<void> {
  const section = `whole file, in-thread (${K} of ${N}, 1 MiB segments, WebCrypto hashes)`;
  const runner = createInThreadRunner({ sha256: webSha256 });
  const big = 256 * MiB;
  const discard: ShareWriter = { write: () => Promise.resolve() };
  let ms = Infinity;
  for (let r = 0; r < 2; r++) {
    const source = generated(big);
    const t0 = performance.now();
    const prepared = await prepareImmutable(source, { k: K, n: N, segmentSize: MiB }, { randomKey: pseudoRandom(16, r) }, { signal });
    await encodeImmutable(prepared, source, runner, discard, { signal });
    ms = Math.min(ms, performance.now() - t0);
  }
  report({ section, name: 'encode 256 MiB stream (encrypt + RS + hash + trees)', value: big / 1e6 / (ms / 1000), unit: 'MB/s', note: 'shares discarded; source generated per segment' });

  const conv = generated(64 * MiB);
  const convMs = await best(64 * MiB, 1, () => prepareImmutable(conv, { k: K, n: N, segmentSize: MiB }, { convergenceSecret: new Uint8Array(16) }, { signal }));
  report({ section, name: 'convergent key pass (noble, streaming)', value: convMs, unit: 'MB/s', note: 'the extra first pass of convergent mode' });

  const size = 64 * MiB;
  const source = generated(size);
  const prepared = await prepareImmutable(source, { k: K, n: N, segmentSize: MiB }, { randomKey: pseudoRandom(16, 9) }, { signal });
  const shares = Array.from({ length: N }, () => new Uint8Array(prepared.shareSize));
  const cap = await encodeImmutable(prepared, source, runner, { write: (s, o, d) => (shares[s]!.set(d, o), Promise.resolve()) }, { signal });
  const from = (nums: number[]) => () => {
    let i = 0;
    return {
      next: () => {
        const s = nums[i++];
        if (s === undefined) return Promise.resolve(null);
        const reader: ShareReader = { shareNum: s, read: (o, l) => Promise.resolve(shares[s]!.slice(o, o + l)) };
        return Promise.resolve(reader);
      },
    };
  };
  const decodeRate = async (nums: number[]) =>
    best(size, 2, async () => {
      for await (const _ of decodeImmutable(cap, from(nums)(), runner, { signal })) void _;
    });
  report({ section, name: 'decode 64 MiB from shares 0,1,2 (verify + decrypt)', value: await decodeRate([0, 1, 2]), unit: 'MB/s' });
  report({ section, name: 'decode 64 MiB from shares 7,8,9 (verify + RS + decrypt)', value: await decodeRate([7, 8, 9]), unit: 'MB/s' });
}

export async function run(report: Report): Promise<void> {
  await cipherSection(report);
  await stageSection(report);
  await wholeSection(report);
}
