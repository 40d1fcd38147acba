/**
 * Issue 3, test 3: a tab reloaded mid-grid comes back as the same node (its identity in IndexedDB,
 * claimed again through Web Locks) with the same shares, and still serves them: after the reload,
 * seven other tabs close and a fresh browser restores the file, which needs the reloaded tab's share.
 */
import { test, expect } from './fixtures.js';
import { nodeId, nodeUsed, openGrid, privateGridPath, randomFile, restoreThroughUi, uploadThroughUi, waitForPeers } from './grid-helpers.js';

test('a reloaded tab is the same node with the same shares and still serves them', async ({ newPerson, uniqueName }, testInfo) => {
  test.setTimeout(300_000);
  const file = await randomFile(testInfo, 'reload.bin', 3 * 1024 * 1024 + 12_345);
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 10, { path: privateGridPath(uniqueName('reload')) });
  const ids = await Promise.all(pages.map((p) => nodeId(p)));
  expect(new Set(ids).size, 'ten tabs of one browser are ten distinct nodes').toBe(10);

  const link = await uploadThroughUi(pages[0]!, file.path);
  const reloaded = pages[9]!;
  const usedBefore = await nodeUsed(reloaded);
  expect(usedBefore).toBeGreaterThan(0);

  await reloaded.reload();
  expect(await nodeId(reloaded)).toBe(ids[9]);
  await expect(reloaded.getByTestId('node-used')).toHaveText(String(usedBefore));
  await waitForPeers(pages, 9);

  // Only tabs 7, 8 and 9 (the reloaded one) stay: the file needs all three of their shares.
  await Promise.all(pages.slice(0, 7).map((p) => p.close()));
  const bob = await newPerson('bob');
  const restorer = await bob.open(link);
  const restored = await restoreThroughUi(restorer);
  expect(restored.sha256).toBe(file.sha256);
  expect(restored.name).toBe(file.name);
});
