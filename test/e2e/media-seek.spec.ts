/**
 * Seeking in a video served from the grid: a real, seekable WebM (VP8 + Opus, 24 s, cues at the
 * front; made with ffmpeg, test/e2e/media-seek.webm) is uploaded at 2-of-4 by a grid of four tabs;
 * another browser opens its readcap link with the service worker on and plays it in place. The
 * player's Range requests are answered by the worker (206, from the page's ranged download of only
 * the segments asked for), and a seek to 15 s plays on from there. A PNG from the grid shows in
 * place too, asked for whole (200).
 */
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from '@playwright/test';
import { test, expect } from './fixtures.js';
import { openGrid, privateGridPath, uploadThroughUi } from './grid-helpers.js';

const VIDEO = fileURLToPath(new URL('./media-seek.webm', import.meta.url));
/** Any real PNG: the app's own icon. */
const IMAGE = fileURLToPath(new URL('../../public/icons/icon-512.png', import.meta.url));

async function optInToServiceWorker(context: BrowserContext): Promise<void> {
  await context.addInitScript(() => {
    try {
      localStorage.setItem('bric-sw', 'on');
    } catch {
      // pages without storage (error pages)
    }
  });
}

async function waitForControllingWorker(page: Page): Promise<void> {
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (navigator.serviceWorker.controller !== null) return;
    await new Promise<void>((resolve) => navigator.serviceWorker.addEventListener('controllerchange', () => resolve(), { once: true }));
  });
}

/** Sets k/happy/N in a tab's settings (used by its next upload). */
async function setEncoding(page: Page, k: number, happy: number, n: number): Promise<void> {
  await page.getByTestId('setting-k').fill(String(k));
  await page.getByTestId('setting-happy').fill(String(happy));
  await page.getByTestId('setting-n').fill(String(n));
  await page.getByTestId('setting-save').click();
  await expect(page.getByText(`New uploads use ${k}-of-${n}`)).toBeVisible();
}

test('a video from the grid plays in place and seeks through Range requests the service worker serves', async ({ newPerson }) => {
  test.setTimeout(120_000);
  const path = privateGridPath('media-seek');
  const alice = await newPerson('alice');
  const pages = await openGrid(alice, 4, { path });
  await setEncoding(pages[0]!, 2, 3, 4);
  const link = await uploadThroughUi(pages[0]!, VIDEO, { timeout: 60_000 });
  const imageLink = await uploadThroughUi(pages[0]!, IMAGE, { timeout: 60_000 });

  const bob = await newPerson('bob');
  await optInToServiceWorker(bob.context);
  // The first tab installs the worker; the link's tab is controlled by it from its first request.
  const first = await bob.open(path);
  await waitForControllingWorker(first);
  const viewer = await bob.open(link);
  const served: { status: number; range: string | undefined; fromWorker: boolean }[] = [];
  viewer.on('response', (res) => {
    if (!new URL(res.url()).pathname.startsWith('/bric-media/')) return;
    served.push({ status: res.status(), range: res.request().headers()['range'], fromWorker: res.fromServiceWorker() });
  });

  const video = viewer.locator('video[data-testid="restore-media"]');
  await expect(video).toBeVisible({ timeout: 60_000 });
  await expect(viewer.locator('[data-restore-mode]')).toHaveAttribute('data-restore-mode', 'memory');
  expect(await video.getAttribute('src')).toMatch(/^\/bric-media\//);

  const duration = await video.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<number>((resolve, reject) => {
        if (v.readyState >= 1) resolve(v.duration);
        v.addEventListener('loadedmetadata', () => resolve(v.duration), { once: true });
        v.addEventListener('error', () => reject(new Error(`video error ${v.error?.code}: ${v.error?.message}`)), { once: true });
      }),
  );
  expect(duration).toBeGreaterThan(23);
  expect(duration).toBeLessThan(25);

  // Seek to 15 s, then play: the element reports the seek done at 15 s and plays on from there.
  const after = await video.evaluate(
    (v: HTMLVideoElement) =>
      new Promise<{ seekedAt: number; playedTo: number; playedFrom: number }>((resolve, reject) => {
        v.muted = true;
        v.addEventListener('error', () => reject(new Error(`video error ${v.error?.code}: ${v.error?.message}`)), { once: true });
        v.addEventListener(
          'seeked',
          () => {
            const seekedAt = v.currentTime;
            const tick = (): void => {
              if (v.currentTime > seekedAt + 1) {
                v.pause();
                resolve({ seekedAt, playedTo: v.currentTime, playedFrom: v.played.length > 0 ? v.played.start(v.played.length - 1) : -1 });
              } else requestAnimationFrame(tick);
            };
            v.play().then(tick, reject);
          },
          { once: true },
        );
        v.currentTime = 15;
      }),
  );
  expect(after.seekedAt).toBeCloseTo(15, 0);
  expect(after.playedTo).toBeGreaterThan(16);
  expect(after.playedTo).toBeLessThan(20);
  // Nothing between 0 and the seek was played: the played range starts at the seek.
  expect(after.playedFrom).toBeGreaterThan(14);

  // The worker served Range requests with 206, and at least one started past the file's beginning.
  expect(served.length).toBeGreaterThan(0);
  expect(served.every((s) => s.fromWorker)).toBe(true);
  expect(served.some((s) => s.status === 206)).toBe(true);
  // An image is asked for whole (no Range): the worker answers 200 with every byte.
  const pictureTab = await bob.open(imageLink);
  const image = pictureTab.locator('img[data-testid="restore-media"]');
  await expect(image).toBeVisible({ timeout: 60_000 });
  expect(await image.getAttribute('src')).toMatch(/^\/bric-media\//);
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0)), { timeout: 30_000 }).toBe(512);

  const starts = served.map((s) => Number(/^bytes=(\d+)-/.exec(s.range ?? '')?.[1] ?? -1));
  expect(Math.max(...starts), `ranges asked: ${served.map((s) => s.range).join(', ')}`).toBeGreaterThan(0);
});
