/**
 * A resumable immutable upload: the shares are written in several passes over the file, each
 * pass writing and closing its own group of shares, so an upload cut off (a tab reloaded or
 * closed) loses at most the pass under way. Run again with the same convergence secret it finds
 * the same storage index, and servers answer allocateBuckets with the shares they hold closed
 * (alreadyHave): those are not sent again. Costs one more read and encode of the file per pass;
 * the bytes sent are the same. Servers abort the pending shares of a lost connection, so a share
 * only survives an interruption once closed: the passes are what make progress durable.
 * @module
 */
import type { ChkReadCap } from '../cap/types.js';
import { encodeImmutable, prepareImmutable } from '../immutable/encode.js';
import type { FileSource, ShareWriter } from '../immutable/source.js';
import { nodeIdKey, serverName, type StorageBroker } from './broker.js';
import { withDeadline, type Clock } from './clock.js';
import { serversOfHappiness } from './happiness.js';
import { abortAllocations, type PlacedServer, type Placement } from './placement.js';
import { placeShares, type UploadComponents, type UploadConfig } from './upload.js';

/** Passes a resumable upload makes by default (network bytes are the same; each pass re-reads and re-encodes). */
export const DEFAULT_RESUME_PASSES = 3;

export interface ResumableUploadConfig extends UploadConfig {
  /** Passes to spread the shares to write over (1 = an ordinary upload, closing everything at the end). */
  readonly passes?: number;
}

export interface ResumableUploadOptions {
  signal: AbortSignal;
  /** Progress over every read of the file this attempt makes (the key's hash pass, then one per pass). */
  onProgress?(bytesDone: number, total: number): void;
  /** The storage index is known (before any allocation): remember it with the pending upload. */
  onStorageIndex?(storageIndex: Uint8Array): void | Promise<void>;
  /** A pass closed these shares (awaited before the next pass starts, so a journal can record them). */
  onClosed?(shareNums: readonly number[]): void | Promise<void>;
  /**
   * An earlier attempt may have closed shares: first ask every server present which shares it
   * holds (listShares), and write no share held closed anywhere, even on a server placement did
   * not ask for that share (allocateBuckets only reports the shares it was asked for).
   */
  resuming?: boolean;
}

export interface ResumableUploadReport {
  readonly cap: ChkReadCap;
  readonly happiness: number;
  readonly servers: readonly { readonly name: string; readonly shares: readonly number[] }[];
  /** Shares the servers already held closed when this attempt began (an earlier attempt's work): not sent. */
  readonly skippedShares: readonly number[];
  /** Share bytes this attempt sent with writeShare. */
  readonly bytesWritten: number;
  /** Passes made by this attempt. */
  readonly passes: number;
}

