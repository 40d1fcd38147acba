/**
 * The StorageBroker and SlotBroker of a tab (core/grid/broker.ts, core/mutable/broker.ts): the
 * servers are this tab's own node plus the peers present in the grid's room (or linked);
 * connect() returns the local StorageServer for ourselves and a storageClient over the peer's Rpc
 * otherwise (with write-behind), connectSlots() the local MutableSlotServer or a mutableClient
 * over the same Rpc, dialling on demand. Server ids are
 * signaling peer ids, which are stable per node (node.ts derives them from the node identity), so
 * a node keeps its place on every file's permuted ring across reloads.
 * @module
 */
import type { RtcPeers } from '../adapters/rtc/peers.js';
import type { NodeId, ServerDescriptor, StorageBroker } from '../core/grid/broker.js';
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
  /** One client per Rpc: a reconnect gets a new Rpc and so a new client. */
  readonly #clients = new WeakMap<Rpc, StorageApi>();
  readonly #slotClients = new WeakMap<Rpc, MutableSlotApi>();
  /** Our own node, with write-behind too: its IndexedDB writes need not hold up the next segment. */
  readonly #local: StorageApi;

  constructor(components: GridBrokerComponents) {
    this.#c = components;
    this.#local = writeBehind(components.local, { windowBytes: APP_WRITE_BEHIND_BYTES, timeoutMs: GRID_REQUEST_TIMEOUT_MS, copy: true });
  }

  servers(): ServerDescriptor[] {
    const self = this.#c.peers.peerId;
    const ids = new Set([self, ...this.#c.present(), ...this.#c.peers.connectedPeers()]);
    return [...ids].map((nodeId) => {
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
    const rpc = await this.#c.peers.connect(peer, opts);
    let client = this.#clients.get(rpc);
    if (client === undefined) {
      const measured = this.#c.instrument?.(storageClient(rpc)) ?? storageClient(rpc);
      const remote = writeBehind(measured, { windowBytes: APP_WRITE_BEHIND_BYTES, timeoutMs: GRID_REQUEST_TIMEOUT_MS });
      client = touching(remote, () => this.#c.touch(peer));
      this.#clients.set(rpc, client);
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
