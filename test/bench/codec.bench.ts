/**
 * Erasure codec throughput, single thread, against real zfec measured in the same run: MB/s
 * (10^6 bytes) of original data, ~16 MiB per operation, best of several runs. Decode rebuilds
 * k−1 primaries from share 0 and parity shares k..2k−2. zfec runs in a helper process
 * (test/bench/zfec_bench.py --serve) and the two codecs take turns run by run. The figures use
 * each side's CPU time (user + system of its process): on an idle machine that is its wall time,
 * and on a shared one it is not inflated by the time other processes hold the core. Wall-time
 * figures are in the note.
 * @module
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createCodec } from '../../src/core/index.js';

type Report = (row: { section: string; name: string; value: number; unit: string; anchor?: number; note?: string }) => void;
type Op = 'encode' | 'decode';
interface Seconds { wall: number; cpu: number }

const PARAMS: readonly (readonly [number, number])[] = [[3, 10], [4, 8], [10, 20], [16, 32]];
const TOTAL_BYTES = 16 * 1024 * 1024;
const WARMUP_RUNS = 4; // V8 needs a few calls before the kernels run at their optimized speed
const RUNS = 9;
const PYTHON = '/usr/bin/python3';
const ZFEC_SCRIPT = fileURLToPath(new URL('./zfec_bench.py', import.meta.url));

/** One zfec process holding one (k, m) case; time(op) runs it once and gives seconds. */
class ZfecServer {
  private readonly waiting: ((line: string) => void)[] = [];
  private failure: string | undefined;

  private constructor(private readonly child: ChildProcessWithoutNullStreams) {
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const fail = (why: string): void => {
      this.failure ??= `${why}${stderr === '' ? '' : `: ${stderr.trim().split('\n').pop()}`}`;
      for (const w of this.waiting.splice(0)) w('');
    };
    child.on('error', (err) => fail(err.message));
    child.on('exit', (code) => fail(`zfec_bench.py exited with ${String(code)}`));
    createInterface({ input: child.stdout }).on('line', (line) => this.waiting.shift()?.(line));
  }

  static async start(k: number, m: number): Promise<ZfecServer> {
    const child = spawn(PYTHON, [ZFEC_SCRIPT, '--serve', '--bytes', String(TOTAL_BYTES), `${k},${m}`]);
    const server = new ZfecServer(child);
    if ((await server.next()) !== 'ready') throw new Error(server.why());
    return server;
  }

  private next(): Promise<string> {
    return new Promise((resolve) => (this.failure !== undefined ? resolve('') : this.waiting.push(resolve)));
  }

  private why(): string {
    return `zfec anchor unavailable (${PYTHON} with python3-zfec needed): ${this.failure ?? 'no answer'}`;
  }

  async time(op: Op): Promise<Seconds> {
    this.child.stdin.write(`${op}\n`);
    const [wall, cpu] = (await this.next()).split(' ').map(Number);
    if (!(wall! > 0 && cpu! >= 0)) throw new Error(this.why());
    return { wall: wall!, cpu: cpu! };
  }

  close(): void {
    this.child.stdin.end();
  }
}

function randomBlock(size: number, seed: number): Uint8Array {
  const b = new Uint8Array(size);
  let x = 0x9e3779b9 ^ seed;
  for (let i = 0; i < size; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    b[i] = x;
  }
  return b;
}

/** Our codec on one (k, m) case, checked, warmed up; seconds(op) runs it once. */
function ourCase(k: number, m: number): (op: Op) => Seconds {
  const size = Math.floor(TOTAL_BYTES / k);
  const primaries = Array.from({ length: k }, (_, i) => randomBlock(size, i + 1));
  const codec = createCodec(k, m);
  const blocks = codec.encode(primaries);
  const nums = [0, ...Array.from({ length: k - 1 }, (_, i) => k + i)];
  const chosen = nums.map((n) => blocks[n]!);
  const back = codec.decode(chosen, nums);
  if (back.some((b, i) => b.length !== size || b[size - 1] !== primaries[i]![size - 1] || b[size >> 1] !== primaries[i]![size >> 1])) {
    throw new Error(`codec bench: decode did not give back the primaries for (${k},${m})`);
  }
  const seconds = (op: Op): Seconds => {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    if (op === 'encode') codec.encode(primaries);
    else codec.decode(chosen, nums);
    const wall = (performance.now() - t0) / 1000;
    const c = process.cpuUsage(c0);
    return { wall, cpu: (c.user + c.system) / 1e6 };
  };
  for (let i = 0; i < WARMUP_RUNS; i++) {
    seconds('encode');
    seconds('decode');
  }
  return seconds;
}

export async function run(report: Report): Promise<void> {
  for (const [k, m] of PARAMS) {
    const total = Math.floor(TOTAL_BYTES / k) * k;
    const ours = ourCase(k, m);
    let zfec: ZfecServer | string;
    try {
      zfec = await ZfecServer.start(k, m);
    } catch (err) {
      zfec = (err as Error).message;
    }
    for (const op of ['encode', 'decode'] as const) {
      const best: Seconds = { wall: Infinity, cpu: Infinity };
      const bestZfec: Seconds = { wall: Infinity, cpu: Infinity };
      const keep = (into: Seconds, t: Seconds): void => {
        into.wall = Math.min(into.wall, t.wall);
        into.cpu = Math.min(into.cpu, t.cpu);
      };
      for (let i = 0; i < RUNS; i++) {
        if (typeof zfec !== 'string') {
          try {
            keep(bestZfec, await zfec.time(op));
          } catch (err) {
            zfec = (err as Error).message;
          }
        }
        keep(best, ours(op));
      }
      const section = `codec ${op}`;
      const name = `(${k},${m}) ${op === 'decode' ? `decode, rebuilding ${k - 1} primaries` : 'encode'}`;
      const mbps = (seconds: number): number => total / seconds / 1e6;
      const value = mbps(best.cpu);
      const wall = `wall time: ${mbps(best.wall).toFixed(0)} MB/s`;
      if (typeof zfec === 'string') report({ section, name, value, unit: 'MB/s', note: `${wall}; ${zfec}` });
      else {
        const note = `anchor: zfec 1.5.2, same run, runs taken in turn; ${wall}, zfec ${mbps(bestZfec.wall).toFixed(0)}`;
        report({ section, name, value, unit: 'MB/s', anchor: mbps(bestZfec.cpu), note });
      }
    }
    if (typeof zfec !== 'string') zfec.close();
  }
}
