/**
 * Harness module for test/browser/hostile.spec.ts: a "farm" tab hosts several storage nodes, each
 * its own signaling peer serving a StorageServer over real WebRTC links, any of which can be told
 * to lie (corrupt blocks, phantom shares, slow-loris reads, hang up on every read); a client tab
 * runs the GridClient behind the reputation broker and reports what it downloaded and whom it avoids.
 */
import { realClock } from '../../../src/adapters/rtc/clock.js';
import { RtcPeers } from '../../../src/adapters/rtc/peers.js';
import { SignalingClient } from '../../../src/adapters/rtc/signaling-client.js';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { concatBytes, equalBytes, hexToBytes } from '../../../src/core/bytes.js';
import type { ChkReadCap, LitCap } from '../../../src/core/cap/types.js';
import type { StorageBroker } from '../../../src/core/grid/broker.js';
import { GridClient } from '../../../src/core/grid/client.js';
import { reputableBroker } from '../../../src/core/grid/reputation-broker.js';
import { PeerReputation, type PeerRecord } from '../../../src/core/grid/reputation.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { bytesFileSource } from '../../../src/core/immutable/source.js';
import type { StorageApi } from '../../../src/core/storage/api.js';
import { ShareNotFoundError } from '../../../src/core/storage/errors.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { serveStorage, storageClient } from '../../../src/core/storage/wire.js';
import { deriveRoomId } from '../../../src/core/wire/grid-proof.js';
import type { Rpc } from '../../../src/core/wire/rpc.js';

export type Mode = 'honest' | 'corrupt-blocks' | 'phantom-shares' | 'slow-loris' | 'hang-up';

interface Hosted {
  mode: Mode;
  /** listShares answers after this many ms (so hostile nodes answer first and are picked first). */
  listDelayMs: number;
  calls: Record<string, number>;
  readonly server: StorageServer;
  readonly signaling: SignalingClient;
  readonly peers: RtcPeers;
}

const hosted = new Map<string, Hosted>();
const HEADER_BYTES = 56;

const url = (): string => `${location.origin.replace(/^http/, 'ws')}/signal`;

/** Farm tab: starts `count` storage nodes in the grid; returns their peer ids. */
export function hostNodes(opts: { secretHex: string; count: number }): string[] {
  const room = deriveRoomId(hexToBytes(opts.secretHex));
  const ids: string[] = [];
  for (let i = 0; i < opts.count; i++) {
    const signaling = new SignalingClient({ url: url() });
    const peers = new RtcPeers({ signaling, room, gridSecret: hexToBytes(opts.secretHex) });
    const server = new StorageServer({ store: new MemoryShareStore(), clock: { now: () => Date.now() } }, { nodeId: signaling.peerId, capacityBytes: 64 << 20 });
    const node: Hosted = { mode: 'honest', listDelayMs: 0, calls: {}, server, signaling, peers };
    peers.onPeer((_peer, rpc) => serveStorage(rpc, lying(node, rpc)));
    hosted.set(signaling.peerId, node);
    ids.push(signaling.peerId);
  }
  return ids;
}

export function setMode(peerId: string, mode: Mode, listDelayMs = 0): void {
  const node = hosted.get(peerId)!;
  node.mode = mode;
  node.listDelayMs = listDelayMs;
}

/** Requests a hosted node received, by method. */
export function callsOf(peerId: string): Record<string, number> {
  return { ...hosted.get(peerId)!.calls };
}

