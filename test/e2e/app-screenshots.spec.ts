/**
 * Screenshots of each view at desktop (1280 px) and phone (375 px) widths, for the README tour
 * and for looking at the views by eye: docs/screenshots/<view>-<width>.png. Writes only when
 * BRIC_SCREENSHOTS=1 (otherwise skipped, so a normal run never touches the committed PNGs).
 */
import { join } from 'node:path';
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openGrid, privateGridPath } from './grid-helpers.js';

const OUT = join(import.meta.dirname, '..', '..', 'docs', 'screenshots');

test('screenshots of the files, folders, grid, settings and restore views at 1280 and 375 px', async ({ newPerson, uniqueName }) => {
  test.skip(process.env.BRIC_SCREENSHOTS !== '1', 'set BRIC_SCREENSHOTS=1 to write docs/screenshots/*.png');
  test.setTimeout(120_000);
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 4, { path: privateGridPath('photos') });
  const names = ['Ana’s laptop', 'Kitchen PC', 'Ana’s phone', 'Office desktop'];
  for (const [i, page] of pages.entries()) {
    await page.getByTestId('setting-nickname').fill(names[i] ?? 'node');
    if (i === 0) {
      await page.getByTestId('setting-k').fill('2');
      await page.getByTestId('setting-happy').fill('3');
      await page.getByTestId('setting-n').fill('4');
    }
    await page.getByTestId('setting-save').click();
    await expect(page.getByText('Saved.')).toBeVisible();
  }
  const page = pages[0] as Page;
  await page.getByRole('button', { name: 'Dismiss' }).first().click();
  const bytes = (n: number): Buffer => Buffer.alloc(n, 7);
  await page.getByTestId('upload-input').setInputFiles([
    { name: 'holiday-2026.jpg', mimeType: 'image/jpeg', buffer: bytes(2_400_000) },
    { name: 'tax-return.pdf', mimeType: 'application/pdf', buffer: bytes(380_000) },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('remember the milk') },
  ]);
  await expect(page.getByTestId('file-row').getByTestId('readcap-url')).toHaveCount(3, { timeout: 60_000 });
  await page.getByTestId('file-row').nth(1).getByRole('button', { name: 'QR code' }).click();
  await page.getByRole('button', { name: 'Show QR code' }).click();
  await expect(page.getByTestId('peer-bar')).toHaveCount(3);
  void uniqueName;
  const folders = page.getByTestId('folders-section');
  for (const name of ['Photos', 'Taxes']) {
    await folders.getByTestId('folder-new-name').fill(name);
    await folders.getByTestId('folder-new').click();
    await expect(folders.getByTestId('folder-row').filter({ hasText: name })).toBeVisible({ timeout: 60_000 });
  }

  for (const width of [1280, 375]) {
    await page.setViewportSize({ width, height: 900 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: join(OUT, `page-${width}.png`) });
    for (const view of ['files', 'folders', 'grid', 'settings']) {
      await page.locator(`#${view}`).screenshot({ path: join(OUT, `${view}-${width}.png`) });
    }
  }

  // The view a readcap link opens, in another person's browser.
  const link = (await page.getByTestId('file-row').nth(1).getByTestId('readcap-url').getAttribute('href')) ?? '';
  const bob = await (await newPerson('bob')).open(link);
  await expect(bob.getByTestId('restore-status')).toContainText('ready to save', { timeout: 60_000 });
  for (const width of [1280, 375]) {
    await bob.setViewportSize({ width, height: 900 });
    await bob.locator('section.restore').screenshot({ path: join(OUT, `restore-${width}.png`) });
  }
});
