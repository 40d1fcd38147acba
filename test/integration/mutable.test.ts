/**
 * Mutable files on the memory grid (real MutableSlotServers over rpc, a fake clock): round trips,
 * read-only and verify caps, concurrent writers (detected, reported, merged by modify, nothing
 * lost), stale and forged versions on servers (never accepted), servers down while publishing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { bytesToUtf8, utf8ToBytes } from '../../src/core/bytes.js';
import { toSskReadCap, toSskVerifyCap } from '../../src/core/cap/ssk.js';
import { deriveSskKeys } from '../../src/core/cap/ssk-keys.js';
import type { SskWriteCap } from '../../src/core/cap/types.js';
import { nodeIdBytes } from '../../src/core/grid/broker.js';
import { deriveLeaseSecrets } from '../../src/core/grid/lease-secrets.js';
import { permuteServers } from '../../src/core/grid/ring.js';
import { MutableFileClient, type MutableClientInit } from '../../src/core/mutable/client.js';
import { NotEnoughServersError, ReadOnlyCapError, UncoordinatedWriteError, UnrecoverableFileError } from '../../src/core/mutable/errors.js';
import { deriveWriteEnabler, signHeader } from '../../src/core/mutable/keys.js';
import { encodeVersion } from '../../src/core/mutable/version.js';
import type { SlotRecord } from '../../src/core/storage/slot-store.js';
import { MemoryMutableGrid, type MemorySlotNode } from '../fakes/memory-mutable-grid.js';

const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});
const opts = () => ({ signal: new AbortController().signal });
const text = (s: string) => utf8ToBytes(s);

function setup(nodes = 10) {
  const grid = new MemoryMutableGrid({ nodes });
  stops.push(grid.clock.startAuto(), () => grid.close());
  return { grid, client: newClient(grid, 1) };
}

function newClient(grid: MemoryMutableGrid, seed: number, init: Partial<MutableClientInit> = {}) {
  let x = seed * 7919;
  const randomBytes = (n: number) => Uint8Array.from({ length: n }, () => (x = (x * 1103515245 + 12345) >>> 0) >>> 24);
  return new MutableFileClient({ broker: grid, clock: grid.clock, randomBytes }, { leaseSecret: new Uint8Array(32).fill(seed), ...init });
}

/** The slot nodes in ring order for a write cap (share i of a fresh file goes to ring[i]). */
function ring(grid: MemoryMutableGrid, cap: SskWriteCap): MemorySlotNode[] {
  return permuteServers(deriveSskKeys(cap.writeKey).storageIndex, grid.servers()).map((s) => grid.slotNode(s.nodeId));
}

async function slotOf(node: MemorySlotNode, cap: SskWriteCap): Promise<SlotRecord | undefined> {
  return node.store.get(deriveSskKeys(cap.writeKey).storageIndex, opts());
}

describe('round trips', () => {
  for (const size of [0, 1, 1000, 100_000]) {
    it(`${size} bytes: create, read with the write and the read cap, overwrite`, async () => {
      const { client } = setup();
      const data = Uint8Array.from({ length: size }, (_, i) => (i * 31) & 255);
      const cap = await client.create(data, opts());
      const got = await client.retrieve(cap, opts());
      expect(got.seqnum).toBe(1);
      expect(Buffer.compare(got.contents, data)).toBe(0);
      const ro = toSskReadCap(cap);
      expect(Buffer.compare((await client.retrieve(ro, opts())).contents, data)).toBe(0);
      const result = await client.overwrite(cap, text('second'), opts());
      expect(result).toMatchObject({ seqnum: 2, happiness: 10 });
      expect(bytesToUtf8((await client.retrieve(ro, opts())).contents)).toBe('second');
    });
  }

  it('puts one share on each of the first N servers of the ring, with per-server write enablers and leases', async () => {
    const { grid, client } = setup(12);
    const cap = await client.create(text('placed'), opts());
    const order = ring(grid, cap);
    const si = deriveSskKeys(cap.writeKey).storageIndex;
    for (const [i, node] of order.entries()) {
      const slot = await slotOf(node, cap);
      if (i >= 10) {
        expect(slot).toBeUndefined();
        continue;
      }
      expect(slot!.shares.map((s) => s.shareNum)).toEqual([i]);
      expect(slot!.writeEnabler).toEqual(deriveWriteEnabler(cap.writeKey, nodeIdBytes(node.nodeId)));
      expect(slot!.leases[0]!.renewSecret).toEqual(deriveLeaseSecrets(new Uint8Array(32).fill(1), si, nodeIdBytes(node.nodeId)).renewSecret);
    }
  });

  it('a verify cap maps the servers but cannot read; read and verify caps cannot write', async () => {
    const { client } = setup();
    const cap = await client.create(text('mine'), opts());
    const map = await client.servermap(toSskVerifyCap(cap), opts());
    expect(map.bestRecoverable()?.header.seqnum).toBe(1);
    expect(map.bestRecoverable()?.shareNums.size).toBe(10);
    await expect(client.retrieve(toSskVerifyCap(cap) as never, opts())).rejects.toThrow(/verify cap cannot read/);
    const ro = toSskReadCap(cap);
    for (const attempt of [
      () => client.overwrite(ro as never, text('x'), opts()),
      () => client.modify(ro as never, () => text('x'), opts()),
      () => client.overwrite(toSskVerifyCap(cap) as never, text('x'), opts()),
    ]) {
      const err = await attempt().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ReadOnlyCapError);
    }
    expect(bytesToUtf8((await client.retrieve(ro, opts())).contents)).toBe('mine');
  });

  it('a file nobody stored is UnrecoverableFileError, in words', async () => {
    const { client } = setup();
    const err = await client.retrieve({ kind: 'ssk', writeKey: new Uint8Array(32).fill(5) }, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableFileError);
    expect((err as Error).message).toBe('no server of the 10 that answered holds a share of this mutable file');
  });
});

