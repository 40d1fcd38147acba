/**
 * Uploading an immutable file (Tahoe's immutable/upload.py): prepare (key, storage index, exact
 * share size) → select servers (happiness checked before any data flows) → encode, writing each
 * share's blocks to its servers → close every share → the readcap. A server lost on the way is
 * dropped while happiness still holds; otherwise every allocation is aborted and the upload fails.
 * @module
 */
import type { ChkReadCap } from '../cap/types.js';
import { encodeImmutable, prepareImmutable, type Keying, type PreparedImmutable } from '../immutable/encode.js';
import type { SegmentRunner } from '../immutable/runner.js';
import type { FileSource, ShareWriter } from '../immutable/source.js';
import type { StorageBroker } from './broker.js';
import { withDeadline, type Clock } from './clock.js';
import { describeUnhappiness, UploadUnhappinessError } from './errors.js';
import { abortAllocations, type PlacedServer, type Placement } from './placement.js';
import { selectServers } from './select.js';

export interface UploadComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
  readonly runner: SegmentRunner;
}

export interface UploadConfig {
  readonly k: number;
  readonly happy: number;
  readonly n: number;
  readonly segmentSize: number;
  readonly leaseSecret: Uint8Array;
  readonly keying: Keying;
  /** Segments in flight in the encoder (memory ≈ segment size × depth × N/k). */
  readonly pipelineDepth?: number;
  /** Allocation requests in flight during server selection. */
  readonly placementConcurrency: number;
  /** Time one server has to answer one request (connect, allocate, write, close). */
  readonly requestTimeoutMs: number;
}

export interface UploadOptions {
  signal: AbortSignal;
  /**
   * Progress over every pass the upload makes over the file: `total` is the file size, twice in
   * convergent mode (one pass to hash the key, one to encode and send).
   */
  onProgress?(bytesDone: number, total: number): void;
}

/** Where the shares went. */
export interface UploadReport {
  readonly cap: ChkReadCap;
  /** Servers-of-happiness of the shares as closed. */
  readonly happiness: number;
  /** Per server that holds shares of the file now: its name and share numbers. */
  readonly servers: readonly { readonly name: string; readonly shares: readonly number[] }[];
}

/** Finds servers for a prepared file's shares on the permuted ring, to the config's happiness. */
export function placeShares(broker: StorageBroker, clock: Clock, config: UploadConfig, prepared: PreparedImmutable, signal: AbortSignal): Promise<Placement> {
  return selectServers(
    broker,
    clock,
    {
      storageIndex: prepared.storageIndex,
      shareSize: prepared.shareSize,
      n: prepared.params.n,
      happy: config.happy,
      leaseSecret: config.leaseSecret,
      concurrency: config.placementConcurrency,
      timeoutMs: config.requestTimeoutMs,
    },
    { signal },
  );
}

/** Uploads a file (bigger than a LIT cap holds) to the grid. */
export async function uploadImmutable(
  components: UploadComponents,
  config: UploadConfig,
  source: FileSource,
  opts: UploadOptions,
): Promise<UploadReport> {
  const { broker, clock, runner } = components;
  const { signal } = opts;
  signal.throwIfAborted();
  const passes = 'convergenceSecret' in config.keying ? 2 : 1;
  const total = source.size * passes;
  const prepared = await prepareImmutable(source, { k: config.k, n: config.n, segmentSize: config.segmentSize }, config.keying, {
    signal,
    onProgress: passes === 2 ? (done) => opts.onProgress?.(done, total) : undefined,
  });
  const placement = await placeShares(broker, clock, config, prepared, signal);

  const session = new UploadSession(placement, broker, clock, config, prepared.shareSize, signal);
  try {
    const cap = await encodeImmutable(prepared, source, runner, session.writer, {
      signal,
      pipelineDepth: config.pipelineDepth,
      onProgress: (done) => opts.onProgress?.(source.size * (passes - 1) + done, total),
    });
    await session.closeAll();
    return {
      cap,
      happiness: placement.happiness(),
      servers: placement.servers
        .map((p) => ({ name: p.name, shares: [...new Set([...p.allocated, ...p.alreadyHave])].sort((a, b) => a - b) }))
        .filter((s) => s.shares.length > 0),
    };
  } catch (error) {
    await session.abortOpen();
    throw session.failure ?? error;
  }
}

