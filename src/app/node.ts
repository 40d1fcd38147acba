/**
 * The composition root: makes this tab a storage node and a client of one grid. Node identity
 * from IndexedDB (claimed with Web Locks), the IndexedDB share and slot stores under a
 * StorageServer and a MutableSlotServer sharing the person's capacity, the signaling client in the
 * grid's room, proven WebRTC links (RtcPeers) kept by the LinkKeeper, serveStorage and
 * serveMutable on every link, the GridBroker for the grid client, the worker pool as its
 * SegmentRunner, the LeaseCollector, and repair of this person's uploads (durability.ts).
 * Everything the UI needs goes through BricNode (node-api.ts).
 * @module
 */
import { openGridDB } from '../adapters/idb/schema.js';
import { IdbLibraryStore } from '../adapters/idb/library-store.js';
import { IdbShareStore } from '../adapters/idb/share-store.js';
import { IdbSlotStore } from '../adapters/idb/slot-store.js';
import { claimNodeIdentity } from '../adapters/idb/node-identity.js';
import { realClock } from '../adapters/rtc/clock.js';
import { RtcPeers } from '../adapters/rtc/peers.js';
import { SignalingClient, type SignalingEvent } from '../adapters/rtc/signaling-client.js';
import { createCodecPool } from '../adapters/worker/codec-pool.js';
import { GridClient } from '../core/grid/client.js';
import type { StorageApi } from '../core/storage/api.js';
import { estimateDefaultCapacity } from '../core/storage/capacity.js';
import { LeaseCollector } from '../core/storage/lease-collector.js';
import { MutableSlotServer } from '../core/storage/mutable-slot-server.js';
import { serveMutable } from '../core/storage/mutable-wire.js';
import { NodeCapacity } from '../core/storage/node-capacity.js';
import { StorageServer } from '../core/storage/server.js';
import { serveStorage } from '../core/storage/wire.js';
import { cleanNickname, SpaceAnnouncer } from './announce.js';
import { GridBroker, touching } from './broker.js';
import { Durability, type NodeDurability } from './durability.js';
import { NodeStartError } from './errors.js';
import type { LibraryStore } from './library.js';
import { LinkKeeper } from './link-keeper.js';
import { roomIdOf, type OpenedLink } from './links.js';
import type { BricNode, NodeServices, NodeSnapshot, PeerView } from './node-api.js';
import { deriveNodeKey } from '../core/wire/node-key.js';
import { DEFAULT_ENCODING, loadCapacity, loadEncoding, loadNickname, loadPersonSecrets, saveCapacity, saveEncoding, saveNickname, type Encoding } from './settings.js';
import { timedRunner, timedStorage, type NodeStats } from './stats.js';
import { makeTransfers } from './transfers.js';

/** Storage calls that change what the node holds: node-used is read again after each. */
const CHANGES_USED = new Set(['allocateBuckets', 'closeShare', 'abortShare', 'addLease', 'slotTestvAndReadvAndWritev']);

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

function requireFeatures(): void {
  const missing: string[] = [];
  if (typeof indexedDB === 'undefined') missing.push('IndexedDB');
  if (typeof RTCPeerConnection === 'undefined') missing.push('WebRTC');
  if (typeof WebSocket === 'undefined') missing.push('WebSocket');
  if (typeof Worker === 'undefined') missing.push('Web Workers');
  if (typeof navigator === 'undefined' || navigator.locks === undefined) missing.push('Web Locks');
  if (missing.length > 0) throw new NodeStartError(`this browser lacks ${missing.join(', ')}, which a storage node needs`);
}

/** What node.ts gives beyond BricNode: the bench's timings, and repair (not yet in node-api.ts). */
export interface NodeExtras {
  stats(): NodeStats;
  readonly durability: NodeDurability;
}

/** The person's files list in this browser (IndexedDB), for the facade: the UI never reaches the adapters. */
export function openLibrary(): Promise<LibraryStore> {
  return IdbLibraryStore.open();
}

