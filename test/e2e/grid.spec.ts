/**
 * Issue 3, test 1: ten tabs join the default grid; one uploads a 32 MiB random file at 3-of-10
 * through upload-input; the shares land in ≥ 7 nodes' IndexedDB; seven storage tabs close (the
 * uploader among them); a fresh browser restores the file bit-exact from the readcap link; with
 * one more tab gone, restore says plainly that there are not enough shares and saves nothing.
 */
import { test, expect } from './fixtures.js';
import { expectFragmentOnly, nodeUsed, openGrid, randomFile, restoreThroughUi, uploadThroughUi } from './grid-helpers.js';

const MiB = 1024 * 1024;

test('10 tabs: 32 MiB at 3-of-10, 7 tabs close, a new browser restores it bit-exact; one more gone → not enough shares', async ({ newPerson, baseURL }, testInfo) => {
  test.setTimeout(600_000);
  const file = await randomFile(testInfo, 'random-32MiB.bin', 32 * MiB);

  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 10);

  const link = await uploadThroughUi(pages[0]!, file.path, { timeout: 300_000 });
  expectFragmentOnly(link, baseURL);

  // Every byte of share data sits in some node's IndexedDB: at least 7 distinct nodes hold some.
  const used = await Promise.all(pages.map((p) => nodeUsed(p)));
  const holders = used.filter((u) => u > 0).length;
  expect(holders, `node-used of the ten tabs: ${used.join(', ')}`).toBeGreaterThanOrEqual(7);
  // 10 shares of ~1/3 of the file each (plus hashes): about 3.3 × 32 MiB in all.
  const total = used.reduce((a, b) => a + b, 0);
  expect(total).toBeGreaterThan((10 / 3) * file.size);
  expect(total).toBeLessThan(3.5 * file.size);

  // Seven storage tabs close, the uploader among them; three remain.
  const closing = pages.slice(0, 7);
  const remaining = pages.slice(7);
  await Promise.all(closing.map((p) => p.close()));
  for (const p of remaining) await expect(p.getByTestId('peer-count')).toHaveText('2', { timeout: 30_000 });

  const bob = await newPerson('bob');
  const restorer = await bob.open(link);
  const restored = await restoreThroughUi(restorer, { timeout: 300_000 });
  expect(restored.name).toBe(file.name);
  expect(restored.sha256).toBe(file.sha256);
  await restorer.close();

  // One more storage tab gone: 2 of the 3 shares needed are left.
  await remaining[0]!.close();
  const carol = await newPerson('carol');
  const failing = await carol.open(link);
  const status = failing.getByTestId('restore-status');
  await expect(status).toContainText('not enough shares', { timeout: 120_000 });
  await expect(status).toContainText('found 2 of the 3 shares needed');
  await expect(failing.getByTestId('error')).toContainText('found 2 of the 3 shares needed');
  await expect(failing.getByTestId('download-button')).toBeDisabled();
});
