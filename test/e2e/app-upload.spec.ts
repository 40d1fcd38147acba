/**
 * Issue 4, uploads and the grid view: three tabs form a private grid; one names itself; another
 * saves k=2 / happy=3 / N=3 in settings, then drops three files at once on the drop zone (a
 * DataTransfer built in the page): each row's progress reaches 100 %, each cap says 2-of-3, and
 * the grid view draws both peers with their nickname and a capacity/use bar.
 */
import { test, expect } from './fixtures.js';
import { openGrid, privateGridPath } from './grid-helpers.js';

test('settings k/happy/N are used by the next upload; three dropped files each reach 100 %; the grid view draws the peers', async ({ newPerson, uniqueName }) => {
  test.setTimeout(120_000);
  const alice = await newPerson('alice');
  const path = privateGridPath(uniqueName('drop'));
  const [page, named] = (await openGrid(alice, 3, { path })) as [import('@playwright/test').Page, import('@playwright/test').Page];
  // A page opened from an invite says which grid it joined.
  await expect(page.getByTestId('joined-grid')).toContainText(`joined the private grid ${path.slice('/#grid='.length).split('.')[0]}`);

  await named.getByTestId('setting-nickname').fill('Bob’s tab');
  await named.getByTestId('setting-save').click();
  await expect(named.getByRole('status').filter({ hasText: 'Saved.' })).toBeVisible();

  await page.getByTestId('setting-k').fill('2');
  await page.getByTestId('setting-happy').fill('3');
  await page.getByTestId('setting-n').fill('3');
  await expect(page.getByTestId('encoding-words')).toContainText('Each file takes 1.5× its size');
  await page.getByTestId('setting-save').click();
  await expect(page.getByText('New uploads use 2-of-3, happiness 3')).toBeVisible();

  // A bad encoding is refused in words, and the saved one stays.
  await page.getByTestId('setting-happy').fill('4');
  await page.getByTestId('setting-save').click();
  await expect(page.getByTestId('error')).toContainText('happy (4) cannot be more than N (3)');
  await page.getByTestId('setting-happy').fill('3');
  await page.getByRole('alert').getByRole('button', { name: 'Dismiss' }).click();

  await page.getByTestId('drop-zone').evaluate((zone) => {
    const dt = new DataTransfer();
    for (const [name, size] of [['one.bin', 300_000], ['two.bin', 150_000], ['three.bin', 70_000]] as const) {
      const bytes = new Uint8Array(size);
      for (let i = 0; i < size; i += 65_536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65_536)));
      dt.items.add(new File([bytes], name));
    }
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const rows = page.getByTestId('file-row');
  await expect(rows).toHaveCount(3);
  await expect(rows.getByTestId('readcap-url')).toHaveCount(3, { timeout: 60_000 });
  for (let i = 0; i < 3; i++) {
    const progress = rows.nth(i).getByTestId('upload-progress');
    const [value, max] = await Promise.all([progress.evaluate((p: HTMLProgressElement) => p.value), progress.evaluate((p: HTMLProgressElement) => p.max)]);
    expect(value).toBe(max);
    const href = (await rows.nth(i).getByTestId('readcap-url').getAttribute('href')) ?? '';
    // URI:BRIC-CHK1:<key>:<ueb hash>:<k>:<N>:<size>
    expect(decodeURIComponent(new URL(href).hash)).toMatch(/cap=URI:BRIC-CHK1:[a-z2-7]+:[a-z2-7]+:2:3:\d+&/);
    await expect(rows.nth(i)).toContainText('2-of-3');
  }

  // The grid view: both peers, linked, one by its nickname, each with a capacity/use bar.
  const peers = page.getByTestId('peer');
  await expect(peers).toHaveCount(2);
  await expect(peers.and(page.locator('[data-peer-state="connected"]'))).toHaveCount(2);
  await expect(page.getByTestId('peer-name').filter({ hasText: 'Bob’s tab' })).toBeVisible();
  await expect(page.getByTestId('peer-bar')).toHaveCount(2);
  await expect(page.getByTestId('peer-ring').locator('g.peer')).toHaveCount(2);
  await expect(page.getByTestId('grid-storable')).toContainText('At 2-of-3 each file takes 1.5× its size');
  // Shares reached the peers: their bars show use.
  await expect.poll(async () => Number(await page.getByTestId('peer-bar').first().getAttribute('aria-valuenow'))).toBeGreaterThan(0);

  // Cancel: a large upload stops where it is and its row says so; nothing joins the list.
  await page.getByTestId('drop-zone').evaluate((zone) => {
    const dt = new DataTransfer();
    const bytes = new Uint8Array(64 * 1024 * 1024);
    for (let i = 0; i < bytes.length; i += 65_536) crypto.getRandomValues(bytes.subarray(i, i + 65_536));
    dt.items.add(new File([bytes], 'big.bin'));
    zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  });
  const big = rows.nth(3);
  await expect(big).toHaveAttribute('data-status', 'uploading');
  await big.getByRole('button', { name: 'Cancel the upload of big.bin' }).click();
  await expect(big).toHaveAttribute('data-status', 'cancelled');
  await expect(big.getByTestId('upload-cancelled')).toBeVisible();
  await expect(big.getByTestId('readcap-url')).toHaveCount(0);
  await expect(page.getByTestId('error')).toHaveCount(0);
});
