/**
 * Issue 6: a file outlives every tab that first held it. Twelve tabs join a private grid: alice's
 * (she uploads a 2 MiB file at 3-of-10 and keeps it alive) and eleven storage tabs, each its own
 * browser context, since tabs of one context share IndexedDB and a new tab there takes over a
 * closed tab's node identity with its shares (nothing would be lost to repair). Then, in rounds,
 * the three original storage tabs holding the most shares close and three new ones open; in the
 * second round alice's tab is replaced by a new tab of hers, which takes over the repair lock and
 * loads the kept files from IndexedDB. Automatic repair brings at least `happy` holders back
 * before each next round. Once every original tab is gone, a new browser restores the file
 * bit-exact. The test build's switch (localStorage bric-repair-test) makes repair check every
 * 2 s instead of every 10 minutes; nothing here waits on a fixed time.
 */
import type { Page } from '@playwright/test';
import { test, expect, type Person } from './fixtures.js';
import { nodeUsed, privateGridPath, randomFile, restoreThroughUi, uploadThroughUi } from './grid-helpers.js';

const MiB = 1024 * 1024;
const TABS = 12;
const PER_ROUND = 3;
const HAPPY = 7;

/**
 * Waits until every page has links to at least `min` peers. Not the full mesh: on a loaded
 * machine one pair of tabs can take minutes to connect, and repair needs only enough peers.
 */
async function connectedToAtLeast(pages: readonly Page[], min: number): Promise<void> {
  for (const page of pages) {
    await expect
      .poll(async () => Number((await page.getByTestId('peer-count').textContent()) ?? '0'), { timeout: 90_000, intervals: [500] })
      .toBeGreaterThanOrEqual(min);
  }
}

interface Tab {
  readonly page: Page;
  /** The storage tab's own person (closing the tab closes the context: its node is gone). */
  readonly person?: Person;
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
  let opened = 0;
  const storageTab = async (original: boolean): Promise<Tab> => {
    const person = await newPerson(`storage ${opened}`);
    return { page: await person.open(path), person, original, label: `${original ? 'original' : 'new'} ${opened++}` };
  };
  let aliceTab: Tab = { page: await alice.open(path), original: true, label: 'alice 0' };
  let tabs: Tab[] = [aliceTab];
  for (let i = 1; i < TABS; i++) tabs.push(await storageTab(true));
  await connectedToAtLeast(tabs.map((t) => t.page), TABS - 2);

  const link = await uploadThroughUi(aliceTab.page, file.path, { timeout: 120_000 });

  // The file's health bar: every share found, then a verify after it said what it costs.
  const health = aliceTab.page.getByTestId('file-row').first().getByTestId('health-bar');
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

  let round = 0;
  while (tabs.some((t) => t.original)) {
    round++;
    if (round === 2) {
      // Alice's tab goes too: a new tab of hers takes over the repair lock and the kept files.
      const next: Tab = { page: await alice.open(path), original: false, label: 'alice 1' };
      await aliceTab.page.close();
      tabs = [...tabs.filter((t) => t !== aliceTab), next];
      aliceTab = next;
    }
    const holdings = await used();
    const closing = tabs
      .map((t, i) => ({ t, shares: Math.round(holdings[i]! / shareBytes) }))
      .filter((o) => o.t.original && o.t.person !== undefined)
      .sort((a, b) => b.shares - a.shares)
      .slice(0, PER_ROUND)
      .map((o) => o.t);
    await Promise.all(closing.map((t) => t.person!.context.close()));
    tabs = tabs.filter((t) => !closing.includes(t));
    const joining: Tab[] = [];
    for (let i = 0; i < PER_ROUND; i++) joining.push(await storageTab(false));
    tabs.push(...joining);
    await connectedToAtLeast(joining.map((t) => t.page), TABS - 4);

    // Automatic repair runs until at least `happy` open tabs hold a share of the file again.
    await expect
      .poll(async () => (await used()).filter((u) => u >= shareBytes).length, {
        message: `round ${round}: tabs holding a share`,
        timeout: 120_000,
        intervals: [1000],
      })
      .toBeGreaterThanOrEqual(HAPPY);
  }

  // Only repair can have put shares on tabs that joined during the churn: every holder is one.
  expect(tabs.every((t) => !t.original)).toBe(true);
  expect((await used()).filter((u) => u >= shareBytes).length).toBeGreaterThanOrEqual(HAPPY);
  // Alice's new tab lists the file, healthy, with the repairs it made in its activity.
  const bar = aliceTab.page.getByTestId('file-row').first().getByTestId('health-bar');
  await expect(bar).toHaveAttribute('data-state', 'healthy', { timeout: 30_000 });
  await expect(bar.getByTestId('health-activity')).toContainText('repaired:');

  const bob = await newPerson('bob');
  const restorer = await bob.open(link);
  const restored = await restoreThroughUi(restorer, { timeout: 120_000 });
  expect(restored.name).toBe(file.name);
  expect(restored.sha256).toBe(file.sha256);
  testInfo.annotations.push({ type: 'rounds', description: String(round) });
});
