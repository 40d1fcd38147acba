/**
 * The permuted ring (Tahoe's permute_server_hash): for each file, servers sorted by
 * H(storage index ‖ node id). Each file gets its own order, so load spreads evenly and every
 * client finds a file's shares by walking the same order the uploader used.
 * @module
 */
import { assertBytes, concatBytes } from '../bytes.js';
import { taggedHash } from '../hash/tagged.js';
import { TAG_PERMUTE_SERVER } from '../hash/tags.js';
import { nodeIdBytes, nodeIdKey, type ServerDescriptor } from './broker.js';

/** A server's position on the ring of one storage index (32 bytes, compared as big-endian). */
export function ringPosition(storageIndex: Uint8Array, server: ServerDescriptor): Uint8Array {
  return taggedHash(TAG_PERMUTE_SERVER, concatBytes(storageIndex, nodeIdBytes(server.nodeId)));
}

/**
 * Servers in the order shares go to them for this storage index. Duplicate node ids are kept
 * once (presence may list a node twice while it reconnects). Deterministic: any client computes
 * the same order from the same set of servers.
 */
export function permuteServers<T extends ServerDescriptor>(storageIndex: Uint8Array, servers: readonly T[]): T[] {
  assertBytes(storageIndex, 'storageIndex');
  const seen = new Set<string>();
  const keyed: { server: T; position: Uint8Array; key: string }[] = [];
  for (const server of servers) {
    const key = nodeIdKey(server.nodeId);
    if (seen.has(key)) continue;
    seen.add(key);
    keyed.push({ server, position: ringPosition(storageIndex, server), key });
  }
  keyed.sort((a, b) => compareBytes(a.position, b.position) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.server);
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}
