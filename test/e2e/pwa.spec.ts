/**
 * The app as a PWA in real Chromium: the manifest and service worker pass Chromium's installability
 * check (DevTools protocol), the app and a readcap link open with the context offline once the
 * worker is active, and a newly deployed version brings up the update prompt, whose button reloads
 * the tab into that version. Test builds register the worker only when a test opts in
 * (localStorage `bric-sw`, src/adapters/pwa/register.ts); every test here does, in a fresh profile.
 */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import { createStaticHandler, setSecurityHeaders } from '../../signaling/http.js';
import { attachSignaling } from '../../signaling/server.js';
import { DEFAULT_GRID, readcapLink } from '../../src/app/links.js';
import { utf8ToBytes } from '../../src/core/bytes.js';
import { test, expect, type ConsoleErrors } from './fixtures.js';

/** The test build that Playwright's web server serves (vite.config.ts, mode test). */
const DIST_TEST = fileURLToPath(new URL('../../dist-test', import.meta.url));

/** Makes every page of `context` register the service worker (test builds wait for this opt-in). */
async function optInToServiceWorker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    try {
      localStorage.setItem('bric-sw', 'on');
    } catch {
      // Chromium's own error pages (a failed navigation offline) have no localStorage.
    }
  });
}

/** Waits until a service worker is active and controls `page` (the first version claims it). */
async function waitForControllingWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller !== null) return;
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  });
}

/** Offline, the app cannot reach /signal; Chromium logs each failed attempt as a console error. */
function allowOfflineNoise(consoleErrors: ConsoleErrors): void {
  consoleErrors.allow(/WebSocket connection to .* failed/);
  consoleErrors.allow(/ERR_INTERNET_DISCONNECTED|Failed to load resource/);
}

/** The app's shell is on screen: the page title and its heading. */
async function expectShell(page: Page): Promise<void> {
  await expect(page).toHaveTitle('bric');
  await expect(page.getByRole('heading', { level: 1, name: 'bric' })).toBeVisible();
}

/**
 * A second copy of the real server (static files, security headers, /signal) over a copy of the
 * test build, so a test can deploy a new version into it without touching the shared build.
 */
