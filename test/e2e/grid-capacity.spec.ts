/**
 * Issue 3, test 2: a node whose person set its capacity to 1M takes a share that fits and refuses
 * the next one that would pass it, before any byte flows; uploads still succeed while enough other
 * peers have room, and fail with a clear message (the happiness numbers) when they do not.
 */
import { test, expect } from './fixtures.js';
import { nodeUsed, openGrid, privateGridPath, randomFile, uploadExpectingError, uploadThroughUi } from './grid-helpers.js';

/** 1.8 MB at 3-of-10 makes shares of ~0.6 MB: one fits in 1M, two do not. */
const FILE_BYTES = 1_800_000;
const CAPACITY = 1_000_000;

test('a 1M node refuses shares beyond its capacity; uploads succeed while enough peers have room, then fail clearly', async ({ newPerson, uniqueName }, testInfo) => {
  test.setTimeout(300_000);
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 10, { path: privateGridPath(uniqueName('cap')) });
  const small = pages[9]!;

  const setCapacity = async (i: number): Promise<void> => {
    const page = pages[i]!;
    await page.getByTestId('setting-capacity').fill('1M');
    await page.getByTestId('setting-save').click();
    await expect(page.getByTestId('setting-capacity')).toHaveValue('1M');
  };
  await setCapacity(9);

  // First file: its share fits in the 1M node.
  const a = await randomFile(testInfo, 'a.bin', FILE_BYTES);
  await uploadThroughUi(pages[0]!, a.path);
  const usedAfterA = await nodeUsed(small);
  expect(usedAfterA).toBeGreaterThan(0);
  expect(usedAfterA).toBeLessThanOrEqual(CAPACITY);

  // Second file: one more share would pass 1M; the node refuses it, the upload still succeeds.
  const b = await randomFile(testInfo, 'b.bin', FILE_BYTES);
  const usedBefore = await Promise.all(pages.map((p) => nodeUsed(p)));
  await uploadThroughUi(pages[0]!, b.path);
  const usedAfter = await Promise.all(pages.map((p) => nodeUsed(p)));
  expect(await nodeUsed(small)).toBe(usedAfterA);
  const grew = usedAfter.filter((u, i) => u > usedBefore[i]!).length;
  expect(grew, `node-used before ${usedBefore.join(', ')} after ${usedAfter.join(', ')}`).toBeGreaterThanOrEqual(7);

  // Three more nodes at 1M (all already hold more than that): only 6 peers have room, 7 are needed.
  for (const i of [6, 7, 8]) await setCapacity(i);
  const c = await randomFile(testInfo, 'c.bin', FILE_BYTES);
  const message = await uploadExpectingError(pages[0]!, c.path);
  expect(message).toMatch(/Upload failed/);
  expect(message).toMatch(/only 6 of the 7 peers needed have room/);
  // Nothing stays reserved by the failed upload.
  for (const [i, p] of pages.entries()) expect(await nodeUsed(p), `node ${i}`).toBe(usedAfter[i]);
});
