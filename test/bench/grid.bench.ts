/**
 * Upload and restore through 10 real Chromium tabs on loopback (3-of-10), through the app's own
 * UI (upload-input, readcap link, restore view): MB/s (10^6 bytes) of file data for 64 MiB and
 * 1 MiB, against a real Tahoe-LAFS 1.17.1 grid of 10 nodes on this machine (NOTES.md), plus the
 * restoring tab's peak JS heap and where the time goes. As root it runs itself inside a
 * loopback-only network namespace (NOTES.md), like `npm test`.
 * @module
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from '@playwright/test';
import { launchChromium, peakHeap, runAsChild, runBrowserBench, startServer, type BrowserBench, type Report, type Row } from './_browser.js';

const CHILD_FLAG = '--bric-grid-bench-child';
const PORT = Number(process.env.BRIC_BENCH_PORT ?? 8151);
const BASE = `http://127.0.0.1:${PORT}`;
const TABS = 10;
const MiB = 1024 * 1024;
/** Tahoe-LAFS 1.17.1, 10 nodes on loopback, 3-of-10, through its web API (NOTES.md, issue 3). */
const TAHOE = { '64 MiB': { up: 13, down: 20 }, '1 MiB': { up: 7.5, down: 11.5 } } as const;
/** BRIC_BENCH_GRID_SIZES="64 MiB" runs only the sizes named (comma-separated). */
const SIZES = ([['1 MiB', 1 * MiB], ['64 MiB', 64 * MiB]] as const).filter(
  ([label]) => process.env.BRIC_BENCH_GRID_SIZES === undefined || process.env.BRIC_BENCH_GRID_SIZES.split(',').map((x) => x.trim()).includes(label),
);
const SECTION = 'grid (10 tabs, 3-of-10)';

const BENCH: BrowserBench = { name: 'grid', url: import.meta.url, childFlag: CHILD_FLAG, measure };

export async function run(report: Report): Promise<void> {
  await runBrowserBench(BENCH, report);
}

async function newPerson(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ baseURL: BASE, permissions: ['microphone'], acceptDownloads: true });
}

