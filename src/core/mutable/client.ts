/**
 * MutableFileClient: mutable files as the app sees them (Tahoe's MutableFileNode): create →
 * write cap; retrieve (any read or write cap) → the best recoverable version; update (publish
 * over a servermap from an earlier read, so a change made since is detected) and overwrite;
 * modify (read, change, publish, and on an uncoordinated write read again and re-apply the
 * change, with backoff), which directories use so concurrent changes are merged, not lost.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { deriveSskKeys, deriveSskStorageIndex, type SskKeys, WRITE_KEY_BYTES } from '../cap/ssk-keys.js';
import type { SskReadCap, SskVerifyCap, SskWriteCap } from '../cap/types.js';
import type { Clock } from '../grid/clock.js';
import {
  DEFAULT_HAPPY,
  DEFAULT_K,
  DEFAULT_N,
  GRID_PLACEMENT_CONCURRENCY,
  GRID_QUERY_CONCURRENCY,
  GRID_REQUEST_TIMEOUT_MS,
  MAX_MODIFY_ATTEMPTS,
  MAX_MUTABLE_FILE_BYTES,
  MAX_SHARES,
  MODIFY_BACKOFF_MS,
} from '../limits.js';
import type { SlotBroker } from './broker.js';
import { MutableFileTooLargeError, ReadOnlyCapError, UncoordinatedWriteError } from './errors.js';
import { SALT_BYTES } from './layout.js';
import { publishVersion, type PublishResult } from './publish.js';
import { retrieveBest } from './retrieve.js';
import { mapServers, type ServerMap } from './servermap.js';

export interface MutableClientComponents {
  readonly broker: SlotBroker;
  readonly clock: Clock;
  /** Random bytes (crypto.getRandomValues in the app): write keys and per-version salts. */
  readonly randomBytes: (length: number) => Uint8Array;
}

export interface MutableClientInit {
  /** @default DEFAULT_K (3) */
  k?: number;
  /** @default DEFAULT_N (10) */
  n?: number;
  /** Distinct servers that must take a share of each new version. @default DEFAULT_HAPPY (7) */
  happy?: number;
  /** The person's lease secret (≥ 16 bytes): servers get per-file, per-server derivations. */
  leaseSecret: Uint8Array;
  /** @default GRID_QUERY_CONCURRENCY */
  queryConcurrency?: number;
  /** @default GRID_PLACEMENT_CONCURRENCY */
  placementConcurrency?: number;
  /** @default GRID_REQUEST_TIMEOUT_MS */
  requestTimeoutMs?: number;
  /** @default MAX_MODIFY_ATTEMPTS */
  maxModifyAttempts?: number;
  /** @default MODIFY_BACKOFF_MS */
  modifyBackoffMs?: number;
}

export type AnySskCap = SskWriteCap | SskReadCap | SskVerifyCap;

/** A version read: the contents, its sequence number, and the map to publish the next one over. */
export interface RetrieveResult {
  readonly contents: Uint8Array;
  readonly seqnum: number;
  readonly servermap: ServerMap;
}

/** The change a modify applies: the current contents (and their sequence number) → new contents, or undefined for no change. */
export type Modifier = (old: Uint8Array, seqnum: number) => Uint8Array | undefined | Promise<Uint8Array | undefined>;

interface Opts {
  signal: AbortSignal;
}

export class MutableFileClient {
  readonly k: number;
  readonly n: number;
  readonly happy: number;
  readonly #c: MutableClientComponents;
  readonly #leaseSecret: Uint8Array;
  readonly #queryConcurrency: number;
  readonly #placementConcurrency: number;
  readonly #timeoutMs: number;
  readonly #maxAttempts: number;
  readonly #backoffMs: number;

