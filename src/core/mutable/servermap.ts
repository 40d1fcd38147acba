/**
 * The servermap (Tahoe's mutable/servermap.py): which servers hold which shares of which
 * versions of one mutable file. Servers are asked in permuted-ring order, a bounded number at a
 * time, for the first MUTABLE_MAP_READ_BYTES of every share they hold; each share's signed header
 * is checked against the cap's fingerprint, so a forged version never enters the map, and a
 * stale one is simply an older version. The map is what publish tests against and retrieve reads.
 * @module
 */
import { bytesToHex } from '../bytes.js';
import { nodeIdKey, serverName, type ServerDescriptor } from '../grid/broker.js';
import { withDeadline, type Clock } from '../grid/clock.js';
import { permuteServers } from '../grid/ring.js';
import { MUTABLE_MAP_READ_BYTES } from '../limits.js';
import type { MutableSlotApi } from '../storage/mutable-api.js';
import type { SlotBroker } from './broker.js';
import { CHECKSTRING_BYTES, mutableShareSize, parseSharePrefix, type MutableHeader } from './layout.js';
import { verifySignedPrefix, versionId } from './version.js';

/** A server that answered the map's query. */
export interface MappedServer {
  readonly server: ServerDescriptor;
  readonly key: string;
  readonly name: string;
  readonly api: MutableSlotApi;
  /** Its place on this file's ring (0 first). */
  readonly ringIndex: number;
}

/** One share seen on one server (good or not): what a test-and-set there must expect. */
export interface SeenShare {
  readonly holder: MappedServer;
  readonly shareNum: number;
  /** The first CHECKSTRING_BYTES as read (fewer if the share is shorter). */
  readonly checkstring: Uint8Array;
  /** The version it belongs to, when its signed header verified; undefined for a bad share. */
  readonly version?: string;
  /** Bytes read by the map: the whole share when it was short enough. */
  readonly prefix: Uint8Array;
  /** True when `prefix` is the whole share. */
  readonly complete: boolean;
}

/** One version of the file, as its signed header describes it. */
export interface VersionInfo {
  readonly id: string;
  readonly header: MutableHeader;
  readonly headerBytes: Uint8Array;
  readonly verifyingKey: Uint8Array;
  readonly signature: Uint8Array;
  /** Distinct share numbers seen of it. */
  readonly shareNums: ReadonlySet<number>;
}

export interface MapProblem {
  readonly server: string;
  readonly shareNum?: number;
  readonly error: Error;
}

export class ServerMap {
  /** Servers that answered, in ring order. */
  readonly servers: MappedServer[] = [];
  readonly shares: SeenShare[] = [];
  readonly versions = new Map<string, VersionInfo>();
  readonly problems: MapProblem[] = [];
  /** Servers asked that could not be reached or failed. */
  readonly unreachable: string[] = [];

  constructor(
    readonly storageIndex: Uint8Array,
    readonly fingerprint: Uint8Array,
  ) {}

  /** The highest sequence number of any authentic version seen (0 when none). */
  highestSeqnum(): number {
    let max = 0;
    for (const v of this.versions.values()) max = Math.max(max, v.header.seqnum);
    return max;
  }

  /** Versions with at least k distinct shares seen, best first (highest seqnum, then highest root). */
  recoverableVersions(): VersionInfo[] {
    return [...this.versions.values()].filter((v) => v.shareNums.size >= v.header.k).sort(compareVersions);
  }

  bestRecoverable(): VersionInfo | undefined {
    return this.recoverableVersions()[0];
  }

  /** Authentic versions newer than the best recoverable one (a publish interrupted, or too few servers answered). */
  unrecoverableNewer(): VersionInfo[] {
    const best = this.bestRecoverable();
    return [...this.versions.values()].filter((v) => v.shareNums.size < v.header.k && (best === undefined || compareVersions(v, best) < 0)).sort(compareVersions);
  }

  sharesOf(versionId: string): SeenShare[] {
    return this.shares.filter((s) => s.version === versionId);
  }
}

