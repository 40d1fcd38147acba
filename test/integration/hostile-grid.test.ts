/**
 * Hostile storage peers on the memory grid (issue 7): wrong or truncated blocks, forged hash
 * trees and chains, a wrong UEB, claims of shares it does not have, impossible replies, lies
 * about free space, slow-loris answers, endless connection churn. Every case: the download
 * returns exactly the file (nothing unverified accepted), the peer's faults are counted, it is
 * avoided after REPUTATION_FAULT_THRESHOLD operations, and later operations never ask it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { concatBytes } from '../../src/core/bytes.js';
import { deriveStorageIndex } from '../../src/core/cap/storage-index.js';
import type { ChkReadCap } from '../../src/core/cap/types.js';
import { GridClient } from '../../src/core/grid/client.js';
import { reputableBroker } from '../../src/core/grid/reputation-broker.js';
import { PeerReputation } from '../../src/core/grid/reputation.js';
import { permuteServers } from '../../src/core/grid/ring.js';
import { computeLayout, type ShareLayout } from '../../src/core/immutable/layout.js';
import { createInThreadRunner } from '../../src/core/immutable/runner.js';
import { effectiveParams, segmentation } from '../../src/core/immutable/segmentation.js';
import { bytesFileSource } from '../../src/core/immutable/source.js';
import { GRID_REQUEST_TIMEOUT_MS, REPUTATION_FAULT_THRESHOLD } from '../../src/core/limits.js';
import { CapacityExceededError, ShareNotFoundError } from '../../src/core/storage/errors.js';
import { MemoryGrid, type MemoryNode } from '../fakes/memory-grid.js';

const SEGMENT = 4096;
const SIZE = 3 * SEGMENT + 5;
const stops: (() => void)[] = [];
afterEach(() => {
  while (stops.length > 0) stops.pop()!();
});

function setup(nodes = 10) {
  const grid = new MemoryGrid({ nodes });
  stops.push(grid.clock.startAuto(), () => grid.close());
  const reputation = new PeerReputation({ clock: grid.clock });
  const dropped: string[] = [];
  const broker = reputableBroker(grid, reputation, {
    drop: (peer) => {
      dropped.push(peer);
      grid.node(peer).connection?.close();
    },
  });
  const client = new GridClient(
    { broker, clock: grid.clock, runner: createInThreadRunner() },
    { leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: new Uint8Array(32).fill(2), segmentSize: SEGMENT },
  );
  return { grid, client, reputation, dropped };
}

function fileOf(size: number, seed = 1): Uint8Array {
  let x = seed;
  return Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
}

const signal = (): AbortSignal => new AbortController().signal;

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const part of stream) parts.push(part);
  return concatBytes(...parts);
}

function ring(grid: MemoryGrid, cap: ChkReadCap): MemoryNode[] {
  return permuteServers(deriveStorageIndex(cap.key), grid.servers()).map((s) => grid.node(s.nodeId));
}

const LAYOUT: ShareLayout = computeLayout(segmentation(effectiveParams({ k: 3, n: 10, segmentSize: SEGMENT }, SIZE), SIZE));

/** A corruptRead that flips every byte of the reply lying in the share's [from, to). */
function flip(from: number, to: number) {
  return (_share: number, offset: number, bytes: Uint8Array): Uint8Array => {
    for (let i = Math.max(0, from - offset); i < bytes.length && offset + i < to; i++) bytes[i]! ^= 0x5a;
    return bytes;
  };
}

type Attack = { name: string; apply(node: MemoryNode, grid: MemoryGrid): void };

const ATTACKS: Attack[] = [
  { name: 'wrong blocks', apply: (n) => (n.faults.corruptRead = flip(LAYOUT.blocks, LAYOUT.blockHashTree)) },
  {
    name: 'truncated blocks',
    apply: (n) =>
      (n.faults.corruptRead = (_s, offset, bytes) => (offset >= LAYOUT.blocks && offset < LAYOUT.blockHashTree ? bytes.subarray(0, Math.max(0, bytes.length - 7)) : bytes)),
  },
  { name: 'a forged block hash tree', apply: (n) => (n.faults.corruptRead = flip(LAYOUT.blockHashTree, LAYOUT.shareHashChain)) },
  { name: 'a forged share hash chain', apply: (n) => (n.faults.corruptRead = flip(LAYOUT.shareHashChain + 2, LAYOUT.crypttextHashTree)) },
  { name: 'a wrong UEB', apply: (n) => (n.faults.corruptRead = flip(LAYOUT.ueb, LAYOUT.end)) },
  {
    name: 'claims of shares it does not have',
    apply: (n) => {
      n.api.listShares = async () => [0, 1, 2, 3, 4, 5, 6, 7, 8, 9];
      n.api.readShare = async () => {
        throw new ShareNotFoundError('no such share here');
      };
    },
  },
  {
    name: 'replies longer than asked',
    apply: (n) => (n.faults.corruptRead = (_s, _o, bytes) => concatBytes(bytes, new Uint8Array(1000))),
  },
  {
    name: 'a share listed twice',
    apply: (n) => {
      const honest = n.api.listShares.bind(n.api);
      n.api.listShares = async (si, opts) => [...(await honest(si, opts)), ...(await honest(si, opts))];
    },
  },
  {
    name: 'slow-loris replies (answers after the deadline)',
    apply: (n, grid) => {
      n.faults.hungUntil = grid.clock.now() + 1_000 * GRID_REQUEST_TIMEOUT_MS;
      n.faults.hungMethods = ['readShare'];
    },
  },
  { name: 'endless connection churn', apply: (n) => (n.faults.dropAfter = { method: 'readShare', calls: 0 }) },
];

