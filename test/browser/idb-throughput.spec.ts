/**
 * Throughput of IdbShareStore in real Chromium (a measurement, not a test: no thresholds).
 * Runs only with BRIC_BENCH=1 and prints MB/s (10^6 bytes/s) as annotations and on stdout:
 *   BRIC_BENCH=1 npx playwright test test/browser/idb-throughput.spec.ts
 */
import type { Page } from '@playwright/test';
import { gotoHarness, test } from '../e2e/fixtures.js';

const MiB = 1024 * 1024;

async function measure(page: Page, label: string): Promise<void> {
  const cases: Array<[string, number, number, Record<string, number>]> = [
    ['64 MiB share, 1 MiB writes (default: 1 MiB records, 8 MiB per transaction)', 64 * MiB, MiB, {}],
    ['64 MiB share, 341 KiB writes (3-of-10 blocks of 1 MiB segments)', 64 * MiB, 349_526, {}],
    ['64 MiB share, 64 KiB writes', 64 * MiB, 64 * 1024, {}],
    ['64 MiB share, 1 MiB writes, 16 MiB per transaction', 64 * MiB, MiB, { flushBytes: 16 * MiB }],
    ['64 MiB share, 1 MiB writes, one record per transaction', 64 * MiB, MiB, { flushBytes: 1 }],
    ['64 MiB share, 1 MiB writes, 128 KiB records', 64 * MiB, MiB, { recordBytes: 128 * 1024 }],
  ];
  const report = (name: string, rounds: Array<{ write: number; read: number }>): void => {
    const best = (k: 'write' | 'read') => Math.max(...rounds.map((r) => r[k])).toFixed(0);
    const line = `[${label}] ${name}: write ${best('write')} MB/s, read ${best('read')} MB/s (best of ${rounds.length})`;
    test.info().annotations.push({ type: 'throughput', description: line });
    console.log(line);
  };
  report('anchor: plain IndexedDB, 1 MiB values, 16 per transaction', await page.evaluate(() => window.bricHarness.storage.measureRawIdb(64 * 1024 * 1024, 1024 * 1024, 16)));
  for (const [name, shareBytes, writeBytes, tuning] of cases) {
    const rounds = await page.evaluate(([s, w, t]) => window.bricHarness.storage.measureThroughput(s, w, t), [shareBytes, writeBytes, tuning] as const);
    report(name, rounds);
  }
}

test.describe('IdbShareStore write and read MB/s', () => {
  test.skip(process.env.BRIC_BENCH !== '1', 'a measurement: set BRIC_BENCH=1 to run it');
  test.setTimeout(600_000);

  test('in-memory profile (a fresh browser context)', async ({ harnessPage }) => {
    await measure(harnessPage, 'in-memory profile');
  });

  test('persistent profile (on disk, as a person\'s browser)', async ({ playwright, baseURL }, testInfo) => {
    const context = await playwright.chromium.launchPersistentContext(testInfo.outputPath('profile'), {
      ...testInfo.project.use.launchOptions,
      baseURL,
    });
    try {
      await measure(await gotoHarness(await context.newPage()), 'persistent profile');
    } finally {
      await context.close();
    }
  });
});
