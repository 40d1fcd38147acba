/**
 * A whole grid in one process (STYLE.md house style 16; Tahoe's test/no_network.py): N nodes,
 * each a real StorageServer over a MemoryShareStore, reached through Rpc over a MemoryLink, with
 * faults per node (broken, hung until a time, latency, corrupted replies, dropped connections)
 * and counters, plus a StorageBroker over them. Time is a FakeClock: nothing waits for real.
 * @module
 */
import { MemoryShareStore } from '../../src/adapters/memory/memory-share-store.js';
import type { NodeId, ServerDescriptor, StorageBroker } from '../../src/core/grid/broker.js';
import type { StorageApi } from '../../src/core/storage/api.js';
import { StorageServer } from '../../src/core/storage/server.js';
import { FakeClock } from './fake-clock.js';
import { createMemoryLinkPair, type MemoryLink } from '../../src/adapters/memory/memory-link.js';
import { serveStorage, storageClient } from '../../src/core/storage/wire.js';
import { createRpc, type RpcPeer } from '../../src/core/wire/rpc.js';

type Method = keyof StorageApi;
const METHODS: Method[] = [
  'getVersion',
  'allocateBuckets',
  'writeShare',
  'closeShare',
  'abortShare',
  'listShares',
  'readShare',
  'addLease',
  'adviseCorruptShare',
];

export interface NodeFaults {
  /** The transport is dead without having noticed: every request fails with PeerClosedError. */
  broken: boolean;
  /** Until this FakeClock time the node answers nothing (a hung tab); null: not hung. */
  hungUntil: number | null;
  /** The methods hungUntil holds; null: every method. */
  hungMethods: Method[] | null;
  /** Delay of every request, in FakeClock ms. */
  latencyMs: number;
  /** Rewrites readShare replies (corruption in flight or on disk); null: honest replies. */
  corruptRead: ((shareNum: number, offset: number, data: Uint8Array) => Uint8Array) | null;
  /** Fails this method once it has been called this many times (then loses the connection). */
  dropAfter: { method: Method; calls: number } | null;
}

export class MemoryNode {
  readonly store = new MemoryShareStore();
  readonly server: StorageServer;
  readonly faults: NodeFaults = { broken: false, hungUntil: null, hungMethods: null, latencyMs: 0, corruptRead: null, dropAfter: null };
  /** Requests received, by method (counted when they reach the node, before faults). */
  readonly calls = Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<Method, number>;
  /** Bytes of share data received by writeShare. */
  bytesWritten = 0;
  /** Requests being answered right now, and the most at once. */
  inFlight = 0;
  maxInFlight = 0;
  /** Present in the broker's list (a closed tab is not). */
  online = true;
  /** availableBytes this node announces in the broker's list (as presence would); undefined: none. */
  announcedBytes: number | undefined = undefined;
  connects = 0;
  /** The current connection to this node (one client per grid). */
  connection: Connection | undefined;

  constructor(
    readonly nodeId: string,
    readonly clock: FakeClock,
    capacityBytes: number,
    /** Requests in flight on the whole grid, by method, and the most at once. */
    private readonly gridLoad: GridLoad = newGridLoad(),
  ) {
    this.server = new StorageServer({ store: this.store, clock: { now: () => 1_700_000_000_000 + clock.now() } }, { nodeId, capacityBytes });
  }

  /** The StorageApi the node serves: the real server behind the fault injection and counters. */
  readonly api: StorageApi = Object.fromEntries(
    METHODS.map((method) => [method, (...args: unknown[]) => this.answer(method, args)]),
  ) as unknown as StorageApi;

  /** Loses the connection abruptly, as when the tab's network drops. */
  drop(): void {
    this.connection?.drop();
  }

  /** Makes the transport dead without either end noticing (requests fail with PeerClosedError). */
  setBroken(broken: boolean): void {
    this.faults.broken = broken;
    this.connection?.setBroken(broken);
  }

  /** The tab closes: gone from presence, connection lost. */
  kill(): void {
    this.online = false;
    this.drop();
  }

  /** Share numbers this node holds (closed) for a storage index. */
  async sharesOf(storageIndex: Uint8Array): Promise<number[]> {
    return this.server.listShares(storageIndex, { signal: new AbortController().signal });
  }

  private async answer(method: Method, args: unknown[]): Promise<unknown> {
    this.calls[method]++;
    const opts = args[args.length - 1] as { signal: AbortSignal };
    const load = this.gridLoad;
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    load.inFlight[method]++;
    load.maxInFlight[method] = Math.max(load.maxInFlight[method], load.inFlight[method]);
    try {
      const f = this.faults;
      if (f.latencyMs > 0) await this.clock.sleep(f.latencyMs, opts);
      const hung = f.hungUntil !== null && f.hungUntil > this.clock.now() && (f.hungMethods === null || f.hungMethods.includes(method));
      if (hung && f.hungUntil !== null) await this.clock.sleep(f.hungUntil - this.clock.now(), opts);
      if (f.dropAfter !== null && f.dropAfter.method === method && this.calls[method] > f.dropAfter.calls) {
        this.drop();
        throw new Error('connection lost');
      }
      if (method === 'writeShare') this.bytesWritten += (args[3] as Uint8Array).length;
      const result = await (this.server[method] as (...a: unknown[]) => Promise<unknown>).apply(this.server, args);
      if (method === 'readShare' && f.corruptRead !== null) {
        return f.corruptRead(args[1] as number, args[2] as number, (result as Uint8Array).slice());
      }
      return result;
    } finally {
      this.inFlight--;
      load.inFlight[method]--;
    }
  }
}

