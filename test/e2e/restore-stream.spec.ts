/**
 * Restore of a 200 MiB file through the streaming path: a grid of four tabs takes it at 3-of-4
 * (uploaded through the page, over real WebRTC); another browser opens the readcap link, presses
 * Save, and the file streams to disk through the service worker as each segment is verified. The
 * restoring page's JS heap (V8 heap plus ArrayBuffer backing stores, from the DevTools protocol)
 * stays far below the file's size the whole time, and the saved file is bit-exact. The heap is
 * sampled twice over: as it is (garbage included) and after a forced collection (what is live);
 * the live growth is held to HEAP_BOUND_BYTES, the raw one to half the file.
 */
import type { BrowserContext, CDPSession } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openGrid, privateGridPath, randomFile, sha256File, uploadThroughUi } from './grid-helpers.js';

const MiB = 1024 * 1024;
const FILE_BYTES = 200 * MiB;
/** The bound on the restoring page's live heap growth: a few pipelines of 1 MiB segments, not the file. */
const HEAP_BOUND_BYTES = 64 * MiB;
/** Garbage not yet collected counts too when sampled raw: still far below the file. */
const RAW_HEAP_BOUND_BYTES = FILE_BYTES / 2;

async function optIn(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    try {
      localStorage.setItem('bric-sw', 'on');
      // Headless Chromium has no file picker a test can answer: take the service-worker download.
      localStorage.setItem('bric-save', 'service-worker');
    } catch {
      // pages without storage (error pages)
    }
  });
}

/** The page's JS heap: V8's used heap (JSHeapUsedSize) and the ArrayBuffers' backing stores. */
async function heap(cdp: CDPSession): Promise<{ jsHeapUsed: number; backing: number; total: number }> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const jsHeapUsed = metrics.find((m) => m.name === 'JSHeapUsedSize')?.value ?? 0;
  const usage = (await cdp.send('Runtime.getHeapUsage')) as { usedSize: number; backingStorageSize?: number };
  const backing = usage.backingStorageSize ?? 0;
  return { jsHeapUsed, backing, total: jsHeapUsed + backing };
}

test('a 200 MiB file streams to disk through the service worker with the restoring page’s heap bounded', async ({ newPerson }, testInfo) => {
  test.setTimeout(480_000);
  const file = await randomFile(testInfo, 'big-200MiB.bin', FILE_BYTES);
  const path = privateGridPath('restore-stream');
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 4, { path });
  const uploader = pages[0]!;
  await uploader.getByTestId('setting-k').fill('3');
  await uploader.getByTestId('setting-happy').fill('3');
  await uploader.getByTestId('setting-n').fill('4');
  await uploader.getByTestId('setting-save').click();
  await expect(uploader.getByText('New uploads use 3-of-4')).toBeVisible();
  const t0 = Date.now();
  const link = await uploadThroughUi(uploader, file.path, { timeout: 360_000 });
  const uploadSeconds = (Date.now() - t0) / 1000;

  const bob = await newPerson('bob');
  await optIn(bob.context);
  const restorer = await bob.open(link);
  await restorer.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller !== null) return;
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  });
  const view = restorer.locator('[data-restore-mode]');
  await expect(view).toHaveAttribute('data-restore-mode', 'stream', { timeout: 60_000 });
  await expect(restorer.getByTestId('download-button')).toBeEnabled();

  const cdp = await bob.context.newCDPSession(restorer);
  await cdp.send('Performance.enable');
  await cdp.send('HeapProfiler.collectGarbage');
  const before = await heap(cdp);
  let peak = before;
  let livePeak = before;
  let polling = true;
  const poll = (async () => {
    for (let n = 0; polling; n++) {
      const now = await heap(cdp);
      if (now.total > peak.total) peak = now;
      if (n % 4 === 3) {
        await cdp.send('HeapProfiler.collectGarbage');
        const live = await heap(cdp);
        if (live.total > livePeak.total) livePeak = live;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  })();

  const t1 = Date.now();
  const [download] = await Promise.all([restorer.waitForEvent('download', { timeout: 60_000 }), restorer.getByTestId('download-button').click()]);
  expect(download.suggestedFilename()).toBe(file.name);
  expect(new URL(download.url()).pathname).toMatch(/^\/bric-download\//);
  const saved = await download.path();
  await expect(restorer.getByTestId('restore-status')).toContainText('Saved', { timeout: 60_000 });
  const restoreSeconds = (Date.now() - t1) / 1000;
  polling = false;
  await poll;
  await expect(view).toHaveAttribute('data-save-method', 'service-worker');

  const show = (h: { total: number; jsHeapUsed: number; backing: number }): string =>
    `${(h.total / MiB).toFixed(1)} MiB (JS ${(h.jsHeapUsed / MiB).toFixed(1)} + buffers ${(h.backing / MiB).toFixed(1)})`;
  const line = `heap before ${show(before)}; peak raw ${show(peak)}, growth ${((peak.total - before.total) / MiB).toFixed(1)} MiB; peak live ${show(livePeak)}, growth ${((livePeak.total - before.total) / MiB).toFixed(1)} MiB; file ${FILE_BYTES / MiB} MiB (upload ${uploadSeconds.toFixed(0)} s, streamed restore ${restoreSeconds.toFixed(0)} s)`;
  console.log(`restore-stream: ${line}`);
  testInfo.annotations.push({ type: 'heap', description: line });
  expect(livePeak.total - before.total, line).toBeLessThan(HEAP_BOUND_BYTES);
  expect(peak.total - before.total, line).toBeLessThan(RAW_HEAP_BOUND_BYTES);

  expect(await sha256File(saved)).toBe(file.sha256);
});
