/**
 * Helpers for the folders and backup e2e specs: a random folder tree on disk (with each file's
 * SHA-256), the folders section's locators, and reading back a folder restored into OPFS.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Page, TestInfo } from '@playwright/test';

/** Writes `count` files of random sizes in nested folders under a new folder `name`; returns path → SHA-256. */
export async function randomTree(testInfo: TestInfo, name: string, count: number): Promise<{ root: string; files: Map<string, string> }> {
  const root = testInfo.outputPath(name);
  const dirs = ['', 'docs', 'docs/2026', 'docs/2026/november', 'photos', 'photos/trip', 'photos/trip/day 1', 'music', 'ünïcødé'];
  const files = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const dir = dirs[i % dirs.length]!;
    // Mostly a few kB; every tenth tiny enough to be a LIT cap; one larger than a segment of 1 MiB would be is not needed here.
    const size = i % 10 === 3 ? 20 + (i % 30) : 200 + ((i * 7919) % 30_000);
    const path = dir === '' ? `file-${i}.bin` : `${dir}/file-${i}.bin`;
    const bytes = randomBytes(size);
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), bytes);
    files.set(path, createHash('sha256').update(bytes).digest('hex'));
  }
  return { root, files };
}

export function folders(page: Page) {
  const section = page.getByTestId('folders-section');
  return {
    section,
    home: section.getByTestId('home-folder'),
    row: (name: string) => section.getByTestId('home-folder').locator(`[data-testid="folder-row"][data-name="${name}"]`),
    notice: section.getByTestId('folders-notice'),
    error: section.getByTestId('error'),
  };
}

/** Every file under an OPFS folder `name` (path → SHA-256), read in the page. */
export async function opfsHashes(page: Page, name: string): Promise<Record<string, string>> {
  return page.evaluate(async (top) => {
    const out: Record<string, string> = {};
    const hex = (b: ArrayBuffer) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
    const walk = async (dir: FileSystemDirectoryHandle, path: string): Promise<void> => {
      for await (const child of (dir as unknown as { values(): AsyncIterable<FileSystemHandle> }).values()) {
        const p = path === '' ? child.name : `${path}/${child.name}`;
        if (child.kind === 'file') out[p] = hex(await crypto.subtle.digest('SHA-256', await (await (child as FileSystemFileHandle).getFile()).arrayBuffer()));
        else await walk(child as FileSystemDirectoryHandle, p);
      }
    };
    const root = await navigator.storage.getDirectory();
    await walk(await root.getDirectoryHandle(top), '');
    return out;
  }, name);
}
