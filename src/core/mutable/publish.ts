/**
 * Publishing a version (Tahoe's mutable/publish.py, SDMF): encode the new contents as version
 * (highest seen + 1), then write each share with a test-and-set: where the servermap saw a share,
 * the write happens only if that share is still exactly what was seen; elsewhere only if the
 * share does not exist. Shares go back where old ones were, the rest to answering servers in
 * ring order, one per server first; a share whose server fails gets one more home elsewhere. Any
 * refused test is another writer's work: the publish ends with UncoordinatedWriteError, never by
 * overwriting it. Success needs `happy` distinct servers credited with distinct new shares.
 * @module
 */
import { readUint64BE } from '../bytes.js';
import type { SskKeys } from '../cap/ssk-keys.js';
import { nodeIdBytes } from '../grid/broker.js';
import { withDeadline, type Clock } from '../grid/clock.js';
import { serversOfHappiness } from '../grid/happiness.js';
import { deriveLeaseSecrets } from '../grid/lease-secrets.js';
import { MAX_SLOT_REQUEST_BYTES } from '../limits.js';
import type { ShareTestAndWrite, TestVector } from '../storage/mutable-api.js';
import { NotEnoughServersError, UncoordinatedWriteError } from './errors.js';
import { deriveWriteEnabler } from './keys.js';
import { CHECKSTRING_BYTES } from './layout.js';
import type { MappedServer, ServerMap } from './servermap.js';
import { encodeVersion, type EncodedVersion } from './version.js';

