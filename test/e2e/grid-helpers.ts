/**
 * Helpers for the grid e2e specs: a grid of app tabs, random files on disk, reading the CONTRACT.md
 * test ids (peer-count, node-used, readcap-url …) and saving a restore through the real download.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';
import { base32Encode } from '../../src/core/bytes.js';
import { expect, type Person } from './fixtures.js';

/**
 * The path of an invite link to a new private grid (a random secret): tests that need no default
 * grid use one, so test files running at the same time on the same server never meet.
 */
export function privateGridPath(id: string): string {
  const safe = id.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 32).replace(/^-+/, '') || 'test';
  return `/#grid=${safe}.${base32Encode(randomBytes(32))}`;
}

/**
 * Opens `count` tabs of the app for one person (at `path`, default '/': the default grid) and
 * waits until each is connected to all the others.
 */
export async function openGrid(person: Person, count: number, opts: { timeout?: number; path?: string } = {}): Promise<Page[]> {
  const pages: Page[] = [];
  for (let i = 0; i < count; i++) pages.push(await person.open(opts.path ?? '/'));
  await waitForPeers(pages, count - 1, opts);
  return pages;
}

/** Waits until every page shows `peers` in peer-count. */
export async function waitForPeers(pages: Page[], peers: number, opts: { timeout?: number } = {}): Promise<void> {
  const timeout = opts.timeout ?? 60_000;
  for (const page of pages) await expect(page.getByTestId('peer-count')).toHaveText(String(peers), { timeout });
}

/** The bytes of shares a page's node holds now (node-used is digits only). */
export async function nodeUsed(page: Page): Promise<number> {
  const text = (await page.getByTestId('node-used').textContent()) ?? '';
  expect(text).toMatch(/^\d+$/);
  return Number(text);
}

/** This tab's node id, as the node panel shows it. */
export async function nodeId(page: Page): Promise<string> {
  const id = await page.locator('[data-node-id]').getAttribute('data-node-id');
  expect(id).toBeTruthy();
  return id ?? '';
}

/** Writes `size` random bytes to a file in the test's output folder; returns its path and SHA-256. */
export async function randomFile(testInfo: TestInfo, name: string, size: number): Promise<{ path: string; sha256: string; size: number; name: string }> {
  const dir = testInfo.outputPath('files');
  await mkdir(dir, { recursive: true });
  const path = join(dir, name);
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  const CHUNK = 1 << 20;
  for (let done = 0; done < size; done += CHUNK) {
    const chunk = randomBytes(Math.min(CHUNK, size - done));
    hash.update(chunk);
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
  await new Promise<void>((resolve, reject) => out.end((err?: Error | null) => (err ? reject(err) : resolve())));
  return { path, sha256: hash.digest('hex'), size, name };
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** Uploads a file through upload-input and returns its readcap link once the newest file-row has one. */
export async function uploadThroughUi(page: Page, path: string, opts: { timeout?: number } = {}): Promise<string> {
  const rowsBefore = await page.getByTestId('file-row').count();
  await page.getByTestId('upload-input').setInputFiles(path);
  const row = page.getByTestId('file-row').nth(rowsBefore);
  await expect(row.getByTestId('upload-progress')).toBeVisible();
  const link = row.getByTestId('readcap-url');
  await expect(link).toBeVisible({ timeout: opts.timeout ?? 180_000 });
  const href = await link.getAttribute('href');
  expect(href).toBeTruthy();
  return href ?? '';
}

/** Uploads a file through upload-input and returns the error the page shows when the upload fails. */
export async function uploadExpectingError(page: Page, path: string, opts: { timeout?: number } = {}): Promise<string> {
  const rowsBefore = await page.getByTestId('file-row').count();
  await page.getByTestId('upload-input').setInputFiles(path);
  const row = page.getByTestId('file-row').nth(rowsBefore);
  const error = page.getByTestId('error');
  await expect(error).toBeVisible({ timeout: opts.timeout ?? 120_000 });
  await expect(row.getByTestId('readcap-url')).toHaveCount(0);
  return (await error.textContent()) ?? '';
}

/** Waits for the restore view to be ready, saves through download-button; returns the file's name and SHA-256. */
export async function restoreThroughUi(page: Page, opts: { timeout?: number } = {}): Promise<{ name: string; sha256: string }> {
  await expect(page.getByTestId('restore-status')).toContainText('ready to save', { timeout: opts.timeout ?? 180_000 });
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('download-button').click()]);
  const path = await download.path();
  return { name: download.suggestedFilename(), sha256: await sha256File(path) };
}

/** Asserts a readcap link carries its cap only in the fragment. */
export function expectFragmentOnly(link: string, baseURL: string | undefined): void {
  const url = new URL(link);
  expect(url.search).toBe('');
  expect(url.pathname).toBe('/');
  if (baseURL !== undefined) expect(url.origin).toBe(new URL(baseURL).origin);
  expect(url.hash).toMatch(/^#.*cap=URI:BRIC-CHK1:/);
}
