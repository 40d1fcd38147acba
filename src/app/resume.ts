/**
 * Resumable uploads in the app: before the first byte goes out, the chosen File (Chromium keeps
 * its bytes in IndexedDB) is remembered in the durability database with its grid; each pass's
 * closed shares are recorded as they close; when the tab comes back after a reload or a close,
 * resumePending() finishes the uploads left, sending only the shares no server holds closed
 * (core/grid/resume-upload.ts). One tab works on one pending upload at a time (a Web Lock).
 * @module
 */
import type { ChkReadCap, LitCap } from '../core/cap/types.js';
import { base32Encode } from '../core/bytes.js';
import { isLitSize } from '../core/grid/lit.js';
import { DEFAULT_RESUME_PASSES, uploadResumable, type ResumableUploadReport } from '../core/grid/resume-upload.js';
import { GRID_PLACEMENT_CONCURRENCY, GRID_REQUEST_TIMEOUT_MS } from '../core/limits.js';
import { blobFileSource } from './blob-source.js';
import { deletePendingUpload, loadPendingUploads, putPendingUpload, type PendingUploadRecord } from './durability-db.js';
import { readcapLink, roomIdOf } from './links.js';
import type { NodeServices, UploadOutcome } from './node-api.js';

export interface ResumeOutcome extends UploadOutcome {
  readonly name: string;
  /** Shares an earlier attempt had closed on servers: not sent again. */
  readonly skippedShares: readonly number[];
  /** Share bytes this attempt sent. */
  readonly bytesWritten: number;
}

export interface ResumableUploadOpts {
  signal: AbortSignal;
  onProgress?(done: number, total: number): void;
  /** After a pass's closed shares are recorded (tests pause here to cut an upload off at a known point). */
  onClosed?(shareNums: readonly number[]): void | Promise<void>;
}

/** A pending upload, as a list of unfinished uploads shows it. */
export interface PendingUpload {
  readonly id: string;
  readonly name: string;
  readonly size: number;
  readonly closedShares: readonly number[];
  readonly attempts: number;
}

/** How long an attempt waits for the grid's presence list before placing shares anyway. */
const JOIN_WAIT_MS = 10_000;

const lockName = (id: string): string => `bric-resume-${id}`;

const randomId = (): string => base32Encode(crypto.getRandomValues(new Uint8Array(10)));

/** The uploads of this person in this tab's grid that survive reloads. */
export interface ResumableUploadsInit {
  /** Passes over the file per upload (more: less lost to an interruption, more reading and encoding). @default DEFAULT_RESUME_PASSES */
  passes?: number;
}

export class ResumableUploads {
  readonly #services: NodeServices;
  readonly #room: string;
  readonly #passes: number;

  constructor(services: NodeServices, init: ResumableUploadsInit = {}) {
    this.#services = services;
    this.#room = roomIdOf(services.grid);
    this.#passes = init.passes ?? DEFAULT_RESUME_PASSES;
  }

