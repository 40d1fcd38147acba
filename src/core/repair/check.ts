/**
 * Checking a file (Tahoe's immutable/checker.py without verify): a census of every server
 * present, then the count of good shares, the distinct servers holding them (happiness) and
 * the shares missing. Cheap: one listShares per server, no share data.
 * @module
 */
import type { StorageBroker } from '../grid/broker.js';
import type { Clock } from '../grid/clock.js';
import { summarize, type CheckResult, type CorruptShare, type SummaryInput } from './check-result.js';
import { takeCensus, type Census, type CensusInit } from './census.js';
import type { FileTarget } from './target.js';

export interface CheckComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
}

export interface CheckConfig {
  /** Happiness a healthy file has. */
  readonly happy: number;
  /** listShares requests in flight at once. */
  readonly queryConcurrency: number;
  /** Time one server has to answer one request. */
  readonly requestTimeoutMs: number;
  /** The person's lease secret: needed only to renew leases. */
  readonly leaseSecret?: Uint8Array;
}

export interface CheckOptions {
  signal: AbortSignal;
  /** Renew our lease at every server holding shares (needs the lease secret). @default false */
  addLease?: boolean;
  /** Copies known to be corrupt (from an earlier verify): they do not count as good. */
  corrupt?: readonly CorruptShare[];
}

/** The health of the file as the servers present report it now. */
export async function checkFile(components: CheckComponents, config: CheckConfig, target: FileTarget, opts: CheckOptions): Promise<CheckResult> {
  const census = await censusOfTarget(
    components,
    config,
    target,
    { leaseSecret: opts.addLease === true ? requireLeaseSecret(config) : undefined, corrupt: opts.corrupt },
    opts.signal,
  );
  return summarizeCensus(config, target, census, opts.corrupt ?? []);
}

/** The census of the servers for `target`, asked as `config` says (check, verify and repair alike). */
export function censusOfTarget(
  components: CheckComponents,
  config: CheckConfig,
  target: FileTarget,
  init: Pick<CensusInit, 'leaseSecret' | 'everyServer' | 'corrupt'>,
  signal: AbortSignal,
): Promise<Census> {
  const { storageIndex, expected } = target;
  return takeCensus(
    components.broker,
    components.clock,
    { storageIndex, n: expected.n, concurrency: config.queryConcurrency, timeoutMs: config.requestTimeoutMs, ...init },
    signal,
  );
}

/** The health of `target` from a census; verify passes the answers, unreachable servers and cost it saw itself. */
export function summarizeCensus(
  config: CheckConfig,
  target: FileTarget,
  census: Census,
  corrupt: readonly CorruptShare[],
  seen: Partial<Pick<SummaryInput, 'answers' | 'unreachable' | 'cost'>> = {},
): CheckResult {
  const { storageIndex, expected } = target;
  return summarize({
    storageIndex,
    k: expected.k,
    n: expected.n,
    // A file of N shares can be on at most N distinct servers: that is all it can be asked for.
    happy: Math.min(config.happy, expected.n),
    size: expected.size,
    answers: census.answered,
    corrupt,
    serversAsked: census.asked,
    unreachable: census.unreachable,
    leasesRenewed: census.leasesRenewed,
    ...seen,
  });
}

export function requireLeaseSecret(config: { leaseSecret?: Uint8Array }): Uint8Array {
  if (config.leaseSecret === undefined) throw new TypeError('renewing leases needs "leaseSecret" in the checker init');
  return config.leaseSecret;
}
