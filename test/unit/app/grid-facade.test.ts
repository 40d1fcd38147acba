/** The UI facade over a fake node: uploads one at a time, errors in words, restore states, in-place links. */
import { describe, expect, it } from 'vitest';
import { GridApp } from '../../../src/app/grid.svelte.js';
import { DEFAULT_GRID, readcapLink } from '../../../src/app/links.js';
import type { BricNode, NodeSnapshot, RestorePhase } from '../../../src/app/node-api.js';
import type { ChkReadCap } from '../../../src/core/cap/types.js';
import { UploadUnhappinessError } from '../../../src/core/grid/errors.js';
import { NotEnoughSharesError } from '../../../src/core/immutable/errors.js';

const ORIGIN = 'http://127.0.0.1:8080';
const cap: ChkReadCap = { kind: 'chk', key: new Uint8Array(16).fill(1), uebHash: new Uint8Array(32).fill(2), k: 3, n: 10, size: 6 };

interface FakeOptions {
  upload?: (file: File) => Promise<void>;
  restore?: (onPhase?: (p: RestorePhase) => void) => AsyncIterable<Uint8Array>;
}

function fakeNode(opts: FakeOptions = {}): BricNode & { uploads: string[]; capacity: number } {
  let snapshot: NodeSnapshot = { nodeId: 'node', peerCount: 9, presentCount: 9, usedBytes: 0, capacityBytes: 500_000_000, joined: true };
  const listeners = new Set<(s: NodeSnapshot) => void>();
  const node = {
    grid: DEFAULT_GRID,
    uploads: [] as string[],
    capacity: 500_000_000,
    snapshot: () => snapshot,
    subscribe(l: (s: NodeSnapshot) => void) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async setCapacity(bytes: number) {
      node.capacity = bytes;
      snapshot = { ...snapshot, capacityBytes: bytes };
      for (const l of listeners) l(snapshot);
    },
    async upload(file: File, o: { onProgress?(d: number, t: number): void }) {
      node.uploads.push(`start ${file.name}`);
      await opts.upload?.(file);
      o.onProgress?.(file.size * 2, file.size * 2);
      node.uploads.push(`end ${file.name}`);
      return { cap, link: readcapLink(ORIGIN, DEFAULT_GRID, cap, file.name) };
    },
    restore: (_cap: unknown, o: { onPhase?(p: RestorePhase): void }) =>
      opts.restore?.(o.onPhase) ??
      (async function* () {
        o.onPhase?.({ phase: 'finding-shares', bytesDone: 0, total: 6 });
        yield new Uint8Array([1, 2, 3]);
        yield new Uint8Array([4, 5, 6]);
      })(),
    close() {},
  };
  return node;
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 10));

