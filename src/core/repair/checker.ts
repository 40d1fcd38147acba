/**
 * FileChecker: check, verify and repair as the app uses them, with the settings in one place
 * (Tahoe's checker and repairer behind `tahoe check --verify --repair --add-lease`). Takes a CHK
 * read cap or verify cap; nothing here needs or keeps a read key.
 * @module
 */
import type { ChkReadCap, ChkVerifyCap } from '../cap/types.js';
import { assertBytes } from '../bytes.js';
import type { StorageBroker } from '../grid/broker.js';
import type { Clock } from '../grid/clock.js';
import type { SegmentRunner } from '../immutable/runner.js';
import { DEFAULT_HAPPY, GRID_QUERY_CONCURRENCY, GRID_REQUEST_TIMEOUT_MS, MAX_SHARES, VERIFY_CONCURRENCY } from '../limits.js';
import type { CheckResult } from './check-result.js';
import { checkFile, type CheckOptions } from './check.js';
import { repairFile, type RepairOptions, type RepairResult } from './repair.js';
import { fileTarget } from './target.js';
import { verifyFile, type VerifyOptions } from './verify.js';

export interface FileCheckerComponents {
  readonly broker: StorageBroker;
  readonly clock: Clock;
  /** Hashes blocks (verify) and decodes segments (repair): the app's worker pool. */
  readonly runner: SegmentRunner;
}

export interface FileCheckerInit {
  /** The person's lease secret (≥ 16 bytes): repair leases new copies with it, add-lease renews. */
  leaseSecret: Uint8Array;
  /** Happiness a healthy file has. @default DEFAULT_HAPPY (7) */
  happy?: number;
  /** listShares requests in flight. @default GRID_QUERY_CONCURRENCY */
  queryConcurrency?: number;
  /** Share copies a verify reads at once. @default VERIFY_CONCURRENCY */
  verifyConcurrency?: number;
  /** @default GRID_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
}

export class FileChecker {
  readonly happy: number;
  private readonly config: {
    leaseSecret: Uint8Array;
    happy: number;
    queryConcurrency: number;
    verifyConcurrency: number;
    requestTimeoutMs: number;
  };

  constructor(
    private readonly components: FileCheckerComponents,
    init: FileCheckerInit,
  ) {
    assertBytes(init.leaseSecret, 'leaseSecret');
    if (init.leaseSecret.length < 16) throw new RangeError(`"leaseSecret" must be at least 16 bytes, got ${init.leaseSecret.length}`);
    this.config = {
      leaseSecret: init.leaseSecret.slice(),
      happy: init.happy ?? DEFAULT_HAPPY,
      queryConcurrency: init.queryConcurrency ?? GRID_QUERY_CONCURRENCY,
      verifyConcurrency: init.verifyConcurrency ?? VERIFY_CONCURRENCY,
      requestTimeoutMs: init.requestTimeoutMs ?? GRID_REQUEST_TIMEOUT_MS,
    };
    const whole = (name: string, v: number, min: number, max: number): void => {
      if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`"${name}" must be a whole number from ${min} to ${max}, got ${v}`);
    };
    whole('happy', this.config.happy, 1, MAX_SHARES);
    whole('queryConcurrency', this.config.queryConcurrency, 1, MAX_SHARES);
    whole('verifyConcurrency', this.config.verifyConcurrency, 1, MAX_SHARES);
    whole('requestTimeoutMs', this.config.requestTimeoutMs, 1, 24 * 3600 * 1000);
    this.happy = this.config.happy;
  }

  /** Counts the good shares reachable, their servers (happiness) and what is missing: listShares only. */
  check(cap: ChkReadCap | ChkVerifyCap, opts: CheckOptions): Promise<CheckResult> {
    return checkFile(this.components, this.config, fileTarget(cap), opts);
  }

  /** Fetches every share and checks every hash; reports corrupt copies to their holders. Costs ~N/k × the file size. */
  verify(cap: ChkReadCap | ChkVerifyCap, opts: VerifyOptions): Promise<CheckResult> {
    return verifyFile(this.components, this.config, fileTarget(cap), opts);
  }

  /** Regenerates missing shares from k good ones and places them on servers that hold none. */
  repair(cap: ChkReadCap | ChkVerifyCap, opts: RepairOptions): Promise<RepairResult> {
    return repairFile(this.components, this.config, fileTarget(cap), opts);
  }
}
