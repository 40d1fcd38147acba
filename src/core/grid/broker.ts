/**
 * The StorageBroker port: how the grid client sees storage servers. The app implements it over
 * signaling presence and WebRTC links (connections opened on demand, capped); tests implement it
 * over the memory grid. Tahoe's StorageFarmBroker, reduced to what placement needs.
 * @module
 */
import { bytesToHex, utf8ToBytes } from '../bytes.js';
import type { StorageApi } from '../storage/api.js';

/** A server's identity: the bytes or text the grid announces it by (stable across sessions). */
export type NodeId = Uint8Array | string;

/** What presence tells about a server before any connection is opened to it. */
export interface ServerDescriptor {
  readonly nodeId: NodeId;
  /** A name its person chose; used in messages only. */
  readonly nickname?: string;
  /** Bytes it announced it can still take; undefined when not announced (then we ask). */
  readonly availableBytes?: number;
}

export interface StorageBroker {
  /** The servers present now (this tab's own node may be among them). */
  servers(): ServerDescriptor[];
  /**
   * A StorageApi for one server, connecting if needed. The broker may reuse, cap and close
   * connections; the grid client only asks for the servers placement or download needs.
   * Rejects when the server cannot be reached.
   */
  connect(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<StorageApi>;
}

/** The bytes a node id stands for (text as UTF-8): hashed into the ring and lease secrets. */
export function nodeIdBytes(id: NodeId): Uint8Array {
  if (typeof id === 'string') {
    if (id.length === 0) throw new RangeError('"nodeId" must not be empty');
    return utf8ToBytes(id);
  }
  if (!(id instanceof Uint8Array) || id.length === 0) throw new TypeError('"nodeId" expected a non-empty string or Uint8Array');
  return id;
}

/** A string key for maps and sets (the same for equal ids). */
export function nodeIdKey(id: NodeId): string {
  return typeof id === 'string' ? id : `0x${bytesToHex(id)}`;
}

/** How a server is named in messages a person reads: its nickname, else a short id. */
export function serverName(server: ServerDescriptor): string {
  if (server.nickname !== undefined && server.nickname.length > 0) return server.nickname;
  const key = nodeIdKey(server.nodeId);
  return key.length > 12 ? `${key.slice(0, 12)}…` : key;
}
