/**
 * Issue 5, backup: seven tabs of one person make a private grid (happiness 7 at 3-of-10); one
 * backs up a local folder of 20 files in nested folders twice through the backup input. The first
 * uploads every file; the second, of the unchanged folder, reuses every file and sends no share
 * bytes at all (the client counts every byte its storage servers are asked to write). Archives
 * holds both snapshots and Latest names the newest.
 */
import { test, expect } from './fixtures.js';
import { folders, randomTree } from './folders-helpers.js';
import { openGrid, privateGridPath } from './grid-helpers.js';

test('backing up an unchanged folder a second time uploads no file data', async ({ newPerson, uniqueName }, testInfo) => {
  test.setTimeout(600_000);
  const tree = await randomTree(testInfo, 'work', 20);
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 7, { path: privateGridPath(uniqueName('backup')) });
  const page = pages[0]!;
  const f = folders(page);
  await page.bringToFront(); // Chromium lists a chosen directory only for the tab in front
  const report = f.section.getByTestId('backup-report');

  await f.section.getByTestId('backup-input').setInputFiles(tree.root);
  await expect(report).toBeVisible({ timeout: 300_000 });
  await expect(report).toHaveAttribute('data-files', '20');
  await expect(report).toHaveAttribute('data-reused', '0');
  const first = Number(await report.getAttribute('data-file-bytes'));
  expect(first).toBeGreaterThan(0);
  expect(Number(await report.getAttribute('data-uploaded')) + Number(await report.getAttribute('data-deduplicated'))).toBe(20);

  await f.section.getByTestId('backup-input').setInputFiles(tree.root);
  await expect(report).toHaveAttribute('data-reused', '20', { timeout: 300_000 });
  await expect(report).toHaveAttribute('data-uploaded', '0');
  await expect(report).toHaveAttribute('data-file-bytes', '0');
  await expect(report).toHaveAttribute('data-directory-bytes', '0');
  testInfo.annotations.push({ type: 'measured', description: `first backup sent ${first} share bytes of files; the second 0` });

  // Home: Backups/work/{Archives (two snapshots), Latest}.
  await f.row('Backups').getByTestId('folder-open').click();
  await f.row('work').getByTestId('folder-open').click();
  await expect(f.row('Latest')).toHaveAttribute('data-kind', 'folder');
  await f.row('Archives').getByTestId('folder-open').click();
  await expect(f.home.getByTestId('folder-row')).toHaveCount(2);
  await expect(f.home.getByTestId('folder-row').first()).toHaveAttribute('data-name', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});
