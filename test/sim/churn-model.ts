/**
 * The churn simulator (issue 6): an abstract grid of tabs (shares per node, no bytes) driven by
 * bric's real policy code: the permuted ring (grid/ring.ts's order), happiness placement for
 * uploads and repairs (repair/plan.ts planRepair over grid/happiness.ts), servers-of-happiness
 * and the repair rule (needsRepair). Tabs arrive as a Poisson process and live for a drawn time
 * (lognormal or exponential); a departed tab never returns (its shares are gone). Each file is
 * checked every check interval by some tab holding its cap; a degraded file is repaired. A file
 * is lost when fewer than k distinct shares remain on live nodes. Deterministic for a seed.
 */
import { createHash } from 'node:crypto';
import { concatBytes, utf8ToBytes } from '../../src/core/bytes.js';
import { nodeIdKey } from '../../src/core/grid/broker.js';
import { TAG_PERMUTE_SERVER } from '../../src/core/hash/tags.js';
import { netstring } from '../../src/core/hash/tagged.js';
import { happinessOf, needsRepair, planRepair } from '../../src/core/repair/plan.js';
import { EventQueue } from './event-queue.js';
import { Prng } from './prng.js';

export type Lifetime = { readonly kind: 'lognormal'; readonly medianMs: number; readonly sigma: number } | { readonly kind: 'exponential'; readonly meanMs: number };

export interface ChurnParams {
  readonly seed: number;
  readonly k: number;
  readonly happy: number;
  readonly n: number;
  /** Tabs online on average: arrivals come at population / mean lifetime (an M/G/∞ queue). */
  readonly population: number;
  readonly lifetime: Lifetime;
  readonly files: number;
  /** Departures (node lifetimes ended) after the uploads, then the run stops. */
  readonly lifetimes: number;
  readonly repair: boolean;
  /** Time between two checks of one file (each file starts at a random phase). */
  readonly checkIntervalMs: number;
  /** Repair when happiness is below this. @default happy */
  readonly threshold?: number;
  /** Time from a check that finds a file degraded to its new shares being in place. @default 0 */
  readonly repairDelayMs?: number;
}

export interface ChurnReport {
  readonly filesUploaded: number;
  readonly filesLost: number;
  /** filesLost / filesUploaded. */
  readonly lossFraction: number;
  readonly repairs: number;
  /** New share copies written by repairs, per file uploaded (repair traffic in shares). */
  readonly sharesWrittenPerFile: number;
  /** Uploads refused for want of happy nodes. */
  readonly uploadsFailed: number;
  /** Simulated time from the uploads to the last departure counted. */
  readonly simulatedMs: number;
  /** Fewest tabs online at any departure after the uploads. */
  readonly minOnline: number;
}

interface SimNode {
  readonly id: string;
  alive: boolean;
  /** file index → shares held. */
  readonly shares: Map<number, Set<number>>;
}

interface SimFile {
  readonly storageIndex: Uint8Array;
  /** live node id → shares it holds. */
  readonly holders: Map<string, Set<number>>;
  /** Live copies of each share, and how many shares have at least one. */
  readonly copies: Int32Array;
  distinct: number;
  lost: boolean;
  repairPending: boolean;
  /** Holders changed since the last check (an unchanged file needs no new look: same answer). */
  dirty: boolean;
}

type Event = { type: 'arrive' } | { type: 'depart'; node: SimNode } | { type: 'check'; file: number } | { type: 'repaired'; file: number };

export function meanLifetimeMs(l: Lifetime): number {
  return l.kind === 'exponential' ? l.meanMs : l.medianMs * Math.exp((l.sigma * l.sigma) / 2);
}

const PERMUTE_PREFIX = netstring(utf8ToBytes(TAG_PERMUTE_SERVER));

/**
 * grid/ring.ts ringPosition, byte for byte (taggedHash = SHA256d(netstring(tag) ‖ data); a unit
 * test holds them equal), through node:crypto: a run hashes every (file, tab) pair once, some
 * 200 000 of them, and noble's pure-JS SHA-256 made that most of the run time.
 */
export function fastRingPosition(storageIndex: Uint8Array, nodeId: string): Uint8Array {
  const once = createHash('sha256').update(concatBytes(PERMUTE_PREFIX, storageIndex, utf8ToBytes(nodeId))).digest();
  return new Uint8Array(createHash('sha256').update(once).digest());
}

/** Ring order for one file, from memoized ring positions (the same order as permuteServers). */
export class RingCache {
  private readonly positions = new Map<string, Uint8Array>();

