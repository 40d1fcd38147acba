/**
 * Issue 4, the files list: uploads are kept per grid in IndexedDB and survive a reload; each row
 * offers its readcap link, a QR code, the verify cap and forget; the person's other tabs follow; the list exports to a JSON file
 * that a fresh browser imports (a bad file is refused, nothing changed). Small (LIT) files need
 * no peers, so one tab is enough.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { test, expect } from './fixtures.js';
import { privateGridPath } from './grid-helpers.js';

test('the files list survives a reload, shows QR and verify cap, exports and imports in a fresh browser', async ({ newPerson, uniqueName }, testInfo) => {
  const path = privateGridPath(uniqueName('files'));
  const alice = await newPerson('alice');
  const page = await alice.open(path);
  const rows = page.getByTestId('file-row');
  await expect(page.getByTestId('upload-input')).toBeEnabled({ timeout: 30_000 });
  await page.getByTestId('upload-input').setInputFiles([
    { name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from('a short note') },
    { name: 'list.txt', mimeType: 'text/plain', buffer: Buffer.from('milk, bread') },
  ]);
  await expect(rows.getByTestId('readcap-url')).toHaveCount(2);
  // Another tab of the same person shows them too, without a reload.
  const other = await alice.open(path);
  await expect(other.getByTestId('file-row')).toHaveCount(2);
  await page.getByTestId('upload-input').setInputFiles({ name: 'third.txt', mimeType: 'text/plain', buffer: Buffer.from('3') });
  await expect(other.getByTestId('file-row')).toHaveCount(3);
  await other.getByTestId('file-row').nth(2).getByRole('button', { name: 'Forget' }).click();
  await other.getByTestId('forget-confirm').click();
  await expect(rows).toHaveCount(2);
  await other.close();

  await page.reload();
  await expect(rows).toHaveCount(2);
  await expect(rows.nth(0)).toContainText('note.txt');
  await expect(rows.nth(1).getByTestId('readcap-url')).toHaveAttribute('href', /#cap=URI:BRIC-LIT1:.*name=list\.txt/);

  // QR code of a readcap link, and the verify cap (a LIT file has none: it lives in its cap).
  await rows.nth(0).getByRole('button', { name: 'QR code' }).click();
  const qr = rows.nth(0).getByTestId('qr-code');
  await expect(qr).toBeVisible();
  expect(await qr.locator('path').getAttribute('d')).toMatch(/^M\d+ \d+h1v1h-1z/);
  await rows.nth(0).getByRole('button', { name: 'Verify cap' }).click();
  await expect(rows.nth(0)).toContainText('lives inside its cap');

  // Export, then import into a fresh browser of the same grid.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('library-export').click()]);
  expect(download.suggestedFilename()).toMatch(/^bric-files-files-.*\.json$/);
  const exported = testInfo.outputPath('files.json');
  await download.saveAs(exported);
  const json = JSON.parse(await readFile(exported, 'utf8'));
  expect(json.files.map((f: { name: string }) => f.name)).toEqual(['note.txt', 'list.txt']);

  const bob = await newPerson('bob');
  const fresh = await bob.open(path);
  await expect(fresh.getByTestId('upload-input')).toBeEnabled({ timeout: 30_000 });
  await expect(fresh.getByTestId('file-row')).toHaveCount(0);
  const bad = testInfo.outputPath('bad.json');
  await writeFile(bad, JSON.stringify({ format: 'bric-files', version: 1, files: [json.files[0], { name: 'x', cap: 'URI:BRIC-CHK1:broken' }] }));
  await fresh.getByTestId('library-import').setInputFiles(bad);
  await expect(fresh.getByTestId('error')).toContainText('Import failed, nothing was changed: file 2 of the list cannot be used');
  await expect(fresh.getByTestId('file-row')).toHaveCount(0);
  await fresh.getByTestId('library-import').setInputFiles(exported);
  await expect(fresh.getByTestId('file-row')).toHaveCount(2);
  await expect(fresh.getByTestId('library-notice')).toContainText('Imported 2 files');
  await expect(fresh.getByTestId('file-row').nth(1).getByTestId('readcap-url')).toHaveAttribute('href', json.files[1].link);

  // Forget takes a row out of the list, for good (after a reload too).
  await fresh.getByTestId('file-row').nth(0).getByRole('button', { name: 'Forget' }).click();
  await fresh.getByTestId('forget-confirm').click();
  await expect(fresh.getByTestId('file-row')).toHaveCount(1);
  await fresh.reload();
  await expect(fresh.getByTestId('file-row')).toHaveCount(1);
  await expect(fresh.getByTestId('file-row')).toContainText('list.txt');
});
