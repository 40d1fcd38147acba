/**
 * Issue 6, resumable upload in a real browser: seven storage tabs and an uploading page (the
 * harness page running a full node and src/app/resume.ts) in a private grid; the upload stops
 * once its first pass's shares are closed and recorded, the page reloads, and the upload resumes
 * from the File kept in IndexedDB: the shares closed before the reload are not sent again (the
 * bytes written are exactly the other shares'), and a new browser restores the file bit-exact.
 * Then the same through the app itself: a tab reloaded in the middle of a large upload finishes it
 * by itself when it comes back, and the file joins its files list.
 */
import { test, expect } from './fixtures.js';
import { gotoHarness } from './fixtures.js';
import { openGrid, privateGridPath, randomFile, restoreThroughUi, waitForPeers } from './grid-helpers.js';

const MiB = 1024 * 1024;
const STORAGE_TABS = 7;
const N = 10;

test('an upload cut off by a reload resumes; shares closed before the reload are not sent again', async ({ newPerson }, testInfo) => {
  test.setTimeout(240_000);
  const path = privateGridPath(testInfo.title);
  const alice = await newPerson('alice');
  await openGrid(alice, STORAGE_TABS, { path, timeout: 90_000 });
  const uploader = await alice.openHarness();
  await uploader.evaluate(([p, peers]) => window.bricHarness.resume.start(p, peers), [path, STORAGE_TABS] as const);

  const { sha256, shareSize } = await uploader.evaluate((size) => window.bricHarness.resume.beginUpload(size), 2 * MiB);
  const closedBefore = await uploader.evaluate(() => window.bricHarness.resume.whenPaused());
  expect(closedBefore.length).toBeGreaterThan(0);
  expect(closedBefore.length).toBeLessThan(N);

  // The tab reloads mid-upload: its connections close, servers drop the shares not closed.
  await uploader.reload();
  await gotoHarness(uploader);
  await uploader.evaluate(([p, peers]) => window.bricHarness.resume.start(p, peers), [path, STORAGE_TABS] as const);
  expect(await uploader.evaluate(() => window.bricHarness.resume.pending())).toEqual([{ name: 'resumed.bin', closedShares: [...closedBefore], attempts: 1 }]);

  const outcomes = await uploader.evaluate(() => window.bricHarness.resume.resumeAll());
  expect(outcomes).toHaveLength(1);
  const outcome = outcomes[0]!;
  expect([...outcome.skippedShares].sort((a, b) => a - b)).toEqual([...closedBefore]);
  expect(outcome.bytesWritten).toBe((N - closedBefore.length) * shareSize);
  expect(await uploader.evaluate(() => window.bricHarness.resume.pending())).toEqual([]);
  testInfo.annotations.push({ type: 'resume', description: `${closedBefore.length} shares kept, ${outcome.bytesWritten} bytes sent after the reload` });

  const bob = await newPerson('bob');
  const restorer = await bob.open(outcome.link);
  const restored = await restoreThroughUi(restorer, { timeout: 120_000 });
  expect(restored.name).toBe('resumed.bin');
  expect(restored.sha256).toBe(sha256);
});

test('the app: a tab reloaded during a large upload finishes it when it comes back, and lists the file', async ({ newPerson }, testInfo) => {
  test.setTimeout(240_000);
  const path = privateGridPath(`${testInfo.title}-app`);
  await openGrid(await newPerson('alice'), 3, { path, timeout: 90_000 });
  const bob = await newPerson('bob');
  const page = await bob.open(path);
  await waitForPeers([page], 3, { timeout: 90_000 });
  // 2-of-3 on the four nodes; files over 32 MiB go in three passes (a test-build switch lowers the
  // single-pass threshold from RESUME_SINGLE_PASS_BELOW_BYTES, so the test file stays small).
  await page.evaluate(() => localStorage.setItem('bric-single-pass-bytes', String(32 * 1024 * 1024)));
  await page.getByTestId('setting-k').fill('2');
  await page.getByTestId('setting-happy').fill('3');
  await page.getByTestId('setting-n').fill('3');
  await page.getByTestId('setting-save').click();
  await expect(page.getByText('New uploads use 2-of-3, happiness 3')).toBeVisible();

  const file = await randomFile(testInfo, 'large.bin', 40 * MiB);
  await page.getByTestId('upload-input').setInputFiles(file.path);
  const progress = page.getByTestId('file-row').first().getByTestId('upload-progress');
  // Progress counts the hashing pass and three share passes: past 55 %, the first pass is closed.
  await expect
    .poll(async () => progress.evaluate((p: HTMLProgressElement) => p.value / p.max), { timeout: 120_000 })
    .toBeGreaterThan(0.55);
  expect(await page.getByTestId('file-row').first().getByTestId('readcap-url').count()).toBe(0); // still under way
  await page.reload();

  const row = page.getByTestId('file-row').filter({ hasText: 'large.bin' });
  await expect(row.getByTestId('readcap-url')).toBeVisible({ timeout: 180_000 });
  await expect(row).toHaveCount(1);
  const link = (await row.getByTestId('readcap-url').getAttribute('href')) ?? '';
  const restorer = await (await newPerson('carol')).open(link);
  const restored = await restoreThroughUi(restorer, { timeout: 120_000 });
  expect(restored).toEqual({ name: 'large.bin', sha256: file.sha256 });
});