  /** Uploads `file`, remembering it until done so that a reload or a closed tab does not lose the work. */
  async upload(file: File, opts: ResumableUploadOpts): Promise<ResumeOutcome> {
    if (isLitSize(file.size)) {
      // Its bytes go into the cap: nothing is sent, nothing to resume.
      const result = await this.#services.client.upload(blobFileSource(file), opts);
      return this.#done(result.cap, file.name, { skippedShares: [], bytesWritten: 0 });
    }
    const record: PendingUploadRecord = {
      v: 1,
      id: randomId(),
      room: this.#room,
      file,
      name: file.name,
      size: file.size,
      startedAt: Date.now(),
      closedShares: [],
      attempts: 0,
      encoding: { k: this.#services.client.k, happy: this.#services.client.happy, n: this.#services.client.n, segmentSize: this.#services.client.segmentSize },
    };
    await putPendingUpload(record);
    return this.#attempt(record, opts);
  }

  /** The uploads of this grid not finished yet (from this tab or an earlier visit). */
  async pending(): Promise<PendingUpload[]> {
    return (await loadPendingUploads(this.#room)).map((r) => ({ id: r.id, name: r.name, size: r.size, closedShares: r.closedShares, attempts: r.attempts }));
  }

  /**
   * Finishes every pending upload of this grid that no other tab is working on, one after
   * another; `onOutcome` hears each one's end (a failed one stays pending for the next visit).
   */
  async resumePending(
    opts: ResumableUploadOpts & { onStart?(u: PendingUpload): void; onOutcome?(id: string, outcome: ResumeOutcome | Error): void },
  ): Promise<ResumeOutcome[]> {
    const done: ResumeOutcome[] = [];
    for (const record of await loadPendingUploads(this.#room)) {
      opts.signal.throwIfAborted();
      const outcome = await navigator.locks
        .request(lockName(record.id), { ifAvailable: true }, async (lock) => {
          if (lock === null) return undefined; // another tab of this person is on it
          opts.onStart?.({ id: record.id, name: record.name, size: record.size, closedShares: record.closedShares, attempts: record.attempts });
          try {
            return await this.#attemptLocked(record, opts);
          } catch (error) {
            opts.signal.throwIfAborted();
            return error instanceof Error ? error : new Error(String(error));
          }
        });
      if (outcome === undefined) continue;
      opts.onOutcome?.(record.id, outcome);
      if (!(outcome instanceof Error)) done.push(outcome);
    }
    return done;
  }

  /** Gives up a pending upload (its closed shares stay until their leases run out). */
  async discard(id: string): Promise<void> {
    await deletePendingUpload(id);
  }

  #attempt(record: PendingUploadRecord, opts: ResumableUploadOpts): Promise<ResumeOutcome> {
    return navigator.locks.request(lockName(record.id), { signal: opts.signal }, () => this.#attemptLocked(record, opts));
  }

  async #attemptLocked(record: PendingUploadRecord, opts: ResumableUploadOpts): Promise<ResumeOutcome> {
    const services = this.#services;
    const { client, secrets } = services;
    let current: PendingUploadRecord = { ...record, attempts: record.attempts + 1 };
    await putPendingUpload(current);
    services.warmUp();
    // As node.ts: let presence arrive before placement counts the peers, but not forever (if
    // signaling is down, placement then says how few peers it found).
    await services.joined(AbortSignal.any([opts.signal, AbortSignal.timeout(JOIN_WAIT_MS)])).catch(() => opts.signal.throwIfAborted());
    const encoding = record.encoding ?? { k: client.k, happy: client.happy, n: client.n, segmentSize: client.segmentSize };
    const report: ResumableUploadReport = await uploadResumable(
      services,
      {
        ...encoding,
        leaseSecret: secrets.leaseSecret,
        keying: { convergenceSecret: secrets.convergenceSecret }, // convergent: the same storage index on every attempt
        placementConcurrency: GRID_PLACEMENT_CONCURRENCY,
        requestTimeoutMs: GRID_REQUEST_TIMEOUT_MS,
        passes: this.#passes,
      },
      blobFileSource(record.file),
      {
        signal: opts.signal,
        resuming: current.attempts > 1, // an earlier attempt may have closed shares anywhere on the grid
        ...(opts.onProgress === undefined ? {} : { onProgress: opts.onProgress }),
        onStorageIndex: async (si) => {
          current = { ...current, storageIndex: base32Encode(si) };
          await putPendingUpload(current);
        },
        onClosed: async (shares) => {
          current = { ...current, closedShares: [...new Set([...current.closedShares, ...shares])].sort((a, b) => a - b) };
          await putPendingUpload(current);
          await opts.onClosed?.(shares);
        },
      },
    );
    await deletePendingUpload(record.id);
    return this.#done(report.cap, record.name, { skippedShares: report.skippedShares, bytesWritten: report.bytesWritten });
  }

  #done(cap: ChkReadCap | LitCap, name: string, stats: { skippedShares: readonly number[]; bytesWritten: number }): ResumeOutcome {
    this.#services.durability.add(cap);
    return { cap, name, link: readcapLink(location.origin, this.#services.grid, cap, name), ...stats };
  }
}