/** The state of one upload's writes: which servers are still with us, what is closed. */
class UploadSession {
  /** The first unhappiness met; every later write fails with it. */
  failure: UploadUnhappinessError | undefined;
  private readonly closed = new Map<PlacedServer, Set<number>>();
  /** Servers lost since placement. */
  private lost = 0;
  readonly writer: ShareWriter;

  constructor(
    private readonly placement: Placement,
    private readonly broker: StorageBroker,
    private readonly clock: Clock,
    private readonly config: UploadConfig,
    private readonly shareSize: number,
    private readonly signal: AbortSignal,
  ) {
    this.writer = {
      write: async (shareNum, offset, data, opts) => {
        if (this.failure !== undefined) throw this.failure;
        const targets = this.placement.writersOf(shareNum);
        await Promise.all(
          targets.map((p) =>
            this.call(p, 'write', opts.signal, (s) => p.api.writeShare(this.placement.storageIndex, shareNum, offset, data, { signal: s })),
          ),
        );
      },
    };
  }

  /** Closes every allocated share on every server still with us. */
  async closeAll(): Promise<void> {
    await Promise.all(
      this.placement.writers().flatMap((p) =>
        [...p.allocated].map((shareNum) =>
          this.call(p, 'close', this.signal, async (s) => {
            await p.api.closeShare(this.placement.storageIndex, shareNum, { signal: s });
            const done = this.closed.get(p) ?? new Set<number>();
            done.add(shareNum);
            this.closed.set(p, done);
          }),
        ),
      ),
    );
    if (this.failure !== undefined) throw this.failure;
  }

  /** Aborts every allocation not closed yet, so nothing half-written stays claimed. */
  async abortOpen(): Promise<void> {
    const targets = this.placement.writers().map((p) => ({
      api: p.api,
      name: p.name,
      shares: [...p.allocated].filter((s) => !this.closed.get(p)?.has(s)),
    }));
    await abortAllocations(this.clock, this.config.requestTimeoutMs, this.placement.storageIndex, targets);
  }

  /**
   * One request to one server under a deadline. If it fails (and the upload was not cancelled)
   * the server is lost: it is dropped, and the upload goes on only while happiness holds.
   */
  private async call(p: PlacedServer, what: string, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<void>): Promise<void> {
    try {
      await withDeadline(this.clock, this.config.requestTimeoutMs, signal, `peer ${p.name}`, fn);
    } catch (error) {
      signal.throwIfAborted();
      this.lose(p, what, error);
    }
  }

  /**
   * Best effort: a lost server may be only slow, or reachable again on a new connection (the old
   * one is closed); either way it should free the space it reserved for shares we will not finish.
   */
  private async abortOnLost(p: PlacedServer, shares: number[]): Promise<void> {
    const { clock, config, placement } = this;
    try {
      const api = await withDeadline(clock, config.requestTimeoutMs, new AbortController().signal, `peer ${p.name}`, (signal) =>
        this.broker.connect(p.server.nodeId, { signal }),
      );
      await abortAllocations(clock, config.requestTimeoutMs, placement.storageIndex, [{ api, name: p.name, shares }]);
    } catch {
      // Gone for good: its pending shares go when it notices the lost connection or restarts.
    }
  }

  private lose(p: PlacedServer, what: string, cause: unknown): void {
    if (!this.placement.servers.includes(p)) return; // lost already (several calls failed at once)
    const shares = this.placement.drop(p);
    this.lost++;
    const open = shares.filter((s) => !this.closed.get(p)?.has(s));
    if (open.length > 0) void this.abortOnLost(p, open);
    const happiness = this.placement.happiness();
    if (happiness >= this.config.happy || this.failure !== undefined) return;
    const reason = cause instanceof Error ? cause.message : String(cause);
    const detail = { happiness, happy: this.config.happy, full: 0, unreachable: this.lost, known: this.placement.servers.length + this.lost };
    this.failure = new UploadUnhappinessError(
      `${describeUnhappiness(detail, this.shareSize, `after peer ${p.name} was lost during ${what} (${reason})`)}`,
      detail,
      { cause },
    );
    throw this.failure;
  }
}