  order(storageIndex: Uint8Array, fileKey: number, ids: readonly string[]): string[] {
    const keyed = ids.map((id) => {
      const memo = `${fileKey}/${id}`;
      let position = this.positions.get(memo);
      if (position === undefined) {
        position = fastRingPosition(storageIndex, id);
        this.positions.set(memo, position);
      }
      return { id, position, key: nodeIdKey(id) };
    });
    keyed.sort((a, b) => compareBytes(a.position, b.position) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return keyed.map((k) => k.id);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

export function simulateChurn(p: ChurnParams): ChurnReport {
  const rng = new Prng(p.seed);
  const ring = new RingCache();
  const queue = new EventQueue<Event>();
  const threshold = p.threshold ?? p.happy;
  const meanLife = meanLifetimeMs(p.lifetime);
  const drawLife = (): number =>
    p.lifetime.kind === 'exponential' ? rng.exponential(p.lifetime.meanMs) : rng.lognormal(p.lifetime.medianMs, p.lifetime.sigma);
  const live = new Map<string, SimNode>();
  const files: SimFile[] = [];
  let now = 0;
  let nextId = 0;

  const arrive = (): void => {
    const node: SimNode = { id: `tab-${nextId++}`, alive: true, shares: new Map() };
    live.set(node.id, node);
    queue.push(now + drawLife(), { type: 'depart', node });
  };
  const place = (f: number, writes: Map<string, number[]>): number => {
    let count = 0;
    for (const [id, shares] of writes) {
      const node = live.get(id)!;
      const held = node.shares.get(f) ?? new Set<number>();
      const onFile = files[f]!.holders.get(id) ?? new Set<number>();
      for (const s of shares) {
        held.add(s);
        onFile.add(s);
        if (files[f]!.copies[s]!++ === 0) files[f]!.distinct++;
        count++;
      }
      node.shares.set(f, held);
      files[f]!.holders.set(id, onFile);
    }
    if (count > 0) files[f]!.dirty = true;
    return count;
  };
  const plan = (f: number): Map<string, number[]> => {
    const file = files[f]!;
    return planRepair({ peers: ring.order(file.storageIndex, f, [...live.keys()]), readonly: new Set(), n: p.n, holdings: file.holders });
  };

  // Warm up to the steady state: the initial tabs, then three mean lifetimes of churn.
  for (let i = 0; i < p.population; i++) arrive();
  queue.push(rng.exponential(meanLife / p.population), { type: 'arrive' });
  const uploadAt = 3 * meanLife;
  let departures = 0;
  let repairs = 0;
  let sharesWritten = 0;
  let uploadsFailed = 0;
  let minOnline = Infinity;
  let uploaded = false;

  for (;;) {
    const item = queue.pop();
    if (item === undefined) break;
    if (!uploaded && item.at >= uploadAt) {
      queue.push(item.at, item.value); // handle it after the uploads
      now = uploadAt;
      uploaded = true;
      for (let f = 0; f < p.files; f++) {
        const file: SimFile = {
          storageIndex: rng.bytes(16),
          holders: new Map(),
          copies: new Int32Array(p.n),
          distinct: 0,
          lost: false,
          repairPending: false,
          dirty: false,
        };
        files.push(file);
        const writes = plan(f);
        if (happinessOf(writes) < p.happy) {
          file.lost = true;
          uploadsFailed++;
          continue;
        }
        place(f, writes);
        queue.push(now + rng.next() * p.checkIntervalMs, { type: 'check', file: f });
      }
      continue;
    }
    now = item.at;
    const event = item.value;
    if (event.type === 'arrive') {
      arrive();
      queue.push(now + rng.exponential(meanLife / p.population), { type: 'arrive' });
    } else if (event.type === 'depart') {
      const node = event.node;
      node.alive = false;
      live.delete(node.id);
      for (const f of node.shares.keys()) {
        const file = files[f]!;
        file.holders.delete(node.id);
        for (const s of node.shares.get(f)!) if (--file.copies[s]! === 0) file.distinct--;
        file.dirty = true;
        if (!file.lost && file.distinct < p.k) file.lost = true;
      }
      if (uploaded) {
        departures++;
        minOnline = Math.min(minOnline, live.size);
        if (departures >= p.lifetimes) break;
      }
    } else if (event.type === 'check') {
      const file = files[event.file]!;
      if (file.lost) continue;
      queue.push(now + p.checkIntervalMs, { type: 'check', file: event.file });
      if (!p.repair || file.repairPending || !file.dirty) continue;
      const health = { recoverable: file.distinct >= p.k, happiness: happinessOf(file.holders) };
      if (!needsRepair(health, threshold)) {
        file.dirty = false;
        continue;
      }
      file.repairPending = true;
      queue.push(now + (p.repairDelayMs ?? 0), { type: 'repaired', file: event.file });
    } else {
      const file = files[event.file]!;
      file.repairPending = false;
      if (file.lost) continue;
      const written = place(event.file, plan(event.file));
      if (written > 0) repairs++;
      sharesWritten += written;
    }
  }
  const filesUploaded = p.files - uploadsFailed;
  const filesLost = files.filter((f) => f.lost).length - uploadsFailed;
  return {
    filesUploaded,
    filesLost,
    lossFraction: filesUploaded === 0 ? 0 : filesLost / filesUploaded,
    repairs,
    sharesWrittenPerFile: filesUploaded === 0 ? 0 : sharesWritten / filesUploaded,
    uploadsFailed,
    simulatedMs: now - uploadAt,
    minOnline: minOnline === Infinity ? live.size : minOnline,
  };
}