describe('hostile storage peers: download', () => {
  for (const attack of ATTACKS) {
    it(`${attack.name}: every download is exact, the peer is avoided after the threshold and then never asked`, async () => {
      const { grid, client, reputation, dropped } = setup();
      const data = fileOf(SIZE);
      const { cap } = await client.upload(bytesFileSource(data), { signal: signal() });
      // The two first servers of the ring hold shares 0 and 1, the first the decoder asks for.
      const hostile = ring(grid, cap as ChkReadCap).slice(0, 2);
      for (const node of hostile) attack.apply(node, grid);
      for (let i = 0; i < REPUTATION_FAULT_THRESHOLD; i++) {
        expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
      }
      for (const node of hostile) expect(reputation.avoid(node.nodeId), `${node.nodeId}: ${JSON.stringify(reputation.report(node.nodeId))}`).toBe(true);
      expect(dropped.sort()).toEqual(hostile.map((n) => n.nodeId).sort());
      const before = hostile.map((n) => ({ ...n.calls }));
      expect(await collect(client.download(cap, { signal: signal() }))).toEqual(data);
      hostile.forEach((n, i) => expect(n.calls).toEqual(before[i]));
      // The honest servers were never blamed.
      for (const node of grid.nodes) if (!hostile.includes(node)) expect(reputation.faults(node.nodeId)).toBe(0);
      // Nothing is left waiting or half-received on any connection (memory stays bounded).
      for (const node of grid.nodes) {
        for (const rpc of node.connection?.rpcs ?? []) expect(rpc.stats()).toMatchObject({ pending: 0, reassemblyBytes: 0, inboundBytes: 0 });
      }
    });
  }

  it('with too few honest servers the download fails clearly instead of accepting bad data', async () => {
    const { grid, client } = setup();
    const data = fileOf(SIZE);
    const { cap } = await client.upload(bytesFileSource(data), { signal: signal() });
    for (const node of ring(grid, cap as ChkReadCap).slice(0, 8)) node.faults.corruptRead = flip(LAYOUT.blocks, LAYOUT.blockHashTree);
    await expect(collect(client.download(cap, { signal: signal() }))).rejects.toMatchObject({ name: 'NotEnoughSharesError' });
  });
});

describe('hostile storage peers: upload', () => {
  it('lies about free space: announces room, then refuses the writes; uploads go on and the liar is avoided', async () => {
    const { grid, client, reputation } = setup(12);
    const liars = grid.nodes.slice(0, 2);
    for (const liar of liars) {
      liar.announcedBytes = 2 ** 40;
      liar.api.getVersion = async () => ({ nodeId: liar.nodeId, maxShareBytes: 2 ** 40, availableBytes: 2 ** 40, capacityBytes: 2 ** 40, usedBytes: 0, protocolVersion: 1 });
      liar.api.writeShare = async () => {
        throw new CapacityExceededError('the disk is full after all');
      };
    }
    for (let i = 0; i < REPUTATION_FAULT_THRESHOLD + 1; i++) {
      const data = fileOf(SIZE, 10 + i);
      const result = await client.upload(bytesFileSource(data), { signal: signal() });
      expect(result.servers.map((s) => s.name)).not.toContain(liars[0]!.nodeId);
      expect(await collect(client.download(result.cap, { signal: signal() }))).toEqual(data);
    }
    // Each liar was chosen only while its faults were under the threshold.
    for (const liar of liars) {
      expect(reputation.avoid(liar.nodeId)).toBe(true);
      expect(liar.calls.allocateBuckets).toBeLessThanOrEqual(REPUTATION_FAULT_THRESHOLD);
    }
    // Nothing the liars accepted stays claimed on them (the uploader aborted those shares).
    expect((await grid.usedBytes()).slice(0, 2)).toEqual([0, 0]);
  });
});

describe('what a storage peer holds', () => {
  it('no window of plaintext appears in any share; another person uploading the same file makes other shares', async () => {
    const { grid, client } = setup();
    const data = fileOf(SIZE, 99);
    const { cap } = await client.upload(bytesFileSource(data), { signal: signal() });
    const si = deriveStorageIndex((cap as ChkReadCap).key);
    const held: Uint8Array[] = [];
    for (const node of grid.nodes) {
      for (const n of await node.sharesOf(si)) held.push(await node.server.readShare(si, n, 0, 1 << 20, { signal: signal() }));
    }
    expect(held.length).toBe(10);
    const hex = held.map((s) => Buffer.from(s).toString('hex'));
    for (let at = 0; at + 16 <= data.length; at += 997) {
      const needle = Buffer.from(data.subarray(at, at + 16)).toString('hex');
      expect(hex.some((h) => h.includes(needle))).toBe(false);
    }
    // Convergence is per person: someone else's upload of the same bytes names other shares, so a
    // storage peer cannot confirm that a file it guesses is the one it holds.
    const other = new GridClient({ broker: grid, clock: grid.clock, runner: createInThreadRunner() }, { leaseSecret: new Uint8Array(32).fill(5), convergenceSecret: new Uint8Array(32).fill(6), segmentSize: SEGMENT });
    const theirs = await other.upload(bytesFileSource(data), { signal: signal() });
    expect(deriveStorageIndex((theirs.cap as ChkReadCap).key)).not.toEqual(si);
  });
});
