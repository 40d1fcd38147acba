/**
 * The streaming restore's other paths, on a small file (a test build lowers the streaming threshold
 * through localStorage `bric-stream-bytes`): with the File System Access API (its picker answered
 * by a file in the origin's private file system, a real FileSystemFileHandle whose writable the
 * restore pipes into) and, in another browser, through the service worker. Both are bit-exact.
 */
import type { BrowserContext } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openGrid, privateGridPath, randomFile, sha256File, uploadThroughUi } from './grid-helpers.js';

const MiB = 1024 * 1024;

async function settings(context: BrowserContext, items: Record<string, string>): Promise<void> {
  await context.addInitScript((entries: [string, string][]) => {
    try {
      for (const [k, v] of entries) localStorage.setItem(k, v);
    } catch {
      // pages without storage (error pages)
    }
  }, Object.entries(items));
}

test('a streamed restore saves through the file picker, and through the service worker, bit-exact', async ({ newPerson }, testInfo) => {
  test.setTimeout(120_000);
  const file = await randomFile(testInfo, 'streamed-3MiB.bin', 3 * MiB + 777);
  const path = privateGridPath('restore-picker');
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 3, { path });
  const uploader = pages[0]!;
  await uploader.getByTestId('setting-k').fill('2');
  await uploader.getByTestId('setting-happy').fill('2');
  await uploader.getByTestId('setting-n').fill('3');
  await uploader.getByTestId('setting-save').click();
  await expect(uploader.getByText('New uploads use 2-of-3')).toBeVisible();
  const link = await uploadThroughUi(uploader, file.path, { timeout: 60_000 });

  // File System Access: the picker hands back a file of the origin's private file system.
  const bob = await newPerson('bob');
  await settings(bob.context, { 'bric-stream-bytes': String(MiB) });
  await bob.context.addInitScript(() => {
    Object.assign(window, {
      showSaveFilePicker: async ({ suggestedName }: { suggestedName: string }) => {
        Object.assign(window, { pickedName: suggestedName });
        return (await navigator.storage.getDirectory()).getFileHandle(suggestedName, { create: true });
      },
    });
  });
  const picker = await bob.open(link);
  const view = picker.locator('[data-restore-mode]');
  await expect(view).toHaveAttribute('data-restore-mode', 'stream', { timeout: 60_000 });
  await picker.getByTestId('download-button').click();
  await expect(picker.getByTestId('restore-status')).toContainText('Saved', { timeout: 60_000 });
  await expect(view).toHaveAttribute('data-save-method', 'file-picker');
  const written = await picker.evaluate(async () => {
    const name = (window as unknown as { pickedName: string }).pickedName;
    const f = await (await (await navigator.storage.getDirectory()).getFileHandle(name)).getFile();
    const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await f.arrayBuffer()));
    return { name, size: f.size, sha256: Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('') };
  });
  expect(written).toEqual({ name: file.name, size: file.size, sha256: file.sha256 });

  // The service worker's download, in a browser without the picker path.
  const carol = await newPerson('carol');
  await settings(carol.context, { 'bric-stream-bytes': String(MiB), 'bric-sw': 'on', 'bric-save': 'service-worker' });
  const streamed = await carol.open(link);
  await streamed.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller !== null) return;
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  });
  await expect(streamed.locator('[data-restore-mode]')).toHaveAttribute('data-restore-mode', 'stream', { timeout: 60_000 });
  const [download] = await Promise.all([streamed.waitForEvent('download'), streamed.getByTestId('download-button').click()]);
  expect(download.suggestedFilename()).toBe(file.name);
  expect(await sha256File(await download.path())).toBe(file.sha256);
  await expect(streamed.getByTestId('restore-status')).toContainText('Saved');
  await expect(streamed.locator('[data-restore-mode]')).toHaveAttribute('data-save-method', 'service-worker');
});