  constructor(components: MutableClientComponents, init: MutableClientInit) {
    const whole = (name: string, v: number, min: number, max: number): number => {
      if (!Number.isSafeInteger(v) || v < min || v > max) throw new RangeError(`"${name}" must be a whole number from ${min} to ${max}, got ${v}`);
      return v;
    };
    this.k = whole('k', init.k ?? DEFAULT_K, 1, MAX_SHARES);
    this.n = whole('n', init.n ?? DEFAULT_N, this.k, MAX_SHARES);
    this.happy = whole('happy', init.happy ?? Math.min(DEFAULT_HAPPY, this.n), 1, this.n);
    assertBytes(init.leaseSecret, 'leaseSecret');
    if (init.leaseSecret.length < 16) throw new RangeError('"leaseSecret" must be at least 16 bytes');
    this.#c = components;
    this.#leaseSecret = init.leaseSecret.slice();
    this.#queryConcurrency = whole('queryConcurrency', init.queryConcurrency ?? GRID_QUERY_CONCURRENCY, 1, MAX_SHARES);
    this.#placementConcurrency = whole('placementConcurrency', init.placementConcurrency ?? GRID_PLACEMENT_CONCURRENCY, 1, MAX_SHARES);
    this.#timeoutMs = whole('requestTimeoutMs', init.requestTimeoutMs ?? GRID_REQUEST_TIMEOUT_MS, 1, 24 * 3600 * 1000);
    this.#maxAttempts = whole('maxModifyAttempts', init.maxModifyAttempts ?? MAX_MODIFY_ATTEMPTS, 1, 1000);
    this.#backoffMs = whole('modifyBackoffMs', init.modifyBackoffMs ?? MODIFY_BACKOFF_MS, 0, 3600 * 1000);
  }

  /**
   * Makes a new mutable file holding `contents` (version 1) and returns its write cap. Contents
   * that depend on the cap (a directory hiding child writecaps under its own key) may be given
   * as a function of it.
   */
  async create(contents: Uint8Array | ((cap: SskWriteCap) => Uint8Array), opts: Opts): Promise<SskWriteCap> {
    const writeKey = this.#c.randomBytes(WRITE_KEY_BYTES);
    assertBytes(writeKey, 'randomBytes(32)', WRITE_KEY_BYTES);
    const cap: SskWriteCap = { kind: 'ssk', writeKey };
    const bytes = typeof contents === 'function' ? contents(cap) : contents;
    assertContents(bytes);
    await this.overwrite(cap, bytes, opts);
    return cap;
  }

