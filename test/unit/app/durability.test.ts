/**
 * Durability (src/app/durability.ts) on the memory grid with the database module replaced by a
 * map and a Web Locks stand-in: the repair list outlives the tab that added a file (the tab that
 * takes over the repair lock loads it), forget removes it, and health reaches the other tabs.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { KeptCapRecord } from '../../../src/app/durability-db.js';

const kept = new Map<string, KeptCapRecord>();
vi.mock('../../../src/app/durability-db.js', () => ({
  loadKeptCaps: async (room: string) => [...kept.values()].filter((r) => r.room === room),
  putKeptCap: async (r: Omit<KeptCapRecord, 'v'>) => void kept.set(`${r.room} ${r.storageIndex}`, { v: 1, ...r }),
  deleteKeptCap: async (room: string, si: string) => void kept.delete(`${room} ${si}`),
}));

const { Durability } = await import('../../../src/app/durability.js');
const { GridClient } = await import('../../../src/core/grid/client.js');
const { createInThreadRunner } = await import('../../../src/core/immutable/runner.js');
const { bytesFileSource } = await import('../../../src/core/immutable/source.js');
const { MemoryGrid } = await import('../../fakes/memory-grid.js');

/** Web Locks as a page sees them: one holder per name, others queued in order; abort leaves the queue. */
function fakeLocks() {
  const queues = new Map<string, (() => void)[]>();
  const held = new Set<string>();
  return {
    async request(name: string, opts: { signal?: AbortSignal }, cb: (lock: unknown) => Promise<unknown>): Promise<unknown> {
      if (held.has(name)) {
        await new Promise<void>((resolve, reject) => {
          const q = queues.get(name) ?? [];
          q.push(resolve);
          queues.set(name, q);
          opts.signal?.addEventListener('abort', () => {
            queues.set(name, (queues.get(name) ?? []).filter((r) => r !== resolve));
            reject(opts.signal!.reason);
          });
        });
      }
      held.add(name);
      try {
        return await cb({ name });
      } finally {
        held.delete(name);
        queues.get(name)?.shift()?.();
      }
    },
  };
}

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
  kept.clear();
  vi.unstubAllGlobals();
});

async function setup() {
  vi.stubGlobal('navigator', { locks: fakeLocks() });
  const grid = new MemoryGrid({ nodes: 10 });
  stops.push(grid.clock.startAuto(), () => grid.close());
  const runner = createInThreadRunner();
  const leaseSecret = new Uint8Array(32).fill(3);
  const client = new GridClient({ broker: grid, clock: grid.clock, runner }, { leaseSecret, convergenceSecret: new Uint8Array(32).fill(4), segmentSize: 4096 });
  const { cap } = await client.upload(bytesFileSource(new Uint8Array(20_000).fill(7)), { signal: new AbortController().signal });
  if (cap.kind !== 'chk') throw new Error('expected a CHK cap');
  const tab = () => {
    const life = new AbortController();
    stops.push(() => life.abort());
    return { life, d: new Durability({ broker: grid, clock: grid.clock, runner }, { leaseSecret, room: 'room-1', signal: life.signal }) };
  };
  return { grid, cap, tab };
}

const until = async (what: () => boolean): Promise<void> => {
  for (let i = 0; i < 2000 && !what(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(what()).toBe(true);
};

describe('Durability', () => {
  it('keeps the repair list when the tab that added a file closes: the next lock holder loads it', async () => {
    const { cap, tab } = await setup();
    const a = tab();
    const b = tab(); // another tab of the person, waiting for the repair lock
    a.d.add(cap);
    await until(() => kept.size === 1);
    await until(() => a.d.status().some((h) => h.state === 'healthy'));
    expect(b.d.running()).toBe(false);
    expect(b.d.status()).toEqual([]);

    a.life.abort(); // the uploading tab closes
    await until(() => b.d.running());
    await until(() => b.d.status().some((h) => h.state === 'healthy'));
    const si = b.d.status()[0]!.storageIndex;
    expect(b.d.health(si)?.result?.distinctShares).toBe(10);
    expect(b.d.activity().some((x) => x.type === 'checked')).toBe(true);
    // Checks do not pile up in the activity: one (the latest) per file.
    expect(b.d.activity().filter((x) => x.type === 'checked').length).toBe(1);

    b.d.forget(cap);
    expect(kept.size).toBe(0);
    await until(() => b.d.status().length === 0);
  });

  it('check() gives any tab the file’s health, also without the repair lock', async () => {
    const { cap, tab } = await setup();
    const a = tab();
    await until(() => a.d.running());
    const b = tab();
    const result = await b.d.check(cap, { signal: new AbortController().signal });
    expect(result.happiness).toBe(10);
    expect(b.d.health(result.storageIndex)?.state).toBe('healthy');
  });
});
