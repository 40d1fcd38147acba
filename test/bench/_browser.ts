/**
 * Set-up shared by the benches that drive real Chromium tabs through the signaling server: as
 * root, re-running the bench inside a loopback-only network namespace (NOTES.md); starting the
 * server and waiting until it is healthy; launching Chromium. The leading underscore keeps
 * run.ts (which imports only *.bench.ts) from taking this file for a bench.
 * @module
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from '@playwright/test';

export type Row = { section: string; name: string; value: number; unit: string; anchor?: number; note?: string };
export type Report = (row: Row) => void;

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TSX = join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs');

const LAUNCH_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--allow-loopback-in-peer-connection',
];

/** A bench that measures in a browser: `url` is its import.meta.url, `childFlag` marks its re-run. */
export interface BrowserBench {
  /** Its name in words, for the error when the re-run fails (e.g. 'grid'). */
  readonly name: string;
  readonly url: string;
  readonly childFlag: string;
  measure(): Promise<Row[]>;
}

/** The bench's `run`: measures here, or (as root) inside a network namespace. */
export async function runBrowserBench(bench: BrowserBench, report: Report): Promise<void> {
  const rows = needsNamespace() ? await runInNamespace(bench) : await bench.measure();
  for (const row of rows) report(row);
}

/** When this process is the re-run inside the namespace: measure and print the rows as the last line. */
export function runAsChild(bench: BrowserBench): void {
  if (!process.argv.includes(bench.childFlag)) return;
  bench.measure().then(
    (rows) => {
      process.stdout.write(`${JSON.stringify({ rows })}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      console.error(err instanceof Error ? err.stack ?? err.message : err);
      process.exit(1);
    },
  );
}

function needsNamespace(): boolean {
  return process.getuid?.() === 0 && process.env.BRIC_NETNS !== '1' && process.env.BRIC_NETNS !== 'off';
}

/** Re-runs the bench file as a script inside `unshare --net` and reads its rows from the last line. */
async function runInNamespace(bench: BrowserBench): Promise<Row[]> {
  const self = fileURLToPath(bench.url);
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', process.execPath, TSX, self, bench.childFlag], {
    cwd: ROOT,
    env: { ...process.env, BRIC_NETNS: '1' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? 1)));
  const last = out.trim().split('\n').pop() ?? '';
  if (code !== 0 || !last.startsWith('{')) throw new Error(`the ${bench.name} bench failed inside the network namespace (exit ${code})`);
  return (JSON.parse(last) as { rows: Row[] }).rows;
}

/** Starts `script` (under tsx) on 127.0.0.1:`port` and waits until /healthz answers. */
export async function startServer(script: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> {
  const server = spawn(process.execPath, [TSX, script], {
    cwd: ROOT,
    env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 180_000;
  for (;;) {
    if (server.exitCode !== null) throw new Error(`the server exited with ${server.exitCode}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) return server;
    } catch {
      // not listening yet (it may be building the app)
    }
    if (Date.now() > deadline) throw new Error('the server did not become healthy within 180 s');
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Chromium (the system's, or CHROMIUM_PATH) with the flags every browser bench needs. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: LAUNCH_ARGS });
}

/**
 * Samples the page's JS heap through CDP while `work` runs: V8's used heap plus ArrayBuffer backing
 * stores (where blocks and segments live). Returns the peaks and the level before. Workers are
 * other isolates and are not counted.
 */
export async function peakHeap<T>(page: Page, work: () => Promise<T>): Promise<{ result: T; peak: number; peakWithBuffers: number; before: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('HeapProfiler.collectGarbage').catch(() => undefined);
  const usage = async (): Promise<{ used: number; buffers: number }> => {
    const u = (await cdp.send('Runtime.getHeapUsage').catch(() => ({ usedSize: 0 }))) as { usedSize: number; backingStorageSize?: number };
    return { used: u.usedSize, buffers: u.backingStorageSize ?? 0 };
  };
  const first = await usage();
  let peak = first.used;
  let peakWithBuffers = first.used + first.buffers;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const u = await usage();
      peak = Math.max(peak, u.used);
      peakWithBuffers = Math.max(peakWithBuffers, u.used + u.buffers);
      await new Promise((r) => setTimeout(r, 25));
    }
  })();
  try {
    return { result: await work(), peak, peakWithBuffers, before: first.used + first.buffers };
  } finally {
    sampling = false;
    await sampler;
    await cdp.detach().catch(() => undefined);
  }
}