/** The node's StorageServer as its mode makes it answer, on one link. */
function lying(node: Hosted, rpc: Rpc): StorageApi {
  const s = node.server;
  const count = (m: string): void => void (node.calls[m] = (node.calls[m] ?? 0) + 1);
  const pass = <K extends keyof StorageApi>(m: K): StorageApi[K] =>
    ((...args: unknown[]) => (count(m), (s[m] as (...a: unknown[]) => unknown).apply(s, args))) as StorageApi[K];
  return {
    getVersion: pass('getVersion'),
    allocateBuckets: pass('allocateBuckets'),
    writeShare: pass('writeShare'),
    closeShare: pass('closeShare'),
    abortShare: pass('abortShare'),
    addLease: pass('addLease'),
    adviseCorruptShare: pass('adviseCorruptShare'),
    async listShares(si, opts) {
      count('listShares');
      if (node.listDelayMs > 0) await realClock.sleep(node.listDelayMs, opts);
      if (node.mode === 'phantom-shares') return Array.from({ length: 16 }, (_, i) => i);
      return s.listShares(si, opts);
    },
    async readShare(si, shareNum, offset, length, opts) {
      count('readShare');
      switch (node.mode) {
        case 'phantom-shares':
          throw new ShareNotFoundError(`no share ${shareNum} here`);
        case 'slow-loris':
          // Never answers: holds the request until the requester gives up (its signal aborts).
          return new Promise((_, reject) => opts.signal.addEventListener('abort', () => reject(opts.signal.reason), { once: true }));
        case 'hang-up':
          rpc.close('this peer hangs up on every read');
          return new Promise(() => {});
        case 'corrupt-blocks': {
          const data = (await s.readShare(si, shareNum, offset, length, opts)).slice();
          for (let i = Math.max(0, HEADER_BYTES - offset); i < data.length; i++) data[i]! ^= 0x5a;
          return data;
        }
        default:
          return s.readShare(si, shareNum, offset, length, opts);
      }
    },
  };
}

// --- The client tab ---

let client: GridClient | null = null;
let reputation: PeerReputation | null = null;
let clientRoom = '';
let clientSignaling: SignalingClient | null = null;
const files: { cap: ChkReadCap | LitCap; data: Uint8Array }[] = [];

/** Client tab: joins the grid and builds a GridClient (k-of-n) behind the reputation broker. */
export function startClient(opts: { secretHex: string; k: number; happy: number; n: number; requestTimeoutMs: number }): string {
  clientRoom = deriveRoomId(hexToBytes(opts.secretHex));
  const signaling = new SignalingClient({ url: url() });
  clientSignaling = signaling;
  const peers = new RtcPeers({ signaling, room: clientRoom, gridSecret: hexToBytes(opts.secretHex) });
  const clients = new WeakMap<Rpc, StorageApi>();
  const inner: StorageBroker = {
    servers: () => signaling.peers(clientRoom).map((nodeId) => ({ nodeId })),
    async connect(nodeId, o) {
      const rpc = await peers.connect(nodeId as string, o);
      let api = clients.get(rpc);
      if (api === undefined) clients.set(rpc, (api = storageClient(rpc)));
      return api;
    },
  };
  reputation = new PeerReputation({ clock: realClock });
  client = new GridClient(
    { broker: reputableBroker(inner, reputation), clock: realClock, runner: createInThreadRunner() },
    { k: opts.k, happy: opts.happy, n: opts.n, segmentSize: 64 * 1024, leaseSecret: new Uint8Array(32).fill(1), convergenceSecret: crypto.getRandomValues(new Uint8Array(32)), requestTimeoutMs: opts.requestTimeoutMs },
  );
  return signaling.peerId;
}

/** Resolves once the client sees `count` peers in the room. */
export async function waitForServers(count: number): Promise<void> {
  while (clientSignaling!.peers(clientRoom).length < count) await realClock.sleep(20, { signal: AbortSignal.timeout(30_000) });
}

/** Uploads `size` pseudo-random bytes; returns the file's index. */
export async function upload(size: number, seed: number): Promise<number> {
  let x = seed;
  const data = Uint8Array.from({ length: size }, () => (x = (x * 1664525 + 1013904223) >>> 0) >>> 24);
  const { cap } = await client!.upload(bytesFileSource(data), { signal: AbortSignal.timeout(30_000) });
  files.push({ cap, data });
  return files.length - 1;
}

/** Downloads file `index`: whether the bytes were exactly the file, or the error's name. */
export async function download(index: number): Promise<{ exact: boolean; error?: string }> {
  const f = files[index]!;
  try {
    const parts: Uint8Array[] = [];
    for await (const part of client!.download(f.cap, { signal: AbortSignal.timeout(30_000) })) parts.push(part);
    return { exact: equalBytes(concatBytes(...parts), f.data) };
  } catch (error) {
    return { exact: false, error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
  }
}

export function reputationOf(peerIds: string[]): { avoided: string[]; records: PeerRecord[] } {
  return { avoided: reputation!.avoided(), records: peerIds.map((p) => reputation!.report(p)) };
}

declare global {
  interface BricHarness {
    hostile: typeof import('./hostile.js');
  }
}