async function startDeployment(): Promise<{ url: string; dir: string; close: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'bric-pwa-'));
  await cp(DIST_TEST, dir, { recursive: true });
  const serveStatic = createStaticHandler(dir);
  const server = createServer((req, res) => {
    setSecurityHeaders(res);
    serveStatic(req, res).catch(() => res.destroy());
  });
  const signaling = attachSignaling(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    dir,
    close: async () => {
      await signaling.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * Deploys "version 2" into a copy of the build as a real build would change it: a changed
 * index.html, and a sw.js whose precache list carries index.html's new revision (so its bytes
 * change and browsers find the new worker).
 */
async function deployVersion2(dir: string): Promise<void> {
  const indexPath = join(dir, 'index.html');
  const index = (await readFile(indexPath, 'utf8')).replace('<title>', '<meta name="bric-test-version" content="2" />\n    <title>');
  await writeFile(indexPath, index);
  const swPath = join(dir, 'sw.js');
  const sw = await readFile(swPath, 'utf8');
  const revision = createHash('md5').update(index).digest('hex');
  const entry = /\{"revision":"[0-9a-f]+","url":"index\.html"\}/;
  expect(sw, 'sw.js lists index.html with a revision').toMatch(entry);
  await writeFile(swPath, sw.replace(entry, `{"revision":"${revision}","url":"index.html"}`));
}

const versionOf = (page: Page): Promise<string | null> =>
  page.evaluate(() => document.querySelector('meta[name="bric-test-version"]')?.getAttribute('content') ?? null);

test.beforeAll(async ({ browser, baseURL }) => {
  // src/ui/components/UpdatePrompt.svelte registers the worker; App.svelte mounts it, and its live
  // region is always in the page.
  const page = await browser.newPage({ baseURL });
  await page.goto('/');
  await expectShell(page);
  await expect(page.getByTestId('update-region')).toHaveCount(1);
  await page.close();
});

test('the manifest and service worker pass Chromium’s installability check', async ({ playwright, launchOptions, headless, baseURL, consoleErrors }) => {
  // Chromium never offers to install from an incognito-like context (Playwright's default ones
  // report "in-incognito"): this test runs in a real, persistent profile.
  const profile = await mkdtemp(join(tmpdir(), 'bric-pwa-profile-'));
  const context = await playwright.chromium.launchPersistentContext(profile, { ...launchOptions, headless, baseURL, permissions: ['microphone'] });
  consoleErrors.watchContext(context, 'installed');
  try {
    await optInToServiceWorker(context);
    const page = await context.newPage();
    await page.goto('/');
    await waitForControllingWorker(page);
    const cdp = await context.newCDPSession(page);

    const manifest = await cdp.send('Page.getAppManifest');
    expect(manifest.errors).toEqual([]);
    expect(new URL(manifest.url).pathname).toBe('/manifest.webmanifest');
    const data = JSON.parse(manifest.data ?? '{}') as { short_name?: string; display?: string; icons?: { sizes: string; purpose?: string }[] };
    expect(data.short_name).toBe('bric');
    expect(data.display).toBe('standalone');
    expect(data.icons?.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`)).toEqual(
      expect.arrayContaining(['192x192 any', '512x512 any', '512x512 maskable']),
    );

    const { installabilityErrors } = await cdp.send('Page.getInstallabilityErrors');
    expect(installabilityErrors).toEqual([]);

    // The icons the manifest names are real PNGs of the stated sizes.
    for (const size of [192, 512]) {
      for (const name of [`icon-${size}.png`, `maskable-${size}.png`]) {
        const res = await page.request.get(`/icons/${name}`);
        expect(res.status(), name).toBe(200);
        const png = await res.body();
        expect(png.subarray(1, 4).toString('latin1'), name).toBe('PNG');
        expect([png.readUInt32BE(16), png.readUInt32BE(20)], name).toEqual([size, size]);
      }
    }
  } finally {
    await context.close();
    await rm(profile, { recursive: true, force: true });
  }
});

test('with the worker active, the app and a readcap link open with the context offline', async ({ page, context, baseURL, consoleErrors }) => {
  allowOfflineNoise(consoleErrors);
  await optInToServiceWorker(context);
  await page.goto('/');
  await waitForControllingWorker(page);

  await context.setOffline(true);
  await page.reload();
  await expectShell(page);
  expect(await page.evaluate(() => navigator.serviceWorker.controller !== null)).toBe(true);

  // A readcap link this browser has never opened, of a small file that lives in its cap (LIT):
  // opened offline, the app comes from the cache and the file from the link itself.
  const text = 'hello from the cache';
  const link = readcapLink(baseURL ?? '', DEFAULT_GRID, { kind: 'lit', data: utf8ToBytes(text) }, 'offline note.txt');
  expect(new URL(link).pathname).toBe('/');
  const tab = await context.newPage();
  await tab.goto(link);
  await expectShell(tab);
  await expect(tab.getByTestId('restore-status')).toBeVisible();
  await expect(tab.getByTestId('download-button')).toBeEnabled();
  const [download] = await Promise.all([tab.waitForEvent('download'), tab.getByTestId('download-button').click()]);
  expect(download.suggestedFilename()).toBe('offline note.txt');
  expect(await readFile(await download.path(), 'utf8')).toBe(text);

  // Not a navigation the app owns: the health check is left to the network, which is away.
  await expect(tab.goto('/healthz')).rejects.toThrow(/ERR_INTERNET_DISCONNECTED/);
  await context.setOffline(false);
});

test('offline, a readcap link of a file on the grid opens and says plainly that the peers are unreachable', async ({ page, context, baseURL, consoleErrors }) => {
  allowOfflineNoise(consoleErrors);
  await optInToServiceWorker(context);
  await page.goto('/');
  await waitForControllingWorker(page);
  await context.setOffline(true);

  // A CHK file (its shares live on peers), never opened in this browser.
  const cap = { kind: 'chk' as const, key: new Uint8Array(16).fill(7), uebHash: new Uint8Array(32).fill(9), k: 3, n: 10, size: 5_000_000 };
  const tab = await context.newPage();
  await tab.goto(readcapLink(baseURL ?? '', DEFAULT_GRID, cap, 'holiday.mp4'));
  await expectShell(tab);
  await expect(tab.getByRole('heading', { name: /Restore holiday\.mp4/ })).toBeVisible();
  await expect(tab.getByTestId('restore-unreachable')).toContainText('peers are unreachable', { timeout: 30_000 });
  await expect(tab.getByTestId('download-button')).toBeDisabled();
  await context.setOffline(false);
});

test('a newly deployed version brings up the update prompt; applying it reloads into that version', async ({ context }) => {
  const deployment = await startDeployment();
  try {
    await optInToServiceWorker(context);
    const tab = await context.newPage();
    await tab.goto(`${deployment.url}/`);
    await waitForControllingWorker(tab);
    const otherTab = await context.newPage();
    await otherTab.goto(`${deployment.url}/`);
    await expectShell(otherTab);
    await expect(tab.getByTestId('update-prompt')).toHaveCount(0);
    expect(await versionOf(tab)).toBeNull();

    await deployVersion2(deployment.dir);
    // Browsers look for a new sw.js on navigations and every hour (register.ts); ask now.
    await tab.evaluate(async () => {
      await (await navigator.serviceWorker.getRegistration())?.update();
    });
    const prompt = tab.getByTestId('update-prompt');
    await expect(prompt).toHaveAttribute('data-state', 'waiting');
    await expect(prompt).toContainText('new version');
    await expect(otherTab.getByTestId('update-prompt')).toHaveAttribute('data-state', 'waiting');

    // A mark on this document: gone once the tab has reloaded.
    await tab.evaluate(() => Object.assign(window, { bricBeforeUpdate: true }));
    await Promise.all([tab.waitForEvent('load'), prompt.getByRole('button', { name: 'Update now' }).click()]);
    await expect.poll(() => tab.evaluate(() => 'bricBeforeUpdate' in window)).toBe(false);
    await expectShell(tab);
    expect(await versionOf(tab)).toBe('2');
    await expect(tab.getByTestId('update-prompt')).toHaveCount(0);
    expect(await tab.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting ?? null)).toBeNull();

    // The other tab still shows the old page, now under the new worker: it offers a reload.
    const otherPrompt = otherTab.getByTestId('update-prompt');
    await expect(otherPrompt).toHaveAttribute('data-state', 'reload-needed');
    await Promise.all([otherTab.waitForEvent('load'), otherPrompt.getByRole('button', { name: 'Reload' }).click()]);
    await expect.poll(() => versionOf(otherTab)).toBe('2');
    await expect(otherTab.getByTestId('update-prompt')).toHaveCount(0);
  } finally {
    // Tabs first: a tab whose server went away retries /signal and logs each refused attempt.
    for (const p of context.pages()) await p.close();
    await deployment.close();
  }
});