describe('concurrent writers', () => {
  it('an update over a stale read is refused with UncoordinatedWriteError, and the other write stays', async () => {
    const { grid, client } = setup();
    const other = newClient(grid, 2);
    const cap = await client.create(text('v1'), opts());
    const mine = await client.retrieve(cap, opts());
    await other.modify(cap, (old) => text(`${bytesToUtf8(old)} + theirs`), opts());
    const err = await client.update(cap, text('v1 + mine'), mine.servermap, opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UncoordinatedWriteError);
    expect((err as UncoordinatedWriteError).surprises.length).toBe(10);
    expect((err as Error).message).toMatch(/another writer changed this file while version 2 was being written: 10 servers refused it .*now at version 2/);
    const now = await client.retrieve(cap, opts());
    expect([now.seqnum, bytesToUtf8(now.contents)]).toEqual([2, 'v1 + theirs']);
  });

  it('two updates racing over the same read: at most one succeeds, every loser is told, the winner is what is read', async () => {
    for (let round = 0; round < 4; round++) {
      const { grid, client } = setup();
      const cap = await client.create(text('v1'), opts());
      const writers = [client, newClient(grid, 2)];
      const maps = await Promise.all(writers.map((w) => w.retrieve(cap, opts())));
      // Interleave their test-and-sets server by server, differently each round.
      let turn = 0;
      for (const node of grid.slots) node.faults.beforeWrite = () => new Promise((r) => setTimeout(r, (turn++ * (round + 1)) % 3));
      const outcomes = await Promise.allSettled(writers.map((w, i) => w.update(cap, text(`writer ${i}`), maps[i]!.servermap, opts())));
      for (const node of grid.slots) node.faults.beforeWrite = null;
      const won = outcomes.flatMap((o, i) => (o.status === 'fulfilled' ? [i] : []));
      for (const o of outcomes) if (o.status === 'rejected') expect(o.reason).toBeInstanceOf(UncoordinatedWriteError);
      expect(won.length).toBeLessThanOrEqual(1);
      const now = await client.retrieve(cap, opts());
      if (won.length === 1) expect(bytesToUtf8(now.contents)).toBe(`writer ${won[0]}`);
      else expect(['writer 0', 'writer 1']).toContain(bytesToUtf8(now.contents));
      // Whoever lost can read again and write: the file moves on from any mixed state.
      await client.modify(cap, (old) => text(`${bytesToUtf8(old)}, then fixed`), opts());
      const fixed = await client.retrieve(cap, opts());
      expect(fixed.seqnum).toBe(3);
      expect(fixed.servermap.versions.size).toBe(1);
      stops.splice(0).forEach((s) => s());
    }
  });

  it('a split write (each writer wins half the servers) is detected by both', async () => {
    const { grid, client } = setup();
    const cap = await client.create(text('v1'), opts());
    const other = newClient(grid, 2);
    const [a, b] = await Promise.all([client.retrieve(cap, opts()), other.retrieve(cap, opts())]);
    const order = ring(grid, cap);
    const si = deriveSskKeys(cap.writeKey).storageIndex;
    // Writer A (lease secret 1…) reaches the first five servers first, writer B (2…) the last five.
    order.forEach((node, i) => {
      const aRenew = deriveLeaseSecrets(new Uint8Array(32).fill(1), si, nodeIdBytes(node.nodeId)).renewSecret;
      let favouredArrived!: () => void;
      const arrived = new Promise<void>((r) => (favouredArrived = r));
      node.faults.beforeWrite = async (secrets) => {
        const isA = Buffer.compare(secrets.renewSecret, aRenew) === 0;
        if (isA === i < 5) return favouredArrived();
        await arrived;
        await new Promise((r) => setTimeout(r, 5)); // the favoured write takes the slot's lock first
      };
    });
    const results = await Promise.allSettled([client.update(cap, text('from A'), a.servermap, opts()), other.update(cap, text('from B'), b.servermap, opts())]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    for (const r of results) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(UncoordinatedWriteError);
    for (const node of order) node.faults.beforeWrite = null;
    const map = await client.servermap(cap, opts());
    expect(map.versions.size).toBe(2); // both version 2s, five shares each: nothing silently lost
    expect([...map.versions.values()].map((v) => [v.header.seqnum, v.shareNums.size])).toEqual([[2, 5], [2, 5]]);
  });

  it('concurrent modifies all land: each re-reads and re-applies its change after a conflict', async () => {
    const { grid, client } = setup();
    const cap = await client.create(text('start'), opts());
    const writers = [client, newClient(grid, 2), newClient(grid, 3), newClient(grid, 4)];
    let turn = 0;
    for (const node of grid.slots) node.faults.beforeWrite = () => new Promise((r) => setTimeout(r, turn++ % 2));
    await Promise.all(writers.map((w, i) => w.modify(cap, (old) => text(`${bytesToUtf8(old)}\nline ${i}`), opts())));
    const lines = bytesToUtf8((await client.retrieve(cap, opts())).contents).split('\n');
    expect(lines[0]).toBe('start');
    expect(lines.slice(1).sort()).toEqual(['line 0', 'line 1', 'line 2', 'line 3']);
  });
});

describe('stale and forged versions on servers', () => {
  async function twoVersions() {
    const env = setup();
    const cap = await env.client.create(text('old secret'), opts());
    const order = ring(env.grid, cap);
    const v1 = await Promise.all(order.map((n) => slotOf(n, cap)));
    await env.client.overwrite(cap, text('new contents'), opts());
    return { ...env, cap, order, v1 };
  }

  it('servers rolled back to an older version cannot make a reader take it', async () => {
    const { client, cap, order, v1 } = await twoVersions();
    // Seven of ten servers put the old version back: the new one still has three shares.
    for (let i = 0; i < 7; i++) await order[i]!.store.put(v1[i]!, opts());
    const got = await client.retrieve(toSskReadCap(cap), opts());
    expect([got.seqnum, bytesToUtf8(got.contents)]).toEqual([2, 'new contents']);
    // The next write supersedes the old shares too (it tests against what each server holds).
    await client.modify(cap, (old) => text(`${bytesToUtf8(old)}!`), opts());
    const map = await client.servermap(cap, opts());
    expect([...map.versions.values()].map((v) => [v.header.seqnum, v.shareNums.size])).toEqual([[3, 10]]);
  });

  it('forged shares (another key, a re-signed or edited header, a corrupted block) are dropped and reported', async () => {
    const { client, grid, cap, order } = await twoVersions();
    const keys = deriveSskKeys(cap.writeKey);
    const mallory = deriveSskKeys(new Uint8Array(32).fill(66));
    const si = keys.storageIndex;
    const forgedByOther = encodeVersion(mallory, { seqnum: 99, salt: new Uint8Array(16), k: 3, n: 10 }, text('forged'));
    const replace = async (node: MemorySlotNode, change: (share: Uint8Array) => Uint8Array) => {
      const slot = (await node.store.get(si, opts()))!;
      await node.store.put({ ...slot, shares: slot.shares.map((s) => ({ shareNum: s.shareNum, data: change(s.data) })) }, opts());
    };
    await replace(order[0]!, () => forgedByOther.shares[0]!); // signed, but by another key
    await replace(order[1]!, (s) => { const b = s.slice(); b[13] = 99; return b; }); // seqnum bumped, signature now wrong
    await replace(order[2]!, (s) => { const b = s.slice(); b[b.length - 1]! ^= 1; return b; }); // block corrupted
    await replace(order[3]!, (s) => { // seqnum bumped and re-signed with another key: still not the cap's key
      const b = s.slice(); b[13] = 100; b.set(signHeader(b.subarray(0, 74), mallory.writeKey), 108); return b;
    });
    const got = await client.retrieve(toSskReadCap(cap), opts());
    expect([got.seqnum, bytesToUtf8(got.contents)]).toEqual([2, 'new contents']);
    expect(got.servermap.highestSeqnum()).toBe(2);
    expect(got.servermap.problems.map((p) => p.error.name)).toEqual(expect.arrayContaining(['BadMutableShareError']));
    expect(got.servermap.problems.length).toBeGreaterThanOrEqual(3);
    await grid.clock.advance(0);
    const reports = order.slice(0, 4).map((n) => n.server.stats().corruptReports);
    expect(reports.slice(0, 2)).toEqual([1, 1]);
  });

  it('when only forgeries remain, nothing is accepted: UnrecoverableFileError', async () => {
    const { client, cap, order } = await twoVersions();
    const si = deriveSskKeys(cap.writeKey).storageIndex;
    const mallory = deriveSskKeys(new Uint8Array(32).fill(66));
    const forged = encodeVersion(mallory, { seqnum: 50, salt: new Uint8Array(16), k: 3, n: 10 }, text('forged'));
    for (const [i, node] of order.entries()) {
      const slot = (await node.store.get(si, opts()))!;
      await node.store.put({ ...slot, shares: [{ shareNum: i, data: forged.shares[i]! }] }, opts());
    }
    const err = await client.retrieve(toSskReadCap(cap), opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnrecoverableFileError);
    expect((err as Error).message).toMatch(/cannot be read: no authentic share.*not the one the cap names/);
  });

  it('a server rewriting replies in flight is caught like a bad disk', async () => {
    const { client, cap, order } = await twoVersions();
    order[0]!.faults.corruptRead = (_n, data) => { data[data.length - 1]! ^= 0x80; return data; };
    order[1]!.faults.corruptRead = (_n, data) => data.subarray(0, data.length - 3);
    expect(bytesToUtf8((await client.retrieve(toSskReadCap(cap), opts())).contents)).toBe('new contents');
  });
});

describe('servers down', () => {
  it('publishes while happiness holds; refuses with NotEnoughServersError when it cannot', async () => {
    const { grid, client } = setup();
    const cap = await client.create(text('v1'), opts());
    const order = ring(grid, cap);
    for (const n of order.slice(0, 3)) n.faults.broken = true;
    const r = await client.overwrite(cap, text('v2 with three down'), opts());
    expect(r.happiness).toBe(7);
    // The three come back with version 1: readers still get version 2.
    for (const n of order.slice(0, 3)) n.faults.broken = false;
    const got = await client.retrieve(cap, opts());
    expect([got.seqnum, bytesToUtf8(got.contents)]).toEqual([2, 'v2 with three down']);
    for (const n of order.slice(0, 4)) n.faults.broken = true;
    const err = await client.overwrite(cap, text('v3 with four down'), opts()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotEnoughServersError);
    expect((err as Error).message).toMatch(/^version 3 reached only 6 of the 7 servers needed \(6 answered\)/);
  });

  it('a server that fails after the servermap loses its share to another server, so all N are placed', async () => {
    const { grid, client } = setup();
    const cap = await client.create(text('v1'), opts());
    const order = ring(grid, cap);
    order[4]!.faults.beforeWrite = async () => {
      throw new Error('the tab closed');
    };
    const r = await client.overwrite(cap, text('v2'), opts());
    expect(r.happiness).toBe(9);
    expect([...r.placed.keys()].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(r.placed.get(4)).not.toContain(order[4]!.nodeId);
    const map = await client.servermap(cap, opts());
    expect(map.bestRecoverable()?.shareNums.size).toBe(10);
  });

  it('a small grid places several shares per server (happy lowered to fit)', async () => {
    const grid = new MemoryMutableGrid({ nodes: 3 });
    stops.push(grid.clock.startAuto(), () => grid.close());
    const client = newClient(grid, 1, { happy: 3 });
    const cap = await client.create(text('three nodes'), opts());
    const counts = await Promise.all(grid.slots.map(async (n) => (await slotOf(n, cap))!.shares.length));
    expect(counts.sort()).toEqual([3, 3, 4]);
    grid.slots[0]!.faults.broken = true;
    grid.slots[1]!.faults.broken = true;
    expect(bytesToUtf8((await client.retrieve(cap, opts())).contents)).toBe('three nodes');
  });
});