export interface GridLoad {
  inFlight: Record<Method, number>;
  maxInFlight: Record<Method, number>;
}

function newGridLoad(): GridLoad {
  const zero = (): Record<Method, number> => Object.fromEntries(METHODS.map((m) => [m, 0])) as Record<Method, number>;
  return { inFlight: zero(), maxInFlight: zero() };
}

export interface MemoryGridInit {
  /** Nodes in the grid. @default 10 */
  nodes?: number;
  /** Capacity of each node (a number for all, or per node). @default 64 MiB */
  capacityBytes?: number | readonly number[];
  /** A clock to share; a new FakeClock by default. */
  clock?: FakeClock;
}

export class MemoryGrid implements StorageBroker {
  readonly clock: FakeClock;
  readonly nodes: MemoryNode[];
  /** Connections opened through connect(), all nodes together. */
  connects = 0;
  /** Requests in flight on the whole grid, by method, and the most at once. */
  readonly load: GridLoad = newGridLoad();

  constructor(init: MemoryGridInit = {}) {
    this.clock = init.clock ?? new FakeClock();
    const count = init.nodes ?? 10;
    this.nodes = Array.from({ length: count }, (_, i) => {
      const cap = init.capacityBytes;
      const bytes = typeof cap === 'number' ? cap : (cap?.[i] ?? 64 * 1024 * 1024);
      return new MemoryNode(`node-${String(i).padStart(2, '0')}`, this.clock, bytes, this.load);
    });
  }

  node(id: NodeId): MemoryNode {
    const node = this.nodes.find((n) => n.nodeId === id);
    if (node === undefined) throw new Error(`no node ${String(id)}`);
    return node;
  }

  servers(): ServerDescriptor[] {
    return this.nodes
      .filter((n) => n.online)
      .map((n) => ({ nodeId: n.nodeId, nickname: n.nodeId, availableBytes: n.announcedBytes }));
  }

  async connect(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<StorageApi> {
    opts.signal.throwIfAborted();
    const node = this.node(nodeId);
    if (!node.online) throw new Error(`${node.nodeId} is not online`);
    if (node.connection === undefined || node.connection.closed) {
      node.connection = connectOverRpc(node, this.clock);
      node.connects++;
      this.connects++;
    }
    return node.connection.client;
  }

  /** Sum of a counter over every node. */
  total(method: Method): number {
    return this.nodes.reduce((sum, n) => sum + n.calls[method], 0);
  }

  /** Bytes held or reserved on every node (closed shares and pending allocations). */
  async usedBytes(): Promise<number[]> {
    const signal = new AbortController().signal;
    return Promise.all(this.nodes.map(async (n) => (await n.server.getVersion({ signal })).usedBytes));
  }

  bytesWritten(): number {
    return this.nodes.reduce((sum, n) => sum + n.bytesWritten, 0);
  }

  /** Closes every connection. */
  close(): void {
    for (const n of this.nodes) n.connection?.close();
  }
}

/** One client's connection to one node: a MemoryLink pair with an Rpc at each end. */
interface Connection {
  readonly client: StorageApi;
  readonly closed: boolean;
  readonly links: readonly [MemoryLink, MemoryLink];
  readonly rpcs: readonly [RpcPeer, RpcPeer];
  drop(): void;
  setBroken(broken: boolean): void;
  close(): void;
}

/**
 * The node's StorageApi served over rpc on one end of a MemoryLink pair, storageClient on the
 * other. The link itself has no latency (MemoryLink's latency uses real timers); latency and
 * hangs are injected at the node on the fake clock instead, so nothing waits for real.
 */
function connectOverRpc(node: MemoryNode, clock: FakeClock): Connection {
  const [clientLink, serverLink] = createMemoryLinkPair({ latency: 0 });
  const serverRpc = createRpc({ link: serverLink, clock });
  serveStorage(serverRpc, node.api);
  const clientRpc = createRpc({ link: clientLink, clock });
  const connection: Connection = {
    client: storageClient(clientRpc),
    get closed() {
      return clientRpc.closed;
    },
    links: [clientLink, serverLink],
    rpcs: [clientRpc, serverRpc],
    drop() {
      clientLink.drop();
    },
    setBroken(broken: boolean) {
      clientLink.broken = broken;
      serverLink.broken = broken;
    },
    close() {
      clientRpc.close('the test grid closed');
      serverRpc.close('the test grid closed');
    },
  };
  connection.setBroken(node.faults.broken);
  return connection;
}