/** Uploads (or finishes uploading) a file bigger than a LIT cap holds, pass by pass. */
export async function uploadResumable(
  components: UploadComponents,
  config: ResumableUploadConfig,
  source: FileSource,
  opts: ResumableUploadOptions,
): Promise<ResumableUploadReport> {
  const { broker, clock, runner } = components;
  const { signal } = opts;
  signal.throwIfAborted();
  const passCount = config.passes ?? DEFAULT_RESUME_PASSES;
  if (!Number.isSafeInteger(passCount) || passCount < 1 || passCount > 256) throw new RangeError(`"passes" must be a whole number from 1 to 256, got ${passCount}`);
  const hashPasses = 'convergenceSecret' in config.keying ? 1 : 0;
  let total = source.size * (hashPasses + passCount);
  const prepared = await prepareImmutable(source, { k: config.k, n: config.n, segmentSize: config.segmentSize }, config.keying, {
    signal,
    onProgress: hashPasses === 1 ? (done) => opts.onProgress?.(done, total) : undefined,
  });
  const { storageIndex } = prepared;
  await opts.onStorageIndex?.(storageIndex);
  const placement = await placeShares(broker, clock, config, prepared, signal);
  const skipped = new Set<number>();
  for (const p of placement.servers) for (const s of p.alreadyHave) skipped.add(s);
  let held = new Map<number, Set<string>>();
  if (opts.resuming === true) {
    held = await closedSharesOnGrid(broker, clock, storageIndex, config.requestTimeoutMs, signal);
    for (const s of await dropHeldAllocations(clock, config.requestTimeoutMs, placement, held, config.happy)) skipped.add(s);
  }

  // The allocations to write, as (server, share) pairs, cut into passes of about equal size.
  const work: { p: PlacedServer; share: number }[] = [];
  for (const p of placement.servers) for (const share of [...p.allocated].sort((a, b) => a - b)) work.push({ p, share });
  const passes: (typeof work)[] = [];
  const perPass = Math.max(1, Math.ceil(work.length / passCount));
  for (let i = 0; i < work.length; i += perPass) passes.push(work.slice(i, i + perPass));
  total = source.size * (hashPasses + Math.max(1, passes.length));

  const closed = new Set<string>();
  const keyOf = (p: PlacedServer, share: number): string => `${p.key}/${share}`;
  let bytesWritten = 0;
  let cap: ChkReadCap | undefined;
  const call = (p: PlacedServer, s: AbortSignal, fn: (signal: AbortSignal) => Promise<void>): Promise<void> =>
    withDeadline(clock, config.requestTimeoutMs, s, `peer ${p.name}`, fn);
  try {
    for (let i = 0; i < Math.max(1, passes.length); i++) {
      const group = passes[i] ?? [];
      const writers = new Map<number, PlacedServer[]>();
      for (const { p, share } of group) writers.set(share, [...(writers.get(share) ?? []), p]);
      const writer: ShareWriter = {
        write: async (shareNum, offset, data, o) => {
          const targets = writers.get(shareNum);
          if (targets === undefined) return; // another pass's share, or one a server holds already
          await Promise.all(
            targets.map((p) =>
              call(p, o.signal, async (s) => {
                await p.api.writeShare(storageIndex, shareNum, offset, data, { signal: s });
                bytesWritten += data.length;
              }),
            ),
          );
        },
      };
      const before = source.size * (hashPasses + i);
      cap = await encodeImmutable(prepared, source, runner, writer, {
        signal,
        ...(config.pipelineDepth === undefined ? {} : { pipelineDepth: config.pipelineDepth }),
        onProgress: (done) => opts.onProgress?.(before + done, total),
      });
      await Promise.all(
        group.map(({ p, share }) =>
          call(p, signal, async (s) => {
            await p.api.closeShare(storageIndex, share, { signal: s });
            closed.add(keyOf(p, share));
          }),
        ),
      );
      if (group.length > 0) await opts.onClosed?.([...new Set(group.map((g) => g.share))].sort((a, b) => a - b));
    }
  } catch (error) {
    // What is closed stays (the next attempt skips it); what is not is given back.
    await abortAllocations(
      clock,
      config.requestTimeoutMs,
      storageIndex,
      placement.writers().map((p) => ({ api: p.api, name: p.name, shares: [...p.allocated].filter((s) => !closed.has(keyOf(p, s))) })),
    );
    throw error;
  }
  const sharemap = placement.sharemap();
  for (const [share, keys] of held) for (const key of keys) sharemap.set(share, new Set([...(sharemap.get(share) ?? []), key]));
  return {
    cap: cap!,
    happiness: serversOfHappiness(sharemap),
    servers: placement.servers
      .map((p) => ({ name: p.name, shares: [...new Set([...p.allocated, ...p.alreadyHave])].sort((a, b) => a - b) }))
      .filter((s) => s.shares.length > 0),
    skippedShares: [...skipped].sort((a, b) => a - b),
    bytesWritten,
    passes: Math.max(1, passes.length),
  };
}

/** share → keys of the servers present that hold it closed (those that answered in time). */
async function closedSharesOnGrid(
  broker: StorageBroker,
  clock: Clock,
  storageIndex: Uint8Array,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<Map<number, Set<string>>> {
  const held = new Map<number, Set<string>>();
  await Promise.all(
    broker.servers().map(async (server) => {
      try {
        const shares = await withDeadline(clock, timeoutMs, signal, `peer ${serverName(server)}`, async (s) =>
          (await broker.connect(server.nodeId, { signal: s })).listShares(storageIndex, { signal: s }),
        );
        for (const share of shares) held.set(share, new Set([...(held.get(share) ?? []), nodeIdKey(server.nodeId)]));
      } catch {
        signal.throwIfAborted(); // an unreachable server just tells us nothing
      }
    }),
  );
  return held;
}

/**
 * Gives back allocations of shares some server already holds closed, as long as happiness over
 * what is held and what stays allocated still reaches `happy`. Returns the shares given back.
 */
async function dropHeldAllocations(
  clock: Clock,
  timeoutMs: number,
  placement: Placement,
  held: Map<number, Set<string>>,
  happy: number,
): Promise<number[]> {
  const sharemap = (without: ReadonlySet<string>): Map<number, Set<string>> => {
    const map = new Map<number, Set<string>>();
    const add = (share: number, key: string): void => void map.set(share, new Set([...(map.get(share) ?? []), key]));
    for (const [share, keys] of held) for (const key of keys) add(share, key);
    for (const p of placement.servers) for (const share of p.allocated) if (!without.has(`${p.key}/${share}`)) add(share, p.key);
    return map;
  };
  const dropped = new Set<string>();
  const targets: { api: PlacedServer['api']; name: string; shares: number[] }[] = [];
  const shares = new Set<number>();
  for (const p of placement.servers) {
    const mine: number[] = [];
    for (const share of p.allocated) {
      if (!held.has(share)) continue;
      const key = `${p.key}/${share}`;
      dropped.add(key);
      if (serversOfHappiness(sharemap(dropped)) < happy) {
        dropped.delete(key);
        continue;
      }
      mine.push(share);
    }
    for (const share of mine) {
      p.allocated.delete(share); // held closed elsewhere on the grid: not written again
      shares.add(share);
    }
    if (mine.length > 0) targets.push({ api: p.api, name: p.name, shares: mine });
  }
  await abortAllocations(clock, timeoutMs, placement.storageIndex, targets);
  return [...shares];
}
