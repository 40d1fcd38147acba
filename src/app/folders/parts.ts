/**
 * The grid parts folders work with, built from the node's services: a DirectoryClient (mutable
 * directories over the node's slot broker, snapshots as immutable files) and a file uploader that
 * counts the share bytes each upload actually sends, so a backup can say what it uploaded (a
 * convergent upload of bytes the grid already holds sends none: the servers answer alreadyHave).
 * @module
 */
import type { ChkReadCap, LitCap } from '../../core/cap/types.js';
import { DirectoryClient } from '../../core/dirnode/directory.js';
import { gridImmutableFiles } from '../../core/dirnode/immutable-files.js';
import type { StorageBroker } from '../../core/grid/broker.js';
import { GridClient } from '../../core/grid/client.js';
import type { Clock } from '../../core/grid/clock.js';
import type { SegmentRunner } from '../../core/immutable/runner.js';
import type { FileSource } from '../../core/immutable/source.js';
import type { SlotBroker } from '../../core/mutable/broker.js';
import { MutableFileClient } from '../../core/mutable/client.js';
import type { StorageApi } from '../../core/storage/api.js';
import type { NodeServices } from '../node-api.js';

export interface FolderPartsComponents {
  readonly broker: StorageBroker & SlotBroker;
  readonly clock: Clock;
  readonly runner: SegmentRunner;
  readonly randomBytes: (length: number) => Uint8Array;
  /** Wall-clock time for entries' metadata (Date.now in the app). */
  readonly wallClock: { now(): number };
}

export interface FolderPartsInit {
  readonly leaseSecret: Uint8Array;
  readonly convergenceSecret: Uint8Array;
  readonly k: number;
  readonly happy: number;
  readonly n: number;
  /** @default the grid client's default */
  readonly segmentSize?: number;
}

export interface FileUpload {
  readonly cap: ChkReadCap | LitCap;
  /** Share bytes written to storage servers for this file (0 for LIT caps and for files the grid held already). */
  readonly bytesWritten: number;
}

/** Totals over everything these parts uploaded (files and directory snapshots). */
export interface UploadTotals {
  fileBytesWritten: number;
  snapshotBytesWritten: number;
}

export interface FolderParts {
  readonly dirs: DirectoryClient;
  uploadFile(source: FileSource, opts: { signal: AbortSignal; onProgress?(done: number, total: number): void }): Promise<FileUpload>;
  download(cap: ChkReadCap | LitCap, opts: { signal: AbortSignal }): AsyncIterable<Uint8Array>;
  readonly totals: UploadTotals;
}

export function createFolderParts(c: FolderPartsComponents, init: FolderPartsInit): FolderParts {
  const totals: UploadTotals = { fileBytesWritten: 0, snapshotBytesWritten: 0 };
  const clientOver = (broker: StorageBroker): GridClient =>
    new GridClient(
      { broker, clock: c.clock, runner: c.runner, randomBytes: c.randomBytes },
      {
        leaseSecret: init.leaseSecret,
        convergenceSecret: init.convergenceSecret,
        k: init.k,
        happy: init.happy,
        n: init.n,
        ...(init.segmentSize === undefined ? {} : { segmentSize: init.segmentSize }),
      },
    );
  const reader = clientOver(c.broker);
  const snapshots = clientOver(countingBroker(c.broker, (n) => (totals.snapshotBytesWritten += n)));
  const mutable = new MutableFileClient({ broker: c.broker, clock: c.clock, randomBytes: c.randomBytes }, { leaseSecret: init.leaseSecret, k: init.k, happy: init.happy, n: init.n });
  const dirs = new DirectoryClient({ mutable, immutable: gridImmutableFiles(snapshots), clock: c.wallClock });
  return {
    dirs,
    totals,
    async uploadFile(source, opts) {
      // A client per upload, so the bytes counted are this file's even while others upload.
      let bytesWritten = 0;
      const client = clientOver(countingBroker(c.broker, (n) => ((bytesWritten += n), (totals.fileBytesWritten += n))));
      const result = await client.upload(source, opts);
      return { cap: result.cap, bytesWritten };
    },
    download: (cap, opts) => reader.download(cap, opts),
  };
}

/** The parts over this tab's node (its broker, runner and the person's secrets, at the node's k/happy/N). */
export function folderPartsOf(services: NodeServices): FolderParts {
  const { client } = services;
  return createFolderParts(
    {
      broker: services.broker,
      clock: services.clock,
      runner: services.runner,
      randomBytes: (n) => crypto.getRandomValues(new Uint8Array(n)),
      wallClock: { now: () => Date.now() },
    },
    { ...services.secrets, k: client.k, happy: client.happy, n: client.n, segmentSize: client.segmentSize },
  );
}

/** A broker whose servers report every writeShare's length to `count`. */
export function countingBroker(broker: StorageBroker, count: (bytes: number) => void): StorageBroker {
  return {
    servers: () => broker.servers(),
    async connect(nodeId, opts) {
      const api = await broker.connect(nodeId, opts);
      return new Proxy(api, {
        get(target, key, receiver) {
          const value: unknown = Reflect.get(target, key, receiver);
          if (typeof value !== 'function') return value;
          if (key !== 'writeShare') return (value as (...a: unknown[]) => unknown).bind(target);
          return (...args: Parameters<StorageApi['writeShare']>) => {
            count(args[3].length);
            return (value as StorageApi['writeShare']).apply(target, args);
          };
        },
      });
    },
  };
}
