/**
 * What the UI facade needs from this tab's node (node.ts implements it): the node's counters,
 * its capacity setting, uploads from a File and restores from a cap. Kept apart from node.ts so
 * the facade and its tests do not pull in WebRTC, IndexedDB or workers.
 * @module
 */
import type { IDBPDatabase } from 'idb';
import type { ChkReadCap, LitCap } from '../core/cap/types.js';
import type { GridClient } from '../core/grid/client.js';
import type { Clock } from '../core/grid/clock.js';
import type { SegmentRunner } from '../core/immutable/runner.js';
import type { GridBroker } from './broker.js';
import type { NodeDurability } from './durability.js';
import type { ResumeCallbacks } from './transfers.js';
import type { GridRef } from './links.js';
import type { Encoding } from './settings.js';

/** A peer of the grid as this tab knows it (what it announced over its link, if one is open). */
export interface PeerView {
  /** Its signaling peer id. */
  readonly id: string;
  /** 'connected': a proven link is open; 'present': in the grid's room, no link now. */
  readonly state: 'connected' | 'present';
  readonly nickname?: string;
  readonly capacityBytes?: number;
  readonly usedBytes?: number;
  readonly availableBytes?: number;
}

/** The node's state as the person sees it; a fresh object whenever something changed. */
export interface NodeSnapshot {
  /** This node's id (stable across reloads of this tab, from IndexedDB). */
  readonly nodeId: string;
  /** Storage peers this tab has an open, proven link to now (not counting itself). */
  readonly peerCount: number;
  /** Peers present in the grid's room (not counting itself), connected or not. */
  readonly presentCount: number;
  /** Bytes of shares this node holds or has reserved. */
  readonly usedBytes: number;
  /** The maximum the person set. */
  readonly capacityBytes: number;
  /** True once the signaling server told us who is present. */
  readonly joined: boolean;
  /** Why the node is not in the grid now (signaling lost, …), or undefined. */
  readonly problem?: string;
  /** The signaling server: 'down' means peers cannot be reached or found now. */
  readonly signaling?: 'connecting' | 'up' | 'down';
  /** The peers this tab knows: present in the room or linked (not itself). */
  readonly peers?: readonly PeerView[];
  /** The nickname this node announces. */
  readonly nickname?: string;
  /** The encoding this tab's uploads use now. */
  readonly encoding?: Encoding;
}

export interface UploadOutcome {
  readonly cap: ChkReadCap | LitCap;
  /** The readcap link for the file: cap, name and grid in the fragment. */
  readonly link: string;
}

export interface RestorePhase {
  readonly phase: 'waiting-for-grid' | 'finding-shares' | 'restoring';
  readonly bytesDone: number;
  readonly total: number;
}

/**
 * The node's parts, for app modules that build on the grid (folders, backup, health, restore
 * streaming): each takes what it needs from here rather than growing BricNode for every feature.
 */
export interface NodeServices {
  readonly grid: GridRef;
  readonly nodeId: string;
  /** The grid client, with the person's lease and convergence secrets. */
  readonly client: GridClient;
  /** Storage and slot servers of the grid's peers (and this node's own). */
  readonly broker: GridBroker;
  readonly runner: SegmentRunner;
  readonly clock: Clock;
  /** The person's secrets (per browser profile): lease secret for leases, convergence for keys. */
  readonly secrets: { readonly leaseSecret: Uint8Array; readonly convergenceSecret: Uint8Array };
  /** The bric IndexedDB database (GridDB). */
  readonly db: IDBPDatabase<unknown>;
  readonly durability: NodeDurability;
  /** The person's encoding now (settings): k, happy and N of their next uploads (and the happiness repair should aim for). */
  encoding?(): Encoding;
  /** Resolves once the signaling server has told this tab who is in the grid. */
  joined(signal: AbortSignal): Promise<void>;
  /** Makes the codec workers ready ahead of a first segment. */
  warmUp(): void;
}

export interface BricNode {
  readonly grid: GridRef;
  /** The node's parts (absent in the facade's unit-test fakes). */
  readonly services?: NodeServices;
  /** Finishes the uploads a reloaded or closed tab of this person left in this grid (absent in fakes). */
  resumePending?(o: ResumeCallbacks): Promise<readonly UploadOutcome[]>;
  snapshot(): NodeSnapshot;
  /** Calls `listener` after each change of the snapshot; returns the unsubscribe function. */
  subscribe(listener: (snapshot: NodeSnapshot) => void): () => void;
  /** Sets the node's maximum capacity (persisted); shares beyond it are refused before bytes flow. */
  setCapacity(bytes: number, opts: { signal: AbortSignal }): Promise<void>;
  /** Sets the person's nickname (persisted, announced to peers). */
  setNickname?(nickname: string, opts: { signal: AbortSignal }): Promise<void>;
  /** Sets the encoding of the next uploads (persisted; checked: 1 ≤ k ≤ happy ≤ N ≤ 256). */
  setEncoding?(encoding: Encoding, opts: { signal: AbortSignal }): Promise<void>;
  /** Uploads a file (streamed from the Blob) to the grid; progress is over every pass the upload makes. */
  upload(file: File, opts: { signal: AbortSignal; onProgress?(done: number, total: number): void }): Promise<UploadOutcome>;
  /**
   * Restores a file, streaming verified plaintext. Waits for the grid's presence list first (so
   * the peers that hold shares are known). Not enough shares → NotEnoughSharesError.
   */
  restore(cap: ChkReadCap | LitCap, opts: { signal: AbortSignal; onPhase?(phase: RestorePhase): void }): AsyncIterable<Uint8Array>;
  /** Leaves the grid, closes every link, releases the node identity and workers. */
  close(): void;
}
