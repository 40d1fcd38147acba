/**
 * Resumable upload on the memory grid: the passes write and close share groups one after the
 * other; cut off after a pass, a second attempt skips the shares the servers hold closed (their
 * bytes are not sent again), and the file reads back; the cap is the ordinary upload's.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/core/bytes.js';
import { GridClient } from '../../../src/core/grid/client.js';
import { uploadResumable, type ResumableUploadConfig } from '../../../src/core/grid/resume-upload.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import { MemoryGrid } from '../../fakes/memory-grid.js';

const SEGMENT = 4096;
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function setup() {
  const grid = new MemoryGrid({ nodes: 12 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  const runner = createInThreadRunner();
  const leaseSecret = new Uint8Array(32).fill(1);
  const convergenceSecret = new Uint8Array(32).fill(2);
  const config: ResumableUploadConfig = {
    k: 3,
    happy: 7,
    n: 10,
    segmentSize: SEGMENT,
    leaseSecret,
    keying: { convergenceSecret },
    placementConcurrency: 4,
    requestTimeoutMs: 30_000,
    passes: 3,
  };
  const client = new GridClient({ broker: grid, clock: grid.clock, runner }, { leaseSecret, convergenceSecret, segmentSize: SEGMENT });
  return { grid, config, client, components: { broker: grid, clock: grid.clock, runner } };
}

function fileOf(size: number, seed = 1): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(...parts);
}

const written = (grid: MemoryGrid): number => grid.nodes.reduce((sum, n) => sum + n.bytesWritten, 0);

describe('uploadResumable', () => {
  it('writes the shares in passes, closing each group, and gives the ordinary upload’s cap', async () => {
    const { grid, config, client, components } = setup();
    const data = fileOf(5 * SEGMENT + 123);
    const closedGroups: number[][] = [];
    const progress: [number, number][] = [];
    const report = await uploadResumable(components, config, bytesFileSource(data), {
      signal: new AbortController().signal,
      onClosed: (shares) => void closedGroups.push([...shares]),
      onProgress: (done, total) => void progress.push([done, total]),
    });
    expect(report.passes).toBe(3);
    expect(closedGroups.flat().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(closedGroups.map((g) => g.length)).toEqual([4, 4, 2]);
    expect(report.skippedShares).toEqual([]);
    expect(report.bytesWritten).toBe(written(grid));
    expect(progress.at(-1)).toEqual([4 * data.length, 4 * data.length]); // hash pass + 3 passes
    expect(await collect(client.download(report.cap, { signal: new AbortController().signal }))).toEqual(data);
    const ordinary = await client.upload(bytesFileSource(data), { signal: new AbortController().signal });
    expect(ordinary.cap).toEqual(report.cap);
  });

  it('cut off after its first pass, the next attempt skips the shares closed and sends only the rest', async () => {
    const { grid, config, client, components } = setup();
    const data = fileOf(7 * SEGMENT + 5, 9);
    const cut = new AbortController();
    let firstClosed: readonly number[] = [];
    let si = new Uint8Array(16);
    await expect(
      uploadResumable(components, config, bytesFileSource(data), {
        signal: cut.signal,
        onStorageIndex: (storageIndex) => void (si = storageIndex.slice()),
        onClosed: (shares) => {
          firstClosed = shares;
          cut.abort(new Error('the tab was reloaded'));
        },
      }),
    ).rejects.toThrow('the tab was reloaded');
    expect(firstClosed.length).toBe(4);
    const afterFirst = written(grid);
    // Nothing half-written stays reserved: the servers hold exactly the shares closed.
    const held = await Promise.all(grid.nodes.map((n) => n.server.listShares(si, { signal: new AbortController().signal })));
    expect(held.flat().sort((a, b) => a - b)).toEqual([...firstClosed]);
    const reserved = (await grid.usedBytes()).reduce((a, b) => a + b, 0);

    const second = await uploadResumable(components, config, bytesFileSource(data), { signal: new AbortController().signal });
    expect(second.skippedShares).toEqual([...firstClosed]);
    const perShare = afterFirst / 10 > 0 ? second.bytesWritten / (10 - firstClosed.length) : 0;
    // Every share is the same size: the second attempt wrote exactly the 6 shares not closed.
    const full = await (async () => {
      const other = setup();
      const r = await uploadResumable(other.components, { ...other.config, passes: 1 }, bytesFileSource(data), { signal: new AbortController().signal });
      return r.bytesWritten;
    })();
    expect(perShare).toBe(full / 10);
    expect(reserved).toBe((full / 10) * firstClosed.length); // pending allocations were given back
    expect(second.bytesWritten).toBe((full / 10) * 6);
    expect(await collect(client.download(second.cap, { signal: new AbortController().signal }))).toEqual(data);
    const usedNow = (await grid.usedBytes()).reduce((a, b) => a + b, 0);
    expect(usedNow).toBe(full); // ten shares, nothing reserved twice
  });

  it('a second attempt after a finished upload sends nothing', async () => {
    const { config, components } = setup();
    const data = fileOf(3 * SEGMENT);
    await uploadResumable(components, config, bytesFileSource(data), { signal: new AbortController().signal });
    const again = await uploadResumable(components, config, bytesFileSource(data), { signal: new AbortController().signal });
    expect(again.bytesWritten).toBe(0);
    expect(again.skippedShares.length).toBe(10);
  });

  it('resuming on a grid that changed, it still sends no share some server holds closed (listShares census)', async () => {
    const { grid, config, client, components } = setup();
    const data = fileOf(6 * SEGMENT + 77, 4);
    grid.nodes[10]!.online = false;
    grid.nodes[11]!.online = false;
    const cut = new AbortController();
    let firstClosed: readonly number[] = [];
    await expect(
      uploadResumable(components, config, bytesFileSource(data), {
        signal: cut.signal,
        onClosed: (shares) => {
          firstClosed = shares;
          cut.abort(new Error('closed the tab'));
        },
      }),
    ).rejects.toThrow('closed the tab');
    // Two more servers present now: the ring, and so which server is asked for which share, changed.
    grid.nodes[10]!.online = true;
    grid.nodes[11]!.online = true;
    const full = (await grid.usedBytes()).reduce((a, b) => a + b, 0) / firstClosed.length;
    const second = await uploadResumable(components, config, bytesFileSource(data), { signal: new AbortController().signal, resuming: true });
    expect([...second.skippedShares].sort((a, b) => a - b)).toEqual([...firstClosed]);
    expect(second.bytesWritten).toBe(full * (10 - firstClosed.length));
    expect(second.happiness).toBeGreaterThanOrEqual(7);
    expect(await collect(client.download(second.cap, { signal: new AbortController().signal }))).toEqual(data);
  });
});