async function waitForText(page: Page, testId: string, predicate: (text: string) => boolean, timeoutMs: number, what: string): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = (await page.getByTestId(testId).first().textContent().catch(() => null)) ?? '';
    if (predicate(text)) return text;
    const error = await page.getByTestId('error').textContent({ timeout: 50 }).catch(() => null);
    if (error) throw new Error(`${what}: ${error}`);
    if (Date.now() > deadline) throw new Error(`${what}: timed out (${testId} says "${text}")`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The duration (ms) of the newest performance.measure entry called `name` in the page. */
async function measured(page: Page, name: string): Promise<number> {
  return page.evaluate((n) => {
    const entries = performance.getEntriesByName(n, 'measure');
    return entries.length === 0 ? NaN : entries[entries.length - 1]!.duration;
  }, name);
}

/** Main-thread busy time (CDP Performance.TaskDuration) while `work` runs, as a fraction of its wall time. */
async function mainThreadBusy<T>(page: Page, work: () => Promise<T>): Promise<{ result: T; busy: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const task = async (): Promise<number> => (await cdp.send('Performance.getMetrics')).metrics.find((m) => m.name === 'TaskDuration')?.value ?? 0;
  const t0 = performance.now();
  const before = await task();
  try {
    const result = await work();
    return { result, busy: (await task() - before) / ((performance.now() - t0) / 1000) };
  } finally {
    await cdp.detach().catch(() => undefined);
  }
}

/** Where the time went in a page's node (BricNode.stats through the debug handle), as one note. */
async function stageNote(page: Page): Promise<string> {
  const stats = await page.evaluate(() => (window as { bricNode?: { stats(): Record<string, number> } }).bricNode?.stats() ?? {}).catch(() => ({}));
  return Object.entries(stats)
    .map(([k, v]) => `${k} ${Number.isInteger(v) ? v : v.toFixed(0)}`)
    .join(', ');
}

async function measure(): Promise<Row[]> {
  const rows: Row[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'bric-grid-bench-'));
  const server = await startServer('signaling/main.ts', PORT);
  const browser = await launchChromium();
  try {
    const alice = await newPerson(browser);
    const tabs: Page[] = [];
    for (let i = 0; i < TABS; i++) {
      const page = await alice.newPage();
      await page.goto('/');
      tabs.push(page);
    }
    for (const page of tabs) await waitForText(page, 'peer-count', (t) => t === String(TABS - 1), 120_000, 'joining the grid');
    const uploader = tabs[0]!;
    const bob = await newPerson(browser);

    for (const [label, size] of SIZES) {
      const path = join(dir, `random-${label.replace(' ', '')}.bin`);
      writeFileSync(path, randomBytes(size));
      const rowsBefore = await uploader.getByTestId('file-row').count();
      const row = uploader.getByTestId('file-row').nth(rowsBefore);
      const { busy: upBusy } = await mainThreadBusy(uploader, async () => {
        await uploader.getByTestId('upload-input').setInputFiles(path);
        await row.getByTestId('readcap-url').waitFor({ timeout: 600_000 });
      });
      const link = (await row.getByTestId('readcap-url').getAttribute('href')) ?? '';
      const upMs = await measured(uploader, 'bric:upload');
      rows.push({ section: SECTION, name: `upload ${label}`, value: size / 1e6 / (upMs / 1000), unit: 'MB/s', anchor: TAHOE[label].up, note: `${(upMs / 1000).toFixed(2)} s; uploader main thread busy ${(upBusy * 100).toFixed(0)} %; busy ms: ${await stageNote(uploader)}` });

      // Warm restore: a tab of another person, already linked to the ten, gets the link pasted
      // (the app restores in place), as a Tahoe client with its servers connected would.
      const fragment = new URL(link).hash;
      const warm = await bob.newPage();
      await warm.goto('/');
      await waitForText(warm, 'peer-count', (t) => t === String(TABS), 120_000, 'the restoring tab joining');
      const { result: downBusy, peak, peakWithBuffers, before } = await peakHeap(warm, async () => {
        const { busy } = await mainThreadBusy(warm, async () => {
          await warm.evaluate((h) => (location.hash = h), fragment);
          await waitForText(warm, 'restore-status', (t) => t.includes('ready to save'), 600_000, `restoring ${label}`);
        });
        return busy;
      });
      const downMs = await measured(warm, 'bric:restore');
      rows.push({ section: SECTION, name: `restore ${label}`, value: size / 1e6 / (downMs / 1000), unit: 'MB/s', anchor: TAHOE[label].down, note: `${(downMs / 1000).toFixed(2)} s in a tab already linked to the grid; its main thread busy ${(downBusy * 100).toFixed(0)} %; busy ms: ${await stageNote(warm)}` });
      rows.push({ section: SECTION, name: `restore ${label}: peak JS heap`, value: peak / MiB, unit: 'MiB', note: 'V8 heap of the restoring tab (workers not counted)' });
      rows.push({ section: SECTION, name: `restore ${label}: peak JS heap + ArrayBuffers`, value: peakWithBuffers / MiB, unit: 'MiB', note: `${(before / MiB).toFixed(1)} MiB before the restore; the restored file goes to Blob parts outside the heap` });
      await warm.close();

      // Cold restore: a fresh browser opens the readcap link (join, dial the holders, restore).
      const carol = await newPerson(browser);
      const cold = await carol.newPage();
      const t0 = Date.now();
      await cold.goto(link);
      await waitForText(cold, 'restore-status', (t) => t.includes('ready to save'), 600_000, `restoring ${label} cold`);
      const coldMs = Date.now() - t0;
      rows.push({ section: SECTION, name: `restore ${label}, new browser`, value: size / 1e6 / (coldMs / 1000), unit: 'MB/s', note: `${(coldMs / 1000).toFixed(2)} s from opening the link (page load, joining, dialling included); restore itself ${(await measured(cold, 'bric:restore') / 1000).toFixed(2)} s` });
      await carol.close();
      rmSync(path, { force: true });
    }
  } finally {
    await browser.close().catch(() => undefined);
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

runAsChild(BENCH);
