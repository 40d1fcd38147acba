/**
 * Smoke test of the platform: the real server serves the app, a module worker runs and IndexedDB
 * opens on its origin, /healthz answers, the security headers are there, and the harness works.
 */
import { createHash } from 'node:crypto';
import { base32Encode } from '../../src/core/bytes.js';
import { test, expect } from './fixtures.js';

/** A signaling room id (52 base32 characters) no other test uses. */
const roomFor = (name: string): string => base32Encode(createHash('sha256').update(name).digest());

test('the app loads and renders without errors', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveTitle('bric');
  await expect(page.locator('#app > *').first()).toBeVisible();
});

test('a module Web Worker runs and IndexedDB opens on the app origin, under its CSP', async ({ harnessPage }) => {
  expect(await harnessPage.evaluate(() => window.bricHarness.smoke.pingWorker(10_000))).toBe('ok');
  expect(await harnessPage.evaluate(() => window.bricHarness.smoke.probeIndexedDb())).toBe('ok');
});

test('/healthz answers 200 with JSON', async ({ request }) => {
  const res = await request.get('/healthz');
  expect(res.status()).toBe(200);
  expect(res.headers()['content-type']).toContain('application/json');
  expect(await res.json()).toMatchObject({ ok: true });
});

test('pages carry the security headers; unknown files are 404, app routes fall back to the app', async ({ request }) => {
  const index = await request.get('/');
  expect(index.headers()['content-security-policy']).toContain("default-src 'self'");
  expect(index.headers()['referrer-policy']).toBe('no-referrer');
  expect(index.headers()['cache-control']).toBe('no-cache');
  expect((await request.get('/no-such-file.js')).status()).toBe(404);
  expect((await request.get('/%2e%2e/package.json')).status()).not.toBe(200);
  const route = await request.get('/some/client/route');
  expect(route.status()).toBe(200);
  expect(await route.text()).toContain('<div id="app">');
});

test('the browser harness runs page code from Playwright', async ({ harnessPage }) => {
  expect(await harnessPage.evaluate(() => window.bricHarness.smoke.echo({ a: [1, 2] }))).toEqual({ a: [1, 2] });
  expect(await harnessPage.evaluate(() => Object.keys(window.bricHarness))).toContain('smoke');
  expect(await harnessPage.evaluate(() => Object.keys(window.bricHarness))).not.toContain('_smoke.worker');
});

test('separate people get separate IndexedDB; tabs of one person share it', async ({ newPerson }) => {
  const alice = await newPerson('alice');
  const bob = await newPerson('bob');
  const [a1, a2, b1] = await Promise.all([alice.openHarness(), alice.openHarness(), bob.openHarness()]);
  const names = async (p: typeof a1): Promise<string[]> =>
    p.evaluate(async () => (await indexedDB.databases()).map((d) => d.name ?? ''));
  await a1.evaluate(() => window.bricHarness.smoke.probeIndexedDb());
  expect(await names(a2)).toContain('bric-smoke');
  expect(await names(b1)).not.toContain('bric-smoke');
});

test('two people open a WebRTC data channel through /signal and exchange a message', async ({ newPerson, uniqueName }) => {
  const room = roomFor(uniqueName('smoke'));
  const alice = await (await newPerson('alice')).openHarness();
  const bob = await (await newPerson('bob')).openHarness();
  const a = await alice.evaluate((r) => window.bricHarness.smoke.rtcJoin(r), room);
  const b = await bob.evaluate((r) => window.bricHarness.smoke.rtcJoin(r), room);
  await alice.evaluate((p) => window.bricHarness.smoke.rtcWaitForPeer(p, 20_000), b);
  await alice.evaluate((p) => window.bricHarness.smoke.rtcSend(p, 'hello bob', 30_000), b);
  await expect.poll(() => bob.evaluate(() => window.bricHarness.smoke.rtcReceived())).toEqual([`${a}: hello bob`]);
  await bob.evaluate((p) => window.bricHarness.smoke.rtcSend(p, 'hello alice', 30_000), a);
  await expect.poll(() => alice.evaluate(() => window.bricHarness.smoke.rtcReceived())).toEqual([`${b}: hello alice`]);
  await alice.evaluate(() => window.bricHarness.smoke.rtcLeave());
  await bob.evaluate(() => window.bricHarness.smoke.rtcLeave());
});