/** Starts this tab's node in the grid `opened` names. */
export async function startNode(opened: OpenedLink, opts: { signal: AbortSignal }): Promise<BricNode & NodeExtras> {
  requireFeatures();
  const { grid } = opened;
  const stats: NodeStats = {};
  const listeners = new Set<(s: NodeSnapshot) => void>();
  let problem: string | undefined;
  let db;
  try {
    db = await openGridDB({
      onBlocking: () => (problem = 'a newer bric opened in another tab: reload this one'),
      onTerminated: () => (problem = 'the browser closed this node’s storage: reload the tab'),
    });
  } catch (error) {
    throw new NodeStartError(`IndexedDB could not be opened (private browsing, or storage turned off?): ${(error as Error).message}`, { cause: error });
  }
  const claimed = await claimNodeIdentity({ db }, { signal: opts.signal });
  const nodeId = claimed.identity.nodeId;
  const store = await IdbShareStore.open(db, { nodeId }, opts);
  const slotStore = await IdbSlotStore.open(db, { nodeId }, opts);
  void navigator.storage?.persist?.().catch(() => false); // asked for; headless Chromium says no (NOTES)
  const capacity = (await loadCapacity(db, nodeId)) ?? estimateDefaultCapacity((await navigator.storage?.estimate?.().catch(() => undefined)) ?? {});
  // One capacity for both: each server counts the other's bytes before it takes more.
  const wallClock = { now: () => Date.now() };
  const nodeCapacity = new NodeCapacity(capacity);
  const server = new StorageServer({ store, clock: wallClock, otherUsage: slotStore, capacity: nodeCapacity }, { nodeId });
  const slotServer = new MutableSlotServer({ store: slotStore, clock: wallClock, otherUsage: store, capacity: nodeCapacity }, { nodeId });
  const life = new AbortController();
  const secrets = await loadPersonSecrets(db, randomBytes);

  const version = await server.getVersion(opts);
  let usedBytes = version.usedBytes;
  let nickname = (await loadNickname(db)) ?? '';
  let encoding: Encoding = (await loadEncoding(db)) ?? DEFAULT_ENCODING;
  const about = (available: number) => ({ availableBytes: available, capacityBytes: server.capacityBytes, usedBytes, nickname });
  const announcer = new SpaceAnnouncer(about(version.availableBytes));
  let joined = false;
  let signalingState: 'connecting' | 'up' | 'down' = 'connecting';
  let snapshot: NodeSnapshot;

  const room = roomIdOf(grid);
  // The peer id names the node's signing key, so a relay that rewrites SDP cannot sit between peers.
  const nodeKey = deriveNodeKey(claimed.identity.seed);
  const signaling = new SignalingClient({ url: `${location.origin.replace(/^http/, 'ws')}/signal`, peerId: nodeKey.peerId, nodeKey });
  const peers = new RtcPeers({ signaling, room, gridSecret: grid.secret, nodeKey });
  // The broker (made below) keeps the reputation; until then nobody is avoided.
  let avoided = (_peer: string): boolean => false;
  const keeper = new LinkKeeper(peers, signaling, room, { avoid: (p) => avoided(p) });

  const peerViews = (): PeerView[] => {
    const connected = new Set(peers.connectedPeers());
    const ids = [...new Set([...signaling.peers(room), ...connected])].sort();
    return ids.map((id) => {
      const heard = announcer.heardAbout(id);
      return { id, state: connected.has(id) ? 'connected' : 'present', ...heard };
    });
  };
  const emit = (): void => {
    snapshot = {
      nodeId,
      peerCount: keeper.connectedCount(),
      presentCount: signaling.peers(room).length,
      usedBytes,
      capacityBytes: server.capacityBytes,
      joined,
      ...(problem === undefined ? {} : { problem }),
      signaling: signalingState,
      peers: peerViews(),
      nickname,
      encoding,
    };
    for (const l of [...listeners]) l(snapshot);
  };
  let refreshing = false;
  const refreshUsed = (): void => {
    if (refreshing) return;
    refreshing = true;
    queueMicrotask(() => {
      refreshing = false;
      server.getVersion({ signal: AbortSignal.timeout(10_000) }).then((v) => {
        const changed = v.usedBytes !== usedBytes;
        usedBytes = v.usedBytes;
        announcer.updateAbout(about(v.availableBytes));
        if (changed) emit();
      }, () => undefined);
    });
  };
  // The node as peers and this tab's own uploads see it: timed, and node-used follows each change.
  const observed = <T extends object>(api: T): T =>
    new Proxy(api, {
      get(target, key, receiver) {
        const value: unknown = Reflect.get(target, key, receiver);
        if (typeof value !== 'function') return value;
        return (...args: unknown[]) => {
          const result = (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (typeof key === 'string' && CHANGES_USED.has(key)) result.then(refreshUsed, refreshUsed);
          return result;
        };
      },
    });
  const local = observed(timedStorage(server, stats, 'served'));
  const localSlots = observed(slotServer);

  peers.onPeer((peer, rpc) => {
    // A peer avoided after repeated faults is not served either: its link closes at once.
    if (avoided(peer)) return rpc.close('this peer is avoided after repeated faults');
    serveStorage(rpc, touching(local, () => keeper.touch(peer)));
    serveMutable(rpc, touching(localSlots, () => keeper.touch(peer)));
    announcer.addLink(peer, rpc);
  });
  const offSignaling = signaling.on((e: SignalingEvent) => {
    if (e.type === 'joined' && e.room === room) joined = true;
    if (e.type === 'down') {
      problem = `lost the signaling server (${e.reason}); trying again in ${Math.ceil(e.retryInMs / 1000)} s`;
      signalingState = 'down';
    }
    if (e.type === 'open') {
      problem = undefined;
      signalingState = 'up';
    }
    emit();
  });
  keeper.onChange(emit);
  announcer.onChange(emit);

  const runner = timedRunner(createCodecPool(), stats);
  // Starting a module worker takes ~100 ms: an upload or restore starts one while it hashes the
  // file or finds shares, rather than before its first segment. Storage-only tabs never start one.
  let warmed = false;
  const warmUpRunner = (): void => {
    if (warmed) return;
    warmed = true;
    void runner.hashBlocks({ blocks: [new Uint8Array(1)] }, { signal: AbortSignal.timeout(30_000) }).catch(() => (warmed = false));
  };
  const broker = new GridBroker({
    peers,
    present: () => signaling.peers(room),
    local,
    localSlots,
    touch: (p) => keeper.touch(p),
    instrument: (api) => timedStorage(api, stats, 'peer'),
    availableBytes: (p) => (p === peers.peerId ? Math.max(0, server.capacityBytes - usedBytes) : announcer.heard(p)),
  });
  avoided = (p) => broker.reputation.avoid(p);
  // The person's encoding (settings): a new client when it changes, so every upload uses the latest.
  const makeClient = (e: Encoding): GridClient =>
    new GridClient(
      { broker, clock: realClock, runner, randomBytes },
      { k: e.k, happy: e.happy, n: e.n, leaseSecret: secrets.leaseSecret, convergenceSecret: secrets.convergenceSecret },
    );
  let client = makeClient(encoding);
  const collector = new LeaseCollector({ servers: [server, slotServer], clock: realClock }, { onCollected: refreshUsed });
  void collector.run({ signal: life.signal });
  // Repair aims at the person's happiness as it is when the node starts.
  const durability = new Durability({ broker, clock: realClock, runner }, { leaseSecret: secrets.leaseSecret, room, signal: life.signal, happy: encoding.happy });

  const joinedOnce = (signal: AbortSignal): Promise<void> => {
    if (joined) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const off = signaling.on((e) => {
        if (e.type === 'joined' && e.room === room) (off(), resolve());
      });
      signal.addEventListener('abort', () => (off(), reject(signal.reason)), { once: true });
    });
  };

  emit();
  const node: BricNode & NodeExtras = {
    grid,
    snapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async setCapacity(bytes, o) {
      o.signal.throwIfAborted();
      await saveCapacity(db, nodeId, bytes);
      nodeCapacity.set(bytes); // both servers store under it
      refreshUsed(); // announces the new free space
      emit();
    },
    async setNickname(name, o) {
      o.signal.throwIfAborted();
      nickname = cleanNickname(name);
      await saveNickname(db, nickname);
      refreshUsed();
      announcer.updateAbout(about(Math.max(0, server.capacityBytes - usedBytes)));
      emit();
    },
    async setEncoding(next, o) {
      o.signal.throwIfAborted();
      const made = makeClient(next); // throws RangeError before anything is saved
      await saveEncoding(db, next);
      encoding = { k: next.k, happy: next.happy, n: next.n };
      client = made;
      emit();
    },
    upload: (file, o) => transfers.upload(file, o),
    restore: (cap, o) => transfers.restore(cap, o),
    resumePending: (o) => transfers.resumePending(o),
    close() {
      life.abort();
      offSignaling();
      keeper.close();
      peers.close();
      signaling.close();
      runner.close();
      claimed.release();
      db.close();
    },
    stats: () => ({ ...stats }),
    durability,
    services: {
      grid,
      nodeId,
      get client() {
        return client;
      },
      broker,
      runner,
      clock: realClock,
      secrets,
      db: db as unknown as NodeServices['db'],
      durability,
      encoding: () => encoding,
      joined: joinedOnce,
      warmUp: warmUpRunner,
    },
  };

  const transfers = makeTransfers({ services: node.services!, stats, isJoined: () => joined });
  // A debugging handle (and the bench's window onto where the time goes).
  (globalThis as { bricNode?: unknown }).bricNode = node;
  return node;
}