/** Orders versions best first: higher seqnum, then (two writers, one seqnum) the higher root hash. */
export function compareVersions(a: VersionInfo, b: VersionInfo): number {
  if (a.header.seqnum !== b.header.seqnum) return b.header.seqnum - a.header.seqnum;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export interface MapConfig {
  /** Servers that must answer before the map may stop (the publisher needs N to place N shares). */
  readonly wantServers: number;
  /** Empty servers past the last holder to ask before stopping (Tahoe's epsilon: k). */
  readonly epsilon: number;
  readonly concurrency: number;
  readonly timeoutMs: number;
}

const verifiedHeaders = new Map<string, true>();
const VERIFIED_KEPT = 256;

/** Checks a signed prefix, remembering the headers already verified (N shares carry the same one). */
function verifyOnce(prefix: ReturnType<typeof parseSharePrefix>, fingerprint: Uint8Array): void {
  const key = `${bytesToHex(fingerprint)}/${bytesToHex(prefix.headerBytes)}/${bytesToHex(prefix.verifyingKey)}/${bytesToHex(prefix.signature)}`;
  if (verifiedHeaders.has(key)) return;
  verifySignedPrefix(prefix, fingerprint);
  if (verifiedHeaders.size >= VERIFIED_KEPT) verifiedHeaders.delete(verifiedHeaders.keys().next().value!);
  verifiedHeaders.set(key, true);
}

/** Builds the servermap of one mutable file. Never rejects for a server's failure; only for `signal`. */
export async function mapServers(
  broker: SlotBroker,
  clock: Clock,
  file: { storageIndex: Uint8Array; fingerprint: Uint8Array },
  config: MapConfig,
  signal: AbortSignal,
): Promise<ServerMap> {
  const map = new ServerMap(file.storageIndex.slice(), file.fingerprint.slice());
  const ring = permuteServers(file.storageIndex, broker.servers());
  let cursor = 0;
  let lastHolder = -1;
  let answered = 0;
  const done = (): boolean => cursor >= ring.length || (answered >= config.wantServers && cursor > lastHolder + config.epsilon);

  const query = async (ringIndex: number): Promise<void> => {
    const server = ring[ringIndex]!;
    const name = serverName(server);
    let api: MutableSlotApi;
    let read: Map<number, Uint8Array[]>;
    try {
      ({ api, read } = await withDeadline(clock, config.timeoutMs, signal, `peer ${name}`, async (s) => {
        const a = await broker.connectSlots(server.nodeId, { signal: s });
        return { api: a, read: await a.slotReadv(file.storageIndex, [], [{ offset: 0, length: MUTABLE_MAP_READ_BYTES }], { signal: s }) };
      }));
    } catch (error) {
      signal.throwIfAborted();
      map.unreachable.push(name);
      map.problems.push({ server: name, error: error as Error });
      return;
    }
    answered++;
    const holder: MappedServer = { server, key: nodeIdKey(server.nodeId), name, api, ringIndex };
    map.servers.push(holder);
    if (read.size > 0) lastHolder = Math.max(lastHolder, ringIndex);
    for (const [shareNum, parts] of read) {
      const prefix = parts[0] ?? new Uint8Array(0);
      const seen = { holder, shareNum, checkstring: prefix.slice(0, CHECKSTRING_BYTES), prefix };
      try {
        const p = parseSharePrefix(prefix, shareNum);
        verifyOnce(p, file.fingerprint);
        const id = versionId(p.headerBytes);
        const known = map.versions.get(id);
        if (known === undefined) {
          map.versions.set(id, { id, header: p.header, headerBytes: p.headerBytes, verifyingKey: p.verifyingKey, signature: p.signature, shareNums: new Set([shareNum]) });
        } else (known.shareNums as Set<number>).add(shareNum);
        map.shares.push({ ...seen, version: id, complete: prefix.length === mutableShareSize(p.header) });
      } catch (error) {
        map.shares.push({ ...seen, complete: false });
        map.problems.push({ server: name, shareNum, error: error as Error });
        void withDeadline(clock, config.timeoutMs, new AbortController().signal, `peer ${name}`, (s) =>
          // 300 UTF-16 units are at most 900 bytes of UTF-8: under MAX_CORRUPT_REASON_BYTES.
          api.adviseCorruptSlotShare(file.storageIndex, shareNum, (error as Error).message.slice(0, 300), { signal: s }),
        ).catch(() => undefined);
      }
    }
  };

  // Ask in ring order, `concurrency` at a time, until the stopping rule holds and nothing is in flight.
  await new Promise<void>((resolve, reject) => {
    let inFlight = 0;
    const pump = (): void => {
      if (signal.aborted) return reject(signal.reason);
      while (inFlight < config.concurrency && !done()) {
        inFlight++;
        query(cursor++).then(
          () => {
            inFlight--;
            pump();
          },
          (err: unknown) => reject(err),
        );
      }
      if (inFlight === 0) resolve();
    };
    pump();
  });
  map.servers.sort((a, b) => a.ringIndex - b.ringIndex);
  return map;
}
