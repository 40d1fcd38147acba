/**
 * Randomized cross-checks against real zfec (Debian python3-zfec through
 * ../shared/vectors/zfec_oracle.py beside the repository): blocks for many (k, m, size) including odd sizes, k = 1,
 * k = m, m = 256 and unaligned primaries; every (k, 256) matrix for k = 1..256.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { equalBytes } from '../../../src/core/bytes.js';
import { buildEncodingMatrix } from '../../../src/core/codec/matrix.js';
import { createCodec } from '../../../src/core/index.js';
import { seededBytes, splitPrimaries } from './_helpers.js';

const PYTHON = '/usr/bin/python3';
// The oracle ships in ../shared beside the repository (CI puts it there); BRIC_ZFEC_ORACLE overrides.
const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const ORACLE = process.env.BRIC_ZFEC_ORACLE ?? resolve(REPO, '../shared/vectors/zfec_oracle.py');
if (!existsSync(ORACLE)) {
  throw new Error(`the zfec oracle is missing at ${ORACLE}: put ../shared beside the repository or set BRIC_ZFEC_ORACLE`);
}
const hasZfec = spawnSync(PYTHON, ['-c', 'import zfec'], { stdio: 'ignore' }).status === 0;
const run = promisify(execFile);

// [k, m, block size]: edges first, then blocks that span several stripes and end in a partial word.
const FIXED: [number, number, number][] = [
  [1, 1, 0], [1, 1, 7], [1, 256, 5], [2, 2, 3], [2, 3, 1], [2, 256, 65], [3, 10, 0], [3, 10, 1],
  [3, 10, 40963], [4, 8, 8191], [4, 8, 8192], [4, 5, 24577], [5, 5, 13], [7, 13, 9], [10, 20, 1023],
  [10, 20, 20483], [16, 32, 333], [17, 34, 4099], [50, 100, 31], [128, 256, 5], [200, 256, 2],
  [255, 256, 3], [256, 256, 2],
];

function randomCases(count: number, seed: number): [number, number, number][] {
  const r = seededBytes(count * 4, seed);
  return Array.from({ length: count }, (_, i) => {
    const m = 1 + (r[4 * i]! % 40);
    const k = 1 + (r[4 * i + 1]! % m);
    return [k, m, (r[4 * i + 2]! << 4) ^ r[4 * i + 3]!];
  });
}

const CASES = [...FIXED, ...randomCases(12, 7)];

interface Oracle { dir: string; blocks: Uint8Array[][]; matrices: Uint8Array }

async function runLimited<T>(tasks: (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array<T>(tasks.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await tasks[i]!();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

describe.skipIf(!hasZfec)('against real zfec', () => {
  const oracle: Oracle = { dir: '', blocks: [], matrices: new Uint8Array(0) };

  beforeAll(async () => {
    oracle.dir = mkdtempSync(join(tmpdir(), 'bric-zfec-'));
    const matrixFile = join(oracle.dir, 'matrices256.bin');
    const tasks = CASES.map(([k, m, size], i) => async () => {
      const input = join(oracle.dir, `in${i}.bin`);
      const out = join(oracle.dir, `out${i}`);
      writeFileSync(input, seededBytes(k * size, i));
      await run(PYTHON, [ORACLE, 'encode', '-k', String(k), '-m', String(m), input, out]);
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { blocks: { file: string }[] };
      return manifest.blocks.map((b) => new Uint8Array(readFileSync(join(out, b.file))));
    });
    const matrices = async (): Promise<Uint8Array[]> => {
      await run(PYTHON, [ORACLE, 'matrices256', matrixFile]);
      return [new Uint8Array(readFileSync(matrixFile))];
    };
    const results = await runLimited([matrices, ...tasks], 3);
    oracle.matrices = results[0]![0]!;
    oracle.blocks = results.slice(1);
  }, 120_000);

  afterAll(() => {
    if (oracle.dir !== '') rmSync(oracle.dir, { recursive: true, force: true });
  });

  it('gives zfec\'s blocks and decodes from any k of them', () => {
    CASES.forEach(([k, m, size], i) => {
      const data = seededBytes(k * size, i);
      const codec = createCodec(k, m);
      const expected = oracle.blocks[i]!;
      const where = `(k=${k}, m=${m}, block ${size} bytes)`;
      // Primaries at byteOffset 0..3 in turn: the word loops must not care.
      const blocks = codec.encode(splitPrimaries(data, k, i % 4));
      expect(blocks.length, where).toBe(m);
      blocks.forEach((b, s) => expect(equalBytes(b, expected[s]!), `${where} share ${s}`).toBe(true));
      // Decoding sets: the last k shares, one primary plus parity, and a seeded shuffle.
      const order = Array.from({ length: m }, (_, s) => s);
      const r = seededBytes(m, 1000 + i);
      for (let s = m - 1; s > 0; s--) {
        const j = r[s]! % (s + 1);
        [order[s], order[j]] = [order[j]!, order[s]!];
      }
      const sets = [order.slice(0, k), order.slice(m - k), [0, ...order.filter((s) => s >= k).slice(0, k - 1)]];
      for (const set of sets) {
        if (set.length !== k) continue;
        const back = codec.decode(set.map((s) => expected[s]!.slice()), set);
        back.forEach((p, j) => expect(equalBytes(p, data.subarray(j * size, (j + 1) * size)), `${where} from ${set.join(',')}`).toBe(true));
      }
    });
  });

  it('has zfec\'s (k, 256) matrix for every k = 1..256', () => {
    let at = 0;
    for (let k = 1; k <= 256; k++) {
      const theirs = oracle.matrices.subarray(at, at + 256 * k);
      at += 256 * k;
      expect(equalBytes(buildEncodingMatrix(k, 256), theirs), `k=${k}`).toBe(true);
    }
    expect(at).toBe(oracle.matrices.length);
  });

  it('encodes unit blocks to those matrices through the public API too', () => {
    for (const k of [1, 2, 3, 31, 100, 255]) {
      const unit = Array.from({ length: k }, (_, c) => {
        const b = new Uint8Array(k);
        b[c] = 1;
        return b;
      });
      const rows = createCodec(k, 256).encode(unit);
      const start = (k * (k - 1) / 2) * 256; // Σ_{j<k} 256·j bytes precede matrix k
      rows.forEach((row, r) => expect(equalBytes(row, oracle.matrices.subarray(start + r * k, start + (r + 1) * k)), `k=${k} row ${r}`).toBe(true));
    }
  });
});

if (!hasZfec) {
  describe('against real zfec', () => {
    it.skip(`skipped: ${PYTHON} cannot import zfec (apt-get install python3-zfec)`, () => {});
  });
}
