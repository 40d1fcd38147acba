/**
 * The health of one immutable file as a plain, JSON-ready object (Tahoe's check results:
 * count-shares-good, count-good-share-hosts, servers-of-happiness, sharemap, corrupt shares),
 * and the pure rules that derive it from what the servers answered.
 * @module
 */
import { base32Encode } from '../bytes.js';
import { serversOfHappiness } from '../grid/happiness.js';

/** The shares one server holds (good ones: known-corrupt copies are listed under `corrupt`). */
export interface ServerShares {
  /** How messages name the server (its nickname, else a short id). */
  readonly name: string;
  /** nodeIdKey of the server: stable, for matching with presence. */
  readonly id: string;
  readonly shares: readonly number[];
}

/** A share copy that failed verification, as reported to its holder. */
export interface CorruptShare {
  readonly server: string;
  /** nodeIdKey of the holder. */
  readonly id: string;
  readonly share: number;
  readonly reason: string;
}

/** What a verify cost: it reads every share, about N/k × the file size. */
export interface VerifyCost {
  readonly bytesRead: number;
  readonly fileSize: number;
  /** bytesRead / fileSize (N/k plus hash trees when every share is found). */
  readonly ratio: number;
  /** The same in a person's words. */
  readonly words: string;
}

export interface CheckResult {
  /** The file's storage index, base32 (Tahoe's form). */
  readonly storageIndex: string;
  readonly k: number;
  readonly n: number;
  /** The happiness the file should have (the checker's setting). */
  readonly happy: number;
  readonly size: number;
  /** Good share copies found (a share held by two servers counts twice). */
  readonly sharesFound: number;
  /** Distinct good share numbers found. */
  readonly distinctShares: number;
  /** Servers-of-happiness of the good shares reachable now. */
  readonly happiness: number;
  /** Servers holding good shares, in permuted-ring order. */
  readonly servers: readonly ServerShares[];
  /** Share numbers 0..N−1 with no good copy reachable. */
  readonly missing: readonly number[];
  readonly corrupt: readonly CorruptShare[];
  /** Servers asked, and those that answered. */
  readonly serversAsked: number;
  readonly serversAnswered: number;
  /** Names of servers that failed or did not answer in time. */
  readonly unreachable: readonly string[];
  /** Servers whose lease on the file was renewed by this check (0 without add-lease). */
  readonly leasesRenewed: number;
  /**
   * Every share 0..N−1 has a good copy and happiness ≥ happy. A corrupt copy beside good ones
   * does not make a file unhealthy: nobody can delete it but its holder, so repair cannot either.
   */
  readonly healthy: boolean;
  /** At least k distinct good shares: the file can be read (and repaired). */
  readonly recoverable: boolean;
  /** True when every share's every hash was checked (verify), false for a listShares-only check. */
  readonly verified: boolean;
  /** Present after a verify. */
  readonly cost?: VerifyCost;
}

/** What a check learnt from one server that answered. */
export interface ServerAnswer {
  readonly name: string;
  readonly id: string;
  readonly shares: readonly number[];
}

export interface SummaryInput {
  readonly storageIndex: Uint8Array;
  readonly k: number;
  readonly n: number;
  readonly happy: number;
  readonly size: number;
  /** Servers that answered, in ring order, with every share they listed. */
  readonly answers: readonly ServerAnswer[];
  /** Copies known to be corrupt: not counted as good. */
  readonly corrupt: readonly CorruptShare[];
  readonly serversAsked: number;
  readonly unreachable: readonly string[];
  readonly leasesRenewed: number;
  readonly cost?: VerifyCost;
}

/** share → ids of the servers holding a good copy. */
export function goodShareMap(answers: readonly ServerAnswer[], corrupt: readonly CorruptShare[]): Map<number, Set<string>> {
  const bad = new Set(corrupt.map((c) => `${c.id}/${c.share}`));
  const map = new Map<number, Set<string>>();
  for (const a of answers) {
    for (const s of a.shares) {
      if (bad.has(`${a.id}/${s}`)) continue;
      const holders = map.get(s);
      if (holders === undefined) map.set(s, new Set([a.id]));
      else holders.add(a.id);
    }
  }
  return map;
}

/** The CheckResult of what the servers answered. */
export function summarize(input: SummaryInput): CheckResult {
  const { k, n, happy, corrupt, answers } = input;
  const map = goodShareMap(answers, corrupt);
  const bad = new Set(corrupt.map((c) => `${c.id}/${c.share}`));
  const servers: ServerShares[] = [];
  let sharesFound = 0;
  for (const a of answers) {
    const shares = [...new Set(a.shares)].filter((s) => !bad.has(`${a.id}/${s}`)).sort((x, y) => x - y);
    sharesFound += shares.length;
    if (shares.length > 0) servers.push({ name: a.name, id: a.id, shares });
  }
  const missing: number[] = [];
  for (let s = 0; s < n; s++) if (!map.has(s)) missing.push(s);
  const distinctShares = n - missing.length;
  const happiness = serversOfHappiness(map);
  return {
    storageIndex: base32Encode(input.storageIndex),
    k,
    n,
    happy,
    size: input.size,
    sharesFound,
    distinctShares,
    happiness,
    servers,
    missing,
    corrupt: [...corrupt],
    serversAsked: input.serversAsked,
    serversAnswered: answers.length,
    unreachable: [...input.unreachable],
    leasesRenewed: input.leasesRenewed,
    healthy: missing.length === 0 && happiness >= happy,
    recoverable: distinctShares >= k,
    verified: input.cost !== undefined,
    ...(input.cost === undefined ? {} : { cost: input.cost }),
  };
}
