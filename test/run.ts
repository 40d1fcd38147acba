/**
 * `npm test`: the whole suite in one command. Checks Chromium, isolates itself in a loopback-only
 * network namespace when run as root (NOTES.md), then runs type checks, Vitest, the production
 * build and Playwright, stopping at the first failure. The last line is `N passed, N failed`.
 * `npm run test:unit [-- vitest args]` and `npm run test:e2e [-- playwright args]` run one part
 * alone (e2e still inside the namespace), e.g. `npm run test:e2e -- test/browser/x.spec.ts`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const BIN = join(ROOT, 'node_modules', '.bin');

interface Counts { passed: number; failed: number; skipped: number }
const total: Counts = { passed: 0, failed: 0, skipped: 0 };

function say(line: string): void {
  process.stdout.write(`${line}\n`);
}

function summaryAndExit(code: number): never {
  const skipped = total.skipped > 0 ? `, ${total.skipped} skipped` : '';
  say('');
  say(`${total.passed} passed, ${total.failed} failed${skipped}`);
  process.exit(code);
}

/** Chromium must exist before anything slow runs: say how to get it, plainly. */
function checkChromium(): void {
  const chromium = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
  if (existsSync(chromium)) return;
  say(`Chromium was not found at ${chromium}.`);
  say('The browser tests need it. On Debian or Ubuntu install it with:');
  say('  apt-get install -y chromium');
  say('or point CHROMIUM_PATH at an existing Chromium or Chrome binary.');
  process.exit(1);
}

/**
 * As root, WebRTC would otherwise gather and send to the machine's LAN addresses; inside a fresh
 * network namespace only loopback exists. Re-exec this very script there. BRIC_NETNS=1 marks "already
 * inside"; BRIC_NETNS=off is the explicit, at-your-own-risk way to skip isolation as root.
 */
function isolateIfRoot(part: Part): 'here' | 'in-child' {
  const isRoot = process.getuid?.() === 0;
  const state = process.env.BRIC_NETNS;
  // Vitest tests stay in-process and offline; only the browser needs the namespace.
  if (!isRoot || state === '1' || part === 'unit') return 'here';
  if (state === 'off') {
    say('BRIC_NETNS=off: running as root WITHOUT a loopback-only network namespace.');
    return 'here';
  }
  const probe = spawnSync('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    const why = probe.error?.message ?? (probe.stderr.trim() || `exit ${probe.status}`);
    say(`Cannot create a loopback-only network namespace (unshare --net): ${why}`);
    say('As root the browser tests would reach real network interfaces, so they will not run.');
    say('Fix: install util-linux and iproute2 (apt-get install -y util-linux iproute2) and allow');
    say('unshare (e.g. docker --cap-add SYS_ADMIN), or run as a normal user, or set BRIC_NETNS=off');
    say('to run without isolation at your own risk.');
    process.exit(1);
  }
  say('Running inside a loopback-only network namespace (unshare --net).');
  const self = [process.execPath, ...process.execArgv, ...process.argv.slice(1)];
  const child = spawn('unshare', ['--net', '--', 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...self], {
    stdio: 'inherit',
    env: { ...process.env, BRIC_NETNS: '1' },
  });
  const forward = (sig: NodeJS.Signals): void => { child.kill(sig); };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  child.on('exit', (code) => process.exit(code ?? 1));
  return 'in-child';
}

/** Runs one step with inherited output; resolves to its exit code. */
function run(title: string, cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<number> {
  say(`\n── ${title} ─ ${[cmd, ...args].join(' ')}`);
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(BIN, cmd), args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
    child.on('error', (err) => { say(`could not start ${cmd}: ${err.message}`); resolve(127); });
    child.on('exit', (code, signal) => {
      const secs = ((Date.now() - started) / 1000).toFixed(1);
      const result = code === 0 ? 'ok' : `FAILED (${signal ?? `exit ${code}`})`;
      say(`── ${title}: ${result} in ${secs} s`);
      resolve(code ?? 1);
    });
  });
}

function readJson(path: string): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch {
    return undefined;
  }
}

function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

/** Vitest's JSON reporter (Jest-compatible fields). */
function addVitest(path: string): boolean {
  const r = readJson(path) as Record<string, unknown> | undefined;
  if (r === undefined) return false;
  total.passed += num(r.numPassedTests);
  total.failed += num(r.numFailedTests);
  total.skipped += num(r.numPendingTests) + num(r.numTodoTests);
  return true;
}

/** Playwright's JSON reporter: `stats.expected` passed, `unexpected` failed, `flaky` passed on retry. */
function addPlaywright(path: string): boolean {
  const r = readJson(path) as { stats?: Record<string, unknown> } | undefined;
  if (r?.stats === undefined) return false;
  total.passed += num(r.stats.expected) + num(r.stats.flaky);
  total.failed += num(r.stats.unexpected);
  total.skipped += num(r.stats.skipped);
  return true;
}

type Part = 'all' | 'unit' | 'e2e';

function parseArgs(argv: string[]): { part: Part; extra: string[] } {
  const first = argv[0];
  if (first === '--unit' || first === '--e2e') return { part: first === '--unit' ? 'unit' : 'e2e', extra: argv.slice(1) };
  if (argv.length > 0) {
    say(`Unknown arguments: ${argv.join(' ')}. Use --unit [vitest args] or --e2e [playwright args].`);
    process.exit(2);
  }
  return { part: 'all', extra: [] };
}

async function main(): Promise<void> {
  const { part, extra } = parseArgs(process.argv.slice(2));
  if (part !== 'unit') checkChromium();
  if (isolateIfRoot(part) === 'in-child') return; // the child prints everything and sets the exit code

  const out = mkdtempSync(join(tmpdir(), 'bric-test-'));
  process.on('exit', () => rmSync(out, { recursive: true, force: true }));
  // A step that fails without test counts (a type error, a broken build) still counts as one
  // failure, so the summary line never reads "0 failed" for a red run.
  const fail = (): never => {
    if (total.failed === 0) total.failed = 1;
    summaryAndExit(1);
  };

  if (part === 'all') {
    if (await run('types', 'tsc', ['-p', 'tsconfig.json', '--noEmit']) !== 0) fail();
    if (await run('types (core, no DOM)', 'tsc', ['-p', 'src/core/tsconfig.json', '--noEmit']) !== 0) fail();
    if (await run('svelte-check', 'svelte-check', ['--tsconfig', './tsconfig.json', '--threshold', 'error']) !== 0) fail();
  }

  if (part !== 'e2e') {
    const vitestJson = join(out, 'vitest.json');
    const vitestCode = await run('unit + integration (Vitest)', 'vitest', [
      'run', '--passWithNoTests', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`, ...extra,
    ]);
    const vitestCounted = addVitest(vitestJson);
    if (vitestCode !== 0 || !vitestCounted) fail();
  }

  if (part === 'all' && await run('production build', 'vite', ['build', '--logLevel', 'warn']) !== 0) fail();

  if (part !== 'unit') {
    if (await run('test build (app + browser harness)', 'vite', ['build', '--mode', 'test', '--logLevel', 'warn']) !== 0) fail();
    const pwJson = join(out, 'playwright.json');
    const pwCode = await run('browser (Playwright)', 'playwright', ['test', '--pass-with-no-tests', '--reporter=list,json', ...extra], {
      PLAYWRIGHT_JSON_OUTPUT_NAME: pwJson,
    });
    const pwCounted = addPlaywright(pwJson);
    if (pwCode !== 0 || !pwCounted) fail();
  }

  summaryAndExit(0);
}

await main();