export interface PublishConfig {
  readonly k: number;
  readonly n: number;
  /** Distinct servers that must take a share of the new version. */
  readonly happy: number;
  readonly leaseSecret: Uint8Array;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

export interface PublishResult {
  readonly seqnum: number;
  readonly rootHash: Uint8Array;
  /** Distinct servers credited with distinct shares of the new version. */
  readonly happiness: number;
  /** Share number → servers (by name) now holding it. */
  readonly placed: ReadonlyMap<number, readonly string[]>;
}

/** One share to write to one server, with what the server must hold for the write to happen. */
interface Placement {
  readonly holder: MappedServer;
  readonly shareNum: number;
  readonly test: TestVector[];
}

const ABSENT: TestVector[] = [{ offset: 0, length: 1, specimen: new Uint8Array(0) }];

/** Where every share of the new version goes, and the test each write carries. */
function plan(map: ServerMap, n: number): Placement[] {
  const out: Placement[] = [];
  const load = new Map<string, number>(map.servers.map((s) => [s.key, 0]));
  const placed = new Set<number>();
  // Over every share seen (any version, good or bad) with the same share number: replace it in place.
  for (const seen of map.shares) {
    if (seen.shareNum >= n) continue;
    out.push({ holder: seen.holder, shareNum: seen.shareNum, test: [{ offset: 0, length: CHECKSTRING_BYTES, specimen: seen.checkstring }] });
    placed.add(seen.shareNum);
    load.set(seen.holder.key, load.get(seen.holder.key)! + 1);
  }
  const holding = new Map<string, Set<number>>();
  for (const seen of map.shares) (holding.get(seen.holder.key) ?? holding.set(seen.holder.key, new Set()).get(seen.holder.key)!).add(seen.shareNum);
  // The rest to the least-loaded answering server in ring order (one per server while there are enough).
  for (let shareNum = 0; shareNum < n; shareNum++) {
    if (placed.has(shareNum)) continue;
    let best: MappedServer | undefined;
    for (const s of map.servers) {
      if (holding.get(s.key)?.has(shareNum)) continue;
      if (best === undefined || load.get(s.key)! < load.get(best.key)!) best = s;
    }
    if (best === undefined) continue;
    out.push({ holder: best, shareNum, test: ABSENT });
    load.set(best.key, load.get(best.key)! + 1);
  }
  return out;
}

/** Writes `contents` as the next version over what `map` saw. */
export async function publishVersion(
  keys: SskKeys,
  map: ServerMap,
  contents: Uint8Array,
  salt: Uint8Array,
  config: PublishConfig,
  clock: Clock,
  signal: AbortSignal,
): Promise<PublishResult> {
  const encoded = encodeVersion(keys, { seqnum: map.highestSeqnum() + 1, salt, k: config.k, n: config.n }, contents);
  const placed = new Map<number, string[]>();
  const surprises: { server: string; seqnum?: number }[] = [];
  const failures: string[] = [];
  const failed = new Set<string>();

  const write = async (placements: Placement[]): Promise<void> => {
    const byServer = new Map<string, Placement[]>();
    for (const p of placements) (byServer.get(p.holder.key) ?? byServer.set(p.holder.key, []).get(p.holder.key)!).push(p);
    const jobs = [...byServer.values()].flatMap((ps) => batches(ps, encoded));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < jobs.length) {
        const batch = jobs[next++]!;
        const holder = batch[0]!.holder;
        try {
          const written = await writeBatch(keys, map, encoded, batch, config, clock, signal);
          if (written === true) for (const p of batch) (placed.get(p.shareNum) ?? placed.set(p.shareNum, []).get(p.shareNum)!).push(holder.name);
          else surprises.push({ server: holder.name, ...(written === undefined ? {} : { seqnum: written }) });
        } catch (error) {
          signal.throwIfAborted();
          failed.add(holder.key);
          failures.push(`${holder.name}: ${(error as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, Math.min(config.concurrency, jobs.length)) }, worker));
  };

  await write(plan(map, config.n));
  // Shares whose server failed go once more to servers that did not fail (Tahoe's publisher
  // looks for a new home for a share whose server went away), where the map saw no such share.
  if (surprises.length === 0 && failed.size > 0) {
    const load = new Map<string, number>();
    for (const names of placed.values()) for (const name of names) load.set(name, (load.get(name) ?? 0) + 1);
    const retry: Placement[] = [];
    for (let shareNum = 0; shareNum < config.n; shareNum++) {
      if (placed.has(shareNum)) continue;
      const candidates = map.servers.filter((s) => !failed.has(s.key) && !map.shares.some((seen) => seen.holder === s && seen.shareNum === shareNum));
      const best = candidates.sort((a, b) => (load.get(a.name) ?? 0) - (load.get(b.name) ?? 0))[0];
      if (best === undefined) continue;
      retry.push({ holder: best, shareNum, test: ABSENT });
      load.set(best.name, (load.get(best.name) ?? 0) + 1);
    }
    if (retry.length > 0) await write(retry);
  }

  if (surprises.length > 0) {
    const seen = surprises.map((s) => (s.seqnum === undefined ? s.server : `${s.server} (now at version ${s.seqnum})`)).join(', ');
    throw new UncoordinatedWriteError(
      `another writer changed this file while version ${encoded.header.seqnum} was being written: ${surprises.length} server${surprises.length === 1 ? '' : 's'} refused it (${seen}); read the file again and retry`,
      surprises,
    );
  }
  const sharemap = new Map([...placed].map(([shareNum, names]) => [shareNum, names]));
  const happiness = serversOfHappiness(sharemap);
  if (happiness < config.happy || placed.size < config.k) {
    const why = failures.length === 0 ? '' : `; failed: ${failures.slice(0, 5).join('; ')}`;
    throw new NotEnoughServersError(
      `version ${encoded.header.seqnum} reached only ${happiness} of the ${config.happy} servers needed (${map.servers.length} answered)${why}`,
      happiness,
      config.happy,
    );
  }
  return { seqnum: encoded.header.seqnum, rootHash: encoded.header.rootHash, happiness, placed };
}

/** Groups one server's shares into requests that each fit one rpc message. */
function batches(ps: Placement[], encoded: EncodedVersion): Placement[][] {
  const out: Placement[][] = [];
  let current: Placement[] = [];
  let bytes = 0;
  for (const p of ps) {
    const size = encoded.shares[p.shareNum]!.length + 256;
    if (current.length > 0 && bytes + size > MAX_SLOT_REQUEST_BYTES) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(p);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

/** One test-and-set request: true if written; otherwise the sequence number the server holds (if it says). */
async function writeBatch(
  keys: SskKeys,
  map: ServerMap,
  encoded: EncodedVersion,
  batch: Placement[],
  config: PublishConfig,
  clock: Clock,
  signal: AbortSignal,
): Promise<true | number | undefined> {
  const holder = batch[0]!.holder;
  const nodeId = nodeIdBytes(holder.server.nodeId);
  const lease = deriveLeaseSecrets(config.leaseSecret, map.storageIndex, nodeId);
  const secrets = { writeEnabler: deriveWriteEnabler(keys.writeKey, nodeId), renewSecret: lease.renewSecret, cancelSecret: lease.cancelSecret };
  const writes = new Map<number, ShareTestAndWrite>(
    batch.map((p) => {
      const share = encoded.shares[p.shareNum]!;
      return [p.shareNum, { test: p.test, write: [{ offset: 0, data: share }], newLength: share.length }];
    }),
  );
  const res = await withDeadline(clock, config.timeoutMs, signal, `peer ${holder.name}`, (s) =>
    holder.api.slotTestvAndReadvAndWritev(map.storageIndex, secrets, writes, [{ offset: 0, length: CHECKSTRING_BYTES }], { signal: s }),
  );
  if (res.written) return true;
  // What is there now: the highest sequence number among the shares we meant to write.
  let seqnum: number | undefined;
  for (const p of batch) {
    const now = res.read.get(p.shareNum)?.[0];
    if (now !== undefined && now.length >= 14) {
      try {
        seqnum = Math.max(seqnum ?? 0, readUint64BE(now, 6));
      } catch {
        // not a share we can read a number from
      }
    }
  }
  return seqnum;
}