  /** Which servers hold which versions (works with any of the three caps). */
  servermap(cap: AnySskCap, opts: Opts): Promise<ServerMap> {
    const { storageIndex, fingerprint } = locate(cap);
    return mapServers(
      this.#c.broker,
      this.#c.clock,
      { storageIndex, fingerprint },
      { wantServers: this.n, epsilon: this.k, concurrency: this.#queryConcurrency, timeoutMs: this.#timeoutMs },
      opts.signal,
    );
  }

  /** The best recoverable version. @throws UnrecoverableFileError */
  async retrieve(cap: SskWriteCap | SskReadCap, opts: Opts): Promise<RetrieveResult> {
    const map = await this.servermap(cap, opts);
    const got = await retrieveBest(map, readKeyOf(cap), this.#c.clock, this.#timeoutMs, opts.signal);
    return { contents: got.contents, seqnum: got.version.header.seqnum, servermap: map };
  }

  /**
   * Publishes `contents` over `servermap` (from a retrieve): if anyone changed the file since,
   * UncoordinatedWriteError, and the caller decides (read again and merge, or give up).
   */
  update(cap: SskWriteCap, contents: Uint8Array, servermap: ServerMap, opts: Opts): Promise<PublishResult> {
    const keys = writeKeysOf(cap);
    assertContents(contents);
    return publishVersion(keys, servermap, contents, this.#c.randomBytes(SALT_BYTES), this.#publishConfig(), this.#c.clock, opts.signal);
  }

  /** Replaces the contents whatever they are (a fresh servermap, then update). */
  async overwrite(cap: SskWriteCap, contents: Uint8Array, opts: Opts): Promise<PublishResult> {
    writeKeysOf(cap);
    assertContents(contents);
    return this.update(cap, contents, await this.servermap(cap, opts), opts);
  }

  /**
   * Read-modify-write until it lands: on UncoordinatedWriteError the file is read again and
   * `modifier` applied to what is there now (up to maxModifyAttempts, backing off with jitter),
   * so two writers' changes both end up in the file. Returns the version written, or undefined
   * when the modifier asked for no change.
   */
  async modify(cap: SskWriteCap, modifier: Modifier, opts: Opts): Promise<PublishResult | undefined> {
    writeKeysOf(cap);
    let last: UncoordinatedWriteError | undefined;
    for (let attempt = 0; attempt < this.#maxAttempts; attempt++) {
      if (attempt > 0) await this.#backoff(attempt, opts);
      const { contents, seqnum, servermap } = await this.retrieve(cap, opts);
      const next = await modifier(contents, seqnum);
      if (next === undefined) return undefined;
      try {
        return await this.update(cap, next, servermap, opts);
      } catch (err) {
        if (!(err instanceof UncoordinatedWriteError)) throw err;
        last = err;
      }
    }
    throw new UncoordinatedWriteError(`${last!.message}; gave up after ${this.#maxAttempts} attempts`, last!.surprises);
  }

  #publishConfig() {
    return { k: this.k, n: this.n, happy: this.happy, leaseSecret: this.#leaseSecret, concurrency: this.#placementConcurrency, timeoutMs: this.#timeoutMs };
  }

  async #backoff(attempt: number, opts: Opts): Promise<void> {
    const base = this.#backoffMs * 2 ** (attempt - 1);
    const jitter = (this.#c.randomBytes(1)[0]! / 255) * base;
    await this.#c.clock.sleep(base + jitter, opts);
  }
}

function assertContents(contents: unknown): asserts contents is Uint8Array {
  assertBytes(contents, 'contents');
  if (contents.length > MAX_MUTABLE_FILE_BYTES) {
    throw new MutableFileTooLargeError(`a mutable file holds at most ${MAX_MUTABLE_FILE_BYTES} bytes; these contents are ${contents.length}`);
  }
}

const keyCache = new WeakMap<Uint8Array, SskKeys>();

/** The keys of a write cap (cached per cap object: deriving the verification key is a scalar multiplication). */
function writeKeysOf(cap: AnySskCap): SskKeys {
  if (cap?.kind !== 'ssk') {
    throw new ReadOnlyCapError(
      cap?.kind === 'ssk-ro' ? 'this is a read-only cap: it can read the file but not change it' : 'this cap cannot change the file (a verify cap only checks it)',
    );
  }
  let keys = keyCache.get(cap.writeKey);
  if (keys === undefined) {
    keys = deriveSskKeys(cap.writeKey);
    keyCache.set(cap.writeKey, keys);
  }
  return keys;
}

function readKeyOf(cap: SskWriteCap | SskReadCap): Uint8Array {
  if (cap?.kind === 'ssk') return writeKeysOf(cap).readKey;
  if (cap?.kind === 'ssk-ro') return cap.readKey;
  throw new TypeError('a verify cap cannot read the file; it can only check it (servermap)');
}

function locate(cap: AnySskCap): { storageIndex: Uint8Array; fingerprint: Uint8Array } {
  switch (cap?.kind) {
    case 'ssk': {
      const keys = writeKeysOf(cap);
      return { storageIndex: keys.storageIndex, fingerprint: keys.fingerprint };
    }
    case 'ssk-ro':
      return { storageIndex: deriveSskStorageIndex(cap.readKey), fingerprint: cap.fingerprint };
    case 'ssk-verifier':
      return { storageIndex: cap.storageIndex, fingerprint: cap.fingerprint };
    default:
      throw new TypeError('"cap" expected a mutable write, read or verify cap');
  }
}
