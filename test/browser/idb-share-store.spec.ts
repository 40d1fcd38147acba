/**
 * IdbShareStore in real Chromium: the ShareStore contract (also with tiny records, so every
 * flush, eviction and record boundary path runs), the browser's QuotaExceededError as a clean
 * refusal with the accounting intact, and the schema's blocking handler.
 */
import { test, expect } from '../e2e/fixtures.js';

test('IdbShareStore passes the ShareStore contract', async ({ harnessPage }) => {
  const r = await harnessPage.evaluate(() => window.bricHarness.storage.runShareStoreContract());
  expect(r.failures).toEqual([]);
  expect(r.passed.length).toBeGreaterThan(15);
});

test('IdbShareStore passes the contract with 4 KiB records and tiny write buffers', async ({ harnessPage }) => {
  const r = await harnessPage.evaluate(() =>
    window.bricHarness.storage.runShareStoreContract({ recordBytes: 4096, flushBytes: 16 * 1024, maxBufferedBytes: 64 * 1024 }),
  );
  expect(r.failures).toEqual([]);
});

test("the browser's QuotaExceededError is a clean refusal: nothing half-counted, the node still works", async ({ harnessPage, context }) => {
  const cdp = await context.newCDPSession(harnessPage);
  const origin = new URL(harnessPage.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 24 * 1024 * 1024 });
  try {
    const r = await harnessPage.evaluate(() => window.bricHarness.storage.fillUntilRefused(4 * 1024 * 1024));
    expect(r.refused).toBe(true);
    expect(r).toMatchObject({ error: 'StorageQuotaError', firstStillReadable: true, listedAfterRefusal: [] });
    expect(r.stored).toBeGreaterThan(0);
    // The refused change did not move the accounting; aborting gave back exactly the allocation.
    expect(r.usedAfterRefusal).toBe(r.step === 'allocate' ? r.usedBefore : r.usedBefore! + 4 * 1024 * 1024);
    expect(r.usedAfterAbort).toBe(r.usedBefore);
    expect(r.usedAfterAbort).toBe(r.sumOfShares);
    expect(r.reopened).toBe(r.usedAfterAbort);
    expect(r.quotaRefusals).toBeGreaterThan(0);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});

test('a share record deleted behind the node is reported missing and leaves the used bytes at once', async ({ harnessPage }) => {
  const r = await harnessPage.evaluate(() => window.bricHarness.storage.deletedRecordLeavesTheCount());
  expect(r).toEqual({ before: 10_000, error: 'ShareNotFoundError', after: 5_000, reopened: 5_000 });
});

test('the schema creates its stores and closes for a newer version opening elsewhere', async ({ harnessPage }) => {
  const r = await harnessPage.evaluate(() => window.bricHarness.storage.blockingClosesConnection());
  expect(r).toEqual({ stores: ['identities', 'settings', 'shareData', 'shares', 'slotShares', 'slots'], blocking: 1, newerVersion: 3 });
});