describe('GridApp', () => {
  it('starts the node and shows its counters and capacity', async () => {
    const app = new GridApp('', async () => fakeNode());
    expect(app.phase).toBe('starting');
    await app.start();
    expect(app.phase).toBe('ready');
    expect(app.node?.peerCount).toBe(9);
    expect(app.capacityText).toBe('500M');
    expect(app.restore).toBeUndefined();
  });

  it('uploads files one after another and gives each its readcap link', async () => {
    const node = fakeNode({ upload: () => settle() });
    const app = new GridApp('', async () => node);
    await app.start();
    app.uploadFiles([new File(['aaaa'], 'a.txt'), new File(['bb'], 'b.txt')]);
    expect(app.files.map((f) => f.status)).toEqual(['waiting', 'waiting']);
    await settle();
    await settle();
    await settle();
    expect(node.uploads).toEqual(['start a.txt', 'end a.txt', 'start b.txt', 'end b.txt']);
    expect(app.files.map((f) => f.status)).toEqual(['done', 'done']);
    expect(new URL(app.files[0]!.link!).hash).toContain('name=a.txt');
    expect(app.error).toBeUndefined();
  });

  it('shows a failed upload in words, in its row and in the one error place', async () => {
    const detail = { happiness: 6, happy: 7, full: 4, unreachable: 0, known: 10 };
    const node = fakeNode({
      upload: async () => {
        throw new UploadUnhappinessError('Upload failed: only 6 of the 7 peers needed have room for a share of 600 kB (4 are full)', detail);
      },
    });
    const app = new GridApp('', async () => node);
    await app.start();
    app.uploadFiles([new File(['x'.repeat(100)], 'c.bin')]);
    await settle();
    expect(app.files[0]!.status).toBe('failed');
    const words = 'Upload failed: only 6 of the 7 peers needed have room for a share of 600 kB (4 are full). More peers help: open bric in more tabs or on other devices, free space on full ones, or lower “happy” in Settings';
    expect(app.files[0]!.error).toBe(words);
    expect(app.error).toBe(`c.bin: ${words}`);
  });

  it('refuses a capacity it cannot read, and applies one it can', async () => {
    const node = fakeNode();
    const app = new GridApp('', async () => node);
    await app.start();
    app.capacityText = 'lots';
    await app.saveSettings();
    expect(app.error).toMatch(/^The capacity was not saved: "lots" is not a size/);
    app.capacityText = '1M';
    await app.saveSettings();
    expect(node.capacity).toBe(1_000_000);
    expect(app.capacityText).toBe('1M');
    expect(app.error).toBeUndefined();
  });

  it('restores a readcap link into a Blob ready to save', async () => {
    const hash = new URL(readcapLink(ORIGIN, DEFAULT_GRID, cap, 'six.bin')).hash;
    const app = new GridApp(hash, async () => fakeNode());
    expect(app.restore).toMatchObject({ name: 'six.bin', size: 6, status: 'running' });
    await app.start();
    expect(app.restore?.status).toBe('ready');
    expect(app.restore?.text).toMatch(/ready to save/);
    expect(app.restore?.done).toBe(6);
  });

  it('says "not enough shares … found 2 of the 3 shares needed" and saves nothing', async () => {
    const hash = new URL(readcapLink(ORIGIN, DEFAULT_GRID, cap, 'six.bin')).hash;
    const node = fakeNode({
      restore: () =>
        (async function* (): AsyncIterable<Uint8Array> {
          throw new NotEnoughSharesError(2, 3, [new Error('share 4 is unavailable: peer gone')]);
        })(),
    });
    const app = new GridApp(hash, async () => node);
    await app.start();
    expect(app.restore?.status).toBe('failed');
    expect(app.restore?.text).toBe('Restore failed: not enough shares are online: found 2 of the 3 shares needed. Nothing was saved.');
    expect(app.error).toBe('Restore failed: not enough shares are online: found 2 of the 3 shares needed');
  });

  it('a broken link is an error in words, and the node does not start', async () => {
    let started = false;
    const app = new GridApp('#cap=URI:BRIC-CHK1:broken', async () => {
      started = true;
      return fakeNode();
    });
    await app.start();
    expect(started).toBe(false);
    expect(app.phase).toBe('failed');
    expect(app.error).toMatch(/^This link cannot be opened: the file's cap in this link is broken/);
  });

  it('follows a pasted readcap link of the same grid in place, and not one of another grid', async () => {
    const app = new GridApp('', async () => fakeNode());
    await app.start();
    const same = new URL(readcapLink(ORIGIN, DEFAULT_GRID, cap, 'x.bin')).hash;
    expect(app.followLink(same)).toBe(true);
    await settle();
    expect(app.restore?.status).toBe('ready');
    const other = `#grid=other.${'a'.repeat(52)}`;
    expect(app.followLink(other)).toBe(false);
  });
});

describe('GridApp, the grid’s space', () => {
  it('adds linked peers’ announced space, says what it holds at k/N, and refuses a file too large before uploading', async () => {
    const node = fakeNode({ upload: () => settle() });
    const base = node.snapshot();
    const snap = {
      ...base,
      capacityBytes: 1000,
      usedBytes: 400,
      encoding: { k: 2, happy: 2, n: 4 },
      peers: [
        { id: 'p1', state: 'connected' as const, capacityBytes: 1000, usedBytes: 0, availableBytes: 1000, nickname: 'one' },
        { id: 'p2', state: 'present' as const },
      ],
    };
    node.snapshot = () => snap;
    const app = new GridApp('', async () => node);
    await app.start();
    expect(app.space).toEqual({ capacityBytes: 2000, usedBytes: 400, freeBytes: 1600, storableBytes: 800, unknownPeers: 0 });
    app.uploadFiles([new File(['x'.repeat(801)], 'big.bin'), new File(['x'.repeat(800)], 'fits.bin')]);
    await settle();
    await settle();
    expect(app.files.map((f) => f.status)).toEqual(['failed', 'done']);
    expect(app.files[0]!.error).toBe('Not uploaded: 801 bytes is too large for the grid’s free space: at 2-of-4 it needs about 1.6 kB of shares, and the grid has 1.6 kB free (room for about 800 bytes of files)');
    expect(node.uploads).toEqual(['start fits.bin', 'end fits.bin']);
  });
});

describe('sizes in words', () => {
  it('the capacity field round-trips exactly through parseSize', async () => {
    const { capacityText, showSize } = await import('../../../src/app/words.js');
    const { parseSize } = await import('../../../src/core/storage/capacity.js');
    for (const bytes of [0, 1, 999, 1000, 1024, 500_000_000, 2 ** 31, 2_147_483_647, 5e9, 1.5e9, 3 * 2 ** 40, 123_456_789]) {
      expect(parseSize(capacityText(bytes)), `${bytes} → ${capacityText(bytes)}`).toBe(bytes);
    }
    expect(capacityText(500_000_000)).toBe('500M');
    expect(capacityText(2 ** 31)).toBe('2GiB');
    expect(capacityText(1.5e9)).toBe('1500M');
    expect(showSize(500_000_000)).toBe('500 MB');
    expect(showSize(367_181)).toBe('367 kB');
  });
});
