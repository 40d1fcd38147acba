/**
 * The StorageBroker and SlotBroker of a tab (core/grid/broker.ts, core/mutable/broker.ts): the
 * servers are this tab's own node plus the peers present in the grid's room (or linked);
 * connect() returns the local StorageServer for ourselves and a storageClient over the peer's Rpc
 * otherwise (with write-behind), connectSlots() the local MutableSlotServer or a mutableClient
 * over the same Rpc, dialling on demand. Server ids are
 * signaling peer ids, which are stable per node (node.ts derives them from the node identity), so
 * a node keeps its place on every file's permuted ring across reloads. Peers that misbehave
 * (bad shares, timeouts, protocol errors: core/grid/reputation.ts) are avoided for a while:
 * left out of servers(), refused by connect(), and their link closed.
 * @module
 */
import type { RtcPeers } from '../adapters/rtc/peers.js';
import type { NodeId, ServerDescriptor, StorageBroker } from '../core/grid/broker.js';
import { watchStorage } from '../core/grid/reputation-broker.js';
import { AvoidedPeerError, PeerReputation } from '../core/grid/reputation.js';
import type { SlotBroker } from '../core/mutable/broker.js';
import type { StorageApi } from '../core/storage/api.js';
import { APP_WRITE_BEHIND_BYTES, GRID_REQUEST_TIMEOUT_MS } from '../core/limits.js';
import type { MutableSlotApi } from '../core/storage/mutable-api.js';
import { mutableClient } from '../core/storage/mutable-wire.js';
import { storageClient } from '../core/storage/wire.js';
import type { Rpc } from '../core/wire/rpc-port.js';
import { writeBehind } from './write-behind.js';

export interface GridBrokerComponents {
  readonly peers: RtcPeers;
  /** Peer ids present in the grid's room now (not this tab). */
  present(): string[];
  /** This tab's node, answering locally. */
  readonly local: StorageApi;
  /** This tab's node's mutable slots, answering locally. */
  readonly localSlots: MutableSlotApi;
  /** Called with a peer id whenever this tab sends it a request (the link keeper's activity). */
  touch(peer: string): void;
  /** Free space a server announced (or ours), undefined when unknown: placement then asks. */
  availableBytes(peer: string): number | undefined;
  /** Wraps each peer's StorageApi (timing for stats). @default none */
  instrument?(api: StorageApi): StorageApi;
}

export class GridBroker implements StorageBroker, SlotBroker {
  readonly #c: GridBrokerComponents;
  /** Faults of each peer; an avoided one is left out until its time is up. */
  readonly reputation = new PeerReputation({ clock: { now: () => Date.now() } });
  /** The Rpc each peer was last reached over, to close it when the peer becomes avoided. */
  readonly #rpcs = new Map<string, Rpc>();
  /** One client per Rpc: a reconnect gets a new Rpc and so a new client. */
  readonly #clients = new WeakMap<Rpc, StorageApi>();
  readonly #slotClients = new WeakMap<Rpc, MutableSlotApi>();
  /** Our own node, with write-behind too: its IndexedDB writes need not hold up the next segment. */
  readonly #local: StorageApi;

  constructor(components: GridBrokerComponents) {
    this.#c = components;
    this.#local = writeBehind(components.local, { windowBytes: APP_WRITE_BEHIND_BYTES, timeoutMs: GRID_REQUEST_TIMEOUT_MS, copy: true });
    this.reputation.onAvoid((peer, reason) => this.#rpcs.get(peer)?.close(`avoided: ${reason}`));
  }

  servers(): ServerDescriptor[] {
    const self = this.#c.peers.peerId;
    const ids = new Set([self, ...this.#c.present(), ...this.#c.peers.connectedPeers()]);
    return [...ids].filter((nodeId) => nodeId === self || !this.reputation.avoid(nodeId)).map((nodeId) => {
      const availableBytes = this.#c.availableBytes(nodeId);
      return {
        nodeId,
        ...(nodeId === self ? { nickname: 'this tab' } : {}),
        ...(availableBytes === undefined ? {} : { availableBytes }),
      };
    });
  }

  async connect(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<StorageApi> {
    const peer = peerOf(nodeId, opts);
    if (peer === this.#c.peers.peerId) return this.#local;
    if (this.reputation.avoid(peer)) throw new AvoidedPeerError(`peer ${peer} is avoided after repeated faults (${this.reputation.report(peer).lastReason ?? ''})`);
    const rpc = await this.#c.peers.connect(peer, opts);
    let client = this.#clients.get(rpc);
    if (client === undefined) {
      const measured = this.#c.instrument?.(storageClient(rpc)) ?? storageClient(rpc);
      const remote = writeBehind(measured, { windowBytes: APP_WRITE_BEHIND_BYTES, timeoutMs: GRID_REQUEST_TIMEOUT_MS });
      client = watchStorage(touching(remote, () => this.#c.touch(peer)), peer, this.reputation);
      this.#clients.set(rpc, client);
      this.#rpcs.set(peer, rpc);
      rpc.onClose(() => this.#rpcs.get(peer) === rpc && this.#rpcs.delete(peer));
    }
    return client;
  }

  async connectSlots(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<MutableSlotApi> {
    const peer = peerOf(nodeId, opts);
    if (peer === this.#c.peers.peerId) return this.#c.localSlots;
    const rpc = await this.#c.peers.connect(peer, opts);
    let client = this.#slotClients.get(rpc);
    if (client === undefined) {
      client = touching(mutableClient(rpc), () => this.#c.touch(peer));
      this.#slotClients.set(rpc, client);
    }
    return client;
  }
}

function peerOf(nodeId: NodeId, opts: { signal: AbortSignal }): string {
  opts.signal.throwIfAborted();
  if (typeof nodeId !== 'string') throw new TypeError('"nodeId" of a grid peer is its peer id (text)');
  return nodeId;
}

/** An API (storage or slots) that calls `touch` before each call it forwards. */
export function touching<T extends object>(api: T, touch: () => void): T {
  return new Proxy(api, {
    get(target, key, receiver) {
      const value: unknown = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        touch();
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
}
