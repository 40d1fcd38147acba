/**
 * Issue 4, offline: with the signaling server unreachable (its WebSocket refused), the grid view
 * says plainly that peers are unreachable, while the files list, the settings and this node work.
 */
import { join } from 'node:path';
import { test, expect } from './fixtures.js';
import { privateGridPath } from './grid-helpers.js';

test('with the signaling server unreachable the grid view says so; files, settings and this node still work', async ({ newPerson, uniqueName }) => {
  const alice = await newPerson('alice');
  const page = await alice.context.newPage();
  await page.routeWebSocket(/\/signal/, (ws) => ws.close({ code: 1011, reason: 'unreachable in this test' }));
  await page.goto(privateGridPath(uniqueName('offline')));
  await expect(page.getByTestId('grid-offline')).toContainText('Peers are unreachable', { timeout: 30_000 });
  await expect(page.getByTestId('peer-ring')).toHaveAttribute('aria-label', /Peers are unreachable/);

  // This node and its settings.
  await expect(page.getByTestId('node-used')).toHaveText('0');
  await page.getByTestId('setting-capacity').fill('2G');
  await page.getByTestId('setting-save').click();
  await expect(page.getByText('this node offers 2 GB')).toBeVisible();

  // The files list: a small file lives in its cap, so it is stored with no peer at all.
  await page.getByTestId('upload-input').setInputFiles({ name: 'offline.txt', mimeType: 'text/plain', buffer: Buffer.from('written offline') });
  await expect(page.getByTestId('file-row').getByTestId('readcap-url')).toHaveCount(1);
  await page.reload();
  await expect(page.getByTestId('file-row')).toContainText('offline.txt');
  await expect(page.getByTestId('grid-offline')).toBeVisible({ timeout: 30_000 });
  if (process.env.BRIC_SCREENSHOTS === '1') {
    await page.setViewportSize({ width: 375, height: 900 });
    await page.locator('#grid').screenshot({ path: join(import.meta.dirname, '..', '..', 'docs', 'screenshots', 'grid-offline-375.png') });
  }
});
