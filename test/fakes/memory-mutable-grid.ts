/**
 * The memory grid with mutable slots (extends test/fakes/memory-grid.ts without changing it): each
 * node also runs a MutableSlotServer over a MemorySlotStore, sharing the node's capacity, reached
 * through Rpc over its own MemoryLink pair (serveMutable/mutableClient), with per-node faults
 * (broken, hung, rewritten replies, a pause before writes) and counters. It is a SlotBroker and
 * a StorageBroker, so one grid serves the mutable client, directories and immutable snapshots.
 * @module
 */
import { createMemoryLinkPair } from '../../src/adapters/memory/memory-link.js';
import { MemorySlotStore } from '../../src/adapters/memory/memory-slot-store.js';
import type { NodeId, ServerDescriptor, StorageBroker } from '../../src/core/grid/broker.js';
import type { SlotBroker } from '../../src/core/mutable/broker.js';
import type { StorageApi } from '../../src/core/storage/api.js';
import type { MutableSlotApi, SlotSecrets } from '../../src/core/storage/mutable-api.js';
import { MutableSlotServer } from '../../src/core/storage/mutable-slot-server.js';
import { mutableClient, serveMutable } from '../../src/core/storage/mutable-wire.js';
import { createRpc, type RpcPeer } from '../../src/core/wire/rpc.js';
import type { FakeClock } from './fake-clock.js';
import { MemoryGrid, type MemoryGridInit, type MemoryNode } from './memory-grid.js';

type SlotMethod = keyof MutableSlotApi;
const SLOT_METHODS: SlotMethod[] = ['slotReadv', 'slotTestvAndReadvAndWritev', 'addSlotLease', 'adviseCorruptSlotShare'];

export interface SlotFaults {
  /** Every slot request fails (a dead transport). */
  broken: boolean;
  /** Until this FakeClock time the node answers no slot request; null: not hung. */
  hungUntil: number | null;
  /** Rewrites each share of a slotReadv answer (corruption in flight or on disk). */
  corruptRead: ((shareNum: number, data: Uint8Array) => Uint8Array) | null;
  /** Awaited before a test-and-set runs, with its secrets (lets a test interleave two writers precisely). */
  beforeWrite: ((secrets: SlotSecrets) => Promise<void>) | null;
}

export class MemorySlotNode {
  readonly store = new MemorySlotStore();
  readonly server: MutableSlotServer;
  readonly faults: SlotFaults = { broken: false, hungUntil: null, corruptRead: null, beforeWrite: null };
  readonly calls = Object.fromEntries(SLOT_METHODS.map((m) => [m, 0])) as Record<SlotMethod, number>;
  #rpcs: [RpcPeer, RpcPeer] | undefined;
  #client: MutableSlotApi | undefined;

  constructor(
    readonly node: MemoryNode,
    readonly clock: FakeClock,
    capacityBytes: number,
  ) {
    const signal = new AbortController().signal;
    this.server = new MutableSlotServer(
      {
        store: this.store,
        clock: { now: () => 1_700_000_000_000 + clock.now() },
        otherUsage: { usedBytes: async () => (await node.server.getVersion({ signal })).usedBytes },
      },
      { nodeId: node.nodeId, capacityBytes },
    );
  }

  get nodeId(): string {
    return this.node.nodeId;
  }

  /** The slot API the node serves: the real server behind faults and counters. */
  readonly api: MutableSlotApi = Object.fromEntries(SLOT_METHODS.map((m) => [m, (...args: unknown[]) => this.#answer(m, args)])) as unknown as MutableSlotApi;

  /** A client of this node over rpc (one connection, reopened if it closed). */
  client(): MutableSlotApi {
    if (this.#client === undefined || this.#rpcs === undefined || this.#rpcs[0].closed) {
      const [a, b] = createMemoryLinkPair({ latency: 0 });
      const clientRpc = createRpc({ link: a, clock: this.clock });
      const serverRpc = createRpc({ link: b, clock: this.clock });
      serveMutable(serverRpc, this.api);
      this.#rpcs = [clientRpc, serverRpc];
      this.#client = mutableClient(clientRpc);
    }
    return this.#client;
  }

  close(): void {
    this.#rpcs?.forEach((r) => r.close('the test grid closed'));
  }

  async #answer(method: SlotMethod, args: unknown[]): Promise<unknown> {
    this.calls[method]++;
    const opts = args[args.length - 1] as { signal: AbortSignal };
    const f = this.faults;
    if (f.broken) throw new Error(`${this.nodeId} is unreachable`);
    if (f.hungUntil !== null && f.hungUntil > this.clock.now()) await this.clock.sleep(f.hungUntil - this.clock.now(), opts);
    if (method === 'slotTestvAndReadvAndWritev' && f.beforeWrite !== null) await f.beforeWrite(args[1] as SlotSecrets);
    const result = await (this.server[method] as (...a: unknown[]) => Promise<unknown>).apply(this.server, args);
    if (method === 'slotReadv' && f.corruptRead !== null) {
      const read = result as Map<number, Uint8Array[]>;
      return new Map([...read].map(([n, parts]) => [n, parts.map((p) => f.corruptRead!(n, p.slice()))]));
    }
    return result;
  }
}

export interface MemoryMutableGridInit extends MemoryGridInit {}

export class MemoryMutableGrid implements SlotBroker, StorageBroker {
  readonly grid: MemoryGrid;
  readonly slots: MemorySlotNode[];

  constructor(init: MemoryMutableGridInit = {}) {
    this.grid = new MemoryGrid(init);
    this.slots = this.grid.nodes.map((node, i) => {
      const cap = init.capacityBytes;
      const bytes = typeof cap === 'number' ? cap : (cap?.[i] ?? 64 * 1024 * 1024);
      return new MemorySlotNode(node, this.grid.clock, bytes);
    });
  }

  get clock(): FakeClock {
    return this.grid.clock;
  }

  slotNode(id: NodeId): MemorySlotNode {
    const found = this.slots.find((s) => s.nodeId === id);
    if (found === undefined) throw new Error(`no node ${String(id)}`);
    return found;
  }

  servers(): ServerDescriptor[] {
    return this.grid.servers();
  }

  connect(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<StorageApi> {
    return this.grid.connect(nodeId, opts);
  }

  async connectSlots(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<MutableSlotApi> {
    opts.signal.throwIfAborted();
    const slot = this.slotNode(nodeId);
    if (!slot.node.online) throw new Error(`${slot.nodeId} is not online`);
    return slot.client();
  }

  /** Slot requests received by every node, by method. */
  total(method: SlotMethod): number {
    return this.slots.reduce((sum, s) => sum + s.calls[method], 0);
  }

  close(): void {
    this.grid.close();
    for (const s of this.slots) s.close();
  }
}
