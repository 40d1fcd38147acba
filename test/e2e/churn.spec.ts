/**
 * Issue 6: a file outlives every tab that first held it. Twelve tabs of one person join a private
 * grid; one uploads a 2 MiB file at 3-of-10; then, in rounds, the three original tabs holding the
 * most shares close (so four rounds end every original tab; ranking new tabs too let original
 * tabs without shares linger for ten rounds and more) and three new tabs open, and the person's repairing
 * tab (whichever holds the repair lock: the uploader's went in the first round) restores
 * happiness before the next round. Once every original tab is gone, a new browser restores the
 * file bit-exact. The test build's switch (localStorage bric-repair-test) makes repair check every
 * 2 s instead of every 10 minutes; nothing here waits on a fixed time.
 */
import type { Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { nodeUsed, openGrid, privateGridPath, randomFile, restoreThroughUi, uploadThroughUi, waitForPeers } from './grid-helpers.js';

const MiB = 1024 * 1024;
const TABS = 12;
const PER_ROUND = 3;
const HAPPY = 7;

interface Tab {
  readonly page: Page;
  readonly original: boolean;
  readonly label: string;
}

test('12 tabs; in rounds the 3 original tabs holding the most shares close and 3 new ones open: automatic repair keeps the file, a new browser restores it bit-exact', async ({ newPerson }, testInfo) => {
  test.setTimeout(480_000);
  const file = await randomFile(testInfo, 'churn-2MiB.bin', 2 * MiB);
  const path = privateGridPath(testInfo.title);

  const alice = await newPerson('alice');
  await alice.context.addInitScript(() => {
    try {
      localStorage.setItem('bric-repair-test', JSON.stringify({ checkIntervalMs: 2000, retryMinMs: 2000, retryMaxMs: 4000 }));
    } catch {
      // about:blank and other opaque documents have no localStorage
    }
  });
  const pages = await openGrid(alice, TABS, { path, timeout: 90_000 });
  let tabs: Tab[] = pages.map((page, i) => ({ page, original: true, label: `original ${i}` }));

  const link = await uploadThroughUi(pages[0]!, file.path, { timeout: 120_000 });

  // The file's health bar: every share found, then a verify after it said what it costs.
  const health = pages[0]!.getByTestId('file-row').first().getByTestId('health-bar');
  await expect(health).toHaveAttribute('data-state', 'healthy', { timeout: 60_000 });
  await expect(health).toContainText('10 of 10 shares found (3 needed)');
  await health.getByTestId('health-verify').click();
  await expect(health.getByTestId('health-verify-cost')).toContainText('3.3 ×');
  await health.getByTestId('health-verify-start').click();
  await expect(health.getByTestId('health-verify-result')).toContainText('every hash good', { timeout: 60_000 });

  const used = async (): Promise<number[]> => Promise.all(tabs.map((t) => nodeUsed(t.page)));
  const firstUsed = await used();
  // One share per holder at upload (10 shares over 12 tabs): the smallest holding is one share.
  const shareBytes = Math.min(...firstUsed.filter((u) => u > 0));
  expect(firstUsed.filter((u) => u > 0).length).toBeGreaterThanOrEqual(HAPPY);

  let opened = 0;
  let round = 0;
  while (tabs.some((t) => t.original)) {
    round++;
    const holdings = await used();
    const order = tabs
      .map((t, i) => ({ t, shares: Math.round(holdings[i]! / shareBytes) }))
      .filter((o) => o.t.original)
      .sort((a, b) => b.shares - a.shares);
    const closing = order.slice(0, PER_ROUND).map((o) => o.t);
    await Promise.all(closing.map((t) => t.page.close()));
    tabs = tabs.filter((t) => !closing.includes(t));
    for (let i = 0; i < PER_ROUND; i++) {
      tabs.push({ page: await alice.open(path), original: false, label: `new ${opened++}` });
    }
    await waitForPeers(tabs.map((t) => t.page), TABS - 1, { timeout: 90_000 });

    // Automatic repair runs until at least `happy` open tabs hold a share of the file again.
    await expect
      .poll(
        async () => {
          const now = await used();
          return now.filter((u) => u >= shareBytes).length;
        },
        { message: `round ${round}: tabs holding a share`, timeout: 120_000, intervals: [1000] },
      )
      .toBeGreaterThanOrEqual(HAPPY);
  }

  // Some tab opened during the churn holds shares now: only repair could have put them there.
  const finalUsed = await used();
  expect(tabs.every((t) => !t.original)).toBe(true);
  expect(finalUsed.some((u) => u >= shareBytes)).toBe(true);
  // A tab that joined in the last round lists the file, with the repairing tab's health of it.
  const lastBar = tabs.at(-1)!.page.getByTestId('file-row').first().getByTestId('health-bar');
  await expect(lastBar).toHaveAttribute('data-state', 'healthy', { timeout: 30_000 });

  const bob = await newPerson('bob');
  const restorer = await bob.open(link);
  const restored = await restoreThroughUi(restorer, { timeout: 120_000 });
  expect(restored.name).toBe(file.name);
  expect(restored.sha256).toBe(file.sha256);
  testInfo.annotations.push({ type: 'rounds', description: String(round) });
});
