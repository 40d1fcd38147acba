/**
 * IdbSlotStore in real Chromium: the SlotStore contract, and the browser's QuotaExceededError as
 * a clean refusal (the slot that did not fit is not half-stored or half-counted).
 */
import { test, expect } from '../e2e/fixtures.js';

test('IdbSlotStore passes the SlotStore contract', async ({ harnessPage }) => {
  const r = await harnessPage.evaluate(() => window.bricHarness['slot-store'].runSlotStoreContract());
  expect(r.failures).toEqual([]);
  expect(r.passed.length).toBeGreaterThan(8);
});

test("the browser's QuotaExceededError is a clean refusal for slots too", async ({ harnessPage, context }) => {
  const cdp = await context.newCDPSession(harnessPage);
  const origin = new URL(harnessPage.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 24 * 1024 * 1024 });
  try {
    const r = await harnessPage.evaluate(() => window.bricHarness['slot-store'].fillSlotsUntilRefused(4 * 1024 * 1024));
    expect(r.error).toBe('StorageQuotaError');
    expect(r.stored).toBeGreaterThan(0);
    expect(r.usedAfterRefusal).toBe(r.stored * 4 * 1024 * 1024);
    expect(r.usedAfterRefusal).toBe(r.sumOfSlots);
    expect(r.reopened).toBe(r.usedAfterRefusal);
    expect(r.quotaRefusals).toBe(1);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});
