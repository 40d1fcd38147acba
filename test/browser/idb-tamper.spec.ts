/**
 * Storage faults in a real IndexedDB (issue 7): share records corrupted or deleted behind the
 * nodes' backs are caught by the reader's hash checks (the download stays exact), reported to the
 * holder (its corrupt marks), and repaired by the owner's verify + repair back to every share good;
 * a QuotaExceededError in the middle of a node's writes leaves no half-accounted share.
 */
import { expect, test } from '../e2e/fixtures.js';

test('records corrupted or deleted behind the nodes are detected on read, reported to their holders and repaired', async ({ harnessPage: page }) => {
  const ids = await page.evaluate(() => window.bricHarness['idb-tamper'].setup({ count: 8, k: 2, happy: 4, n: 5 }));
  const holdings = await page.evaluate(() => window.bricHarness['idb-tamper'].upload(300_000));
  const holders = ids.filter((id) => holdings[id]!.length > 0);
  expect(holders.length).toBeGreaterThanOrEqual(4);
  const [flipped, emptied, vanished] = holders;
  expect(await page.evaluate((id) => window.bricHarness['idb-tamper'].tamper(id, 'flip'), flipped!)).toBeGreaterThan(0);
  await page.evaluate((id) => window.bricHarness['idb-tamper'].tamper(id, 'delete-data'), emptied!);
  await page.evaluate((id) => window.bricHarness['idb-tamper'].tamper(id, 'delete-share'), vanished!);

  // Three downloads: whichever copies the reader picks, the bytes are exact.
  for (let i = 0; i < 3; i++) expect(await page.evaluate(() => window.bricHarness['idb-tamper'].download())).toEqual({ exact: true });

  // The owner verifies (reading every copy): the bad copies are found and their holders told.
  const result = await page.evaluate(() => window.bricHarness['idb-tamper'].verifyAndRepair());
  const flippedShares = holdings[flipped!]!.map((s) => `${flipped}/${s}`);
  const emptiedShares = holdings[emptied!]!.map((s) => `${emptied}/${s}`);
  expect(result.before.corrupt).toEqual(expect.arrayContaining([...flippedShares, ...emptiedShares]));
  expect(result.before.healthy).toBe(false);
  for (const id of [flipped!, emptied!]) {
    const told = await page.evaluate((n) => window.bricHarness['idb-tamper'].corruptMarks(n), id);
    expect(told.reports, id).toBeGreaterThan(0);
    expect(told.marks.length, id).toBeGreaterThan(0);
  }
  // Repair wrote fresh copies elsewhere: every share has a good copy again and the file is healthy.
  expect(result.sharesWritten).toBeGreaterThan(0);
  expect(result.goodAfter).toEqual([0, 1, 2, 3, 4]);
  expect(result.after.happiness).toBeGreaterThanOrEqual(4);
  expect(await page.evaluate(() => window.bricHarness['idb-tamper'].download())).toEqual({ exact: true });
  await page.evaluate(() => window.bricHarness['idb-tamper'].teardown());
});

test('a QuotaExceededError mid-write leaves no half-accounted share on that node, and the upload goes on without it', async ({ harnessPage: page }) => {
  const ids = await page.evaluate(() => window.bricHarness['idb-tamper'].setup({ count: 6, k: 2, happy: 4, n: 5 }));
  await page.evaluate(() => window.bricHarness['idb-tamper'].upload(100_000));
  const before = await Promise.all(ids.map((id) => page.evaluate((n) => window.bricHarness['idb-tamper'].accounting(n), id)));
  const victim = ids[0]!;
  await page.evaluate((id) => window.bricHarness['idb-tamper'].failDataPutsFor(id), victim);
  const holdings = await page.evaluate(() => window.bricHarness['idb-tamper'].upload(300_000));
  expect(holdings[victim]).toEqual([]);
  expect(await page.evaluate(() => window.bricHarness['idb-tamper'].download())).toEqual({ exact: true });
  for (const [i, id] of ids.entries()) {
    const a = await page.evaluate((n) => window.bricHarness['idb-tamper'].accounting(n), id);
    expect(a.pending, id).toBe(0);
    expect(a.orphanData, id).toBe(0);
    expect(a.usedBytes, id).toBe(a.recordsAddUpTo);
    expect(a.reopenedUsedBytes, id).toBe(a.recordsAddUpTo);
    if (id === victim) expect(a).toEqual(before[i]);
  }
  await page.evaluate(() => window.bricHarness['idb-tamper'].teardown());
});
