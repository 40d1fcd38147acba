/** Ranged reads over an in-memory grid: exact bytes for any range, only the segments that hold it, shares found once. */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../../src/core/bytes.js';
import { GridClient } from '../../../src/core/grid/client.js';
import { openRangedFile } from '../../../src/core/grid/download-range.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import { MemoryGrid } from '../../fakes/memory-grid.js';

// A multiple of k (3), so the effective segment size is exactly this.
const SEGMENT = 3072;
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function fileOf(size: number, seed = 7): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
}

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(...parts);
}

async function setup(size: number) {
  const grid = new MemoryGrid({});
  stops.push(grid.clock.startAuto(), () => grid.close());
  const runner = createInThreadRunner();
  const client = new GridClient(
    { broker: grid, clock: grid.clock, runner },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), segmentSize: SEGMENT },
  );
  const data = fileOf(size);
  const { cap } = await client.upload(bytesFileSource(data), { signal: new AbortController().signal });
  const life = new AbortController();
  stops.push(() => life.abort());
  return { grid, data, cap, file: openRangedFile({ broker: grid, clock: grid.clock, runner }, {}, cap, { signal: life.signal }) };
}

const signal = (): AbortSignal => new AbortController().signal;

describe('openRangedFile', () => {
  it('reads any range exactly, fetching only the segments that hold it', async () => {
    const { data, file } = await setup(10 * SEGMENT + 123);
    expect(file.size).toBe(data.length);
    const cases: [number, number][] = [
      [0, 10],
      [SEGMENT - 5, 10],
      [3 * SEGMENT + 17, 2 * SEGMENT],
      [10 * SEGMENT, 500],
      [data.length - 1, 1],
      [5, 0],
      [data.length + 10, 10],
    ];
    for (const [offset, length] of cases) {
      const before = file.segmentsFetched;
      const got = await collect(file.read(offset, length, { signal: signal() }));
      const want = data.slice(Math.min(offset, data.length), Math.min(offset + length, data.length));
      expect(got, `range ${offset}+${length}`).toEqual(want);
      const segments = want.length === 0 ? 0 : Math.floor((offset + want.length - 1) / SEGMENT) - Math.floor(offset / SEGMENT) + 1;
      expect(file.segmentsFetched - before, `segments for ${offset}+${length}`).toBe(segments);
    }
    // The whole file through one read, too.
    expect(await collect(file.read(0, data.length, { signal: signal() }))).toEqual(data);
  });

  it('finds the shares once: later reads ask no server again', async () => {
    const { file } = await setup(6 * SEGMENT);
    await collect(file.read(0, 100, { signal: signal() }));
    const asked = file.stats.asked;
    await collect(file.read(4 * SEGMENT, 100, { signal: signal() }));
    await collect(file.read(SEGMENT, 100, { signal: signal() }));
    expect(file.stats.asked).toBe(asked);
  });

  it('drops a corrupt share for the next reads and still returns verified bytes', async () => {
    const { grid, data, file } = await setup(6 * SEGMENT);
    await collect(file.read(0, 10, { signal: signal() }));
    for (const s of grid.servers()) {
      grid.node(s.nodeId).faults.corruptRead = (_n, _o, bytes) => {
        const out = bytes.slice();
        if (out.length > 64) out[out.length - 1]! ^= 1;
        return out;
      };
      break;
    }
    expect(await collect(file.read(2 * SEGMENT, 3 * SEGMENT, { signal: signal() }))).toEqual(data.slice(2 * SEGMENT, 5 * SEGMENT));
  });

  it('serves LIT caps from the cap itself', async () => {
    const file = openRangedFile({} as never, {}, { kind: 'lit', data: Uint8Array.of(1, 2, 3, 4, 5) }, { signal: signal() });
    expect(await collect(file.read(1, 3, { signal: signal() }))).toEqual(Uint8Array.of(2, 3, 4));
  });
});

describe('openRangedFile on a changing grid', () => {
  it('searches the grid only when first read, and again after a read found too few shares', async () => {
    const { grid, data, cap } = await setup(5 * SEGMENT);
    const runner = createInThreadRunner();
    // Opened while the broker knows no servers yet (a tab that has not heard who is present).
    let known = false;
    const broker = { servers: () => (known ? grid.servers() : []), connect: grid.connect.bind(grid) } as unknown as MemoryGrid;
    const file = openRangedFile({ broker, clock: grid.clock, runner }, {}, cap, { signal: signal() });
    await expect(collect(file.read(0, 10, { signal: signal() }))).rejects.toThrow(/found 0 of the 3 shares needed/);
    known = true;
    expect(await collect(file.read(SEGMENT, 10, { signal: signal() }))).toEqual(data.slice(SEGMENT, SEGMENT + 10));
  });
});
