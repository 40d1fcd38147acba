/**
 * Retrieving a version (Tahoe's mutable/retrieve.py): from the servermap's best recoverable
 * version, fetch whole shares (the map often read them already), verify each down to its block
 * against the signed root, decode k of them and decrypt. A bad share is reported to its server
 * and replaced by another copy or share number; if the version cannot be rebuilt, the next best
 * recoverable one is tried (an older, authentic version), never anything unsigned.
 * @module
 */
import { equalBytes } from '../bytes.js';
import { withDeadline, type Clock } from '../grid/clock.js';
import { BadMutableShareError, UnrecoverableFileError } from './errors.js';
import { mutableShareSize, parseMutableShare } from './layout.js';
import type { ServerMap, SeenShare, VersionInfo } from './servermap.js';
import { decodeVersion, verifyShareBody } from './version.js';

export interface RetrievedVersion {
  readonly contents: Uint8Array;
  readonly version: VersionInfo;
}

/** Reads one share whole and checks it; undefined (and the problem recorded and reported) when it is bad or unreadable. */
async function fetchBlock(map: ServerMap, seen: SeenShare, version: VersionInfo, clock: Clock, timeoutMs: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
  const size = mutableShareSize(version.header);
  let bytes = seen.complete ? seen.prefix : undefined;
  try {
    if (bytes === undefined) {
      const read = await withDeadline(clock, timeoutMs, signal, `peer ${seen.holder.name}`, (s) =>
        seen.holder.api.slotReadv(map.storageIndex, [seen.shareNum], [{ offset: 0, length: size }], { signal: s }),
      );
      bytes = read.get(seen.shareNum)?.[0];
      if (bytes === undefined) throw new BadMutableShareError(seen.shareNum, 'the server no longer holds it');
    }
    const share = parseMutableShare(bytes, seen.shareNum);
    // The map verified this header's signature under the cap's key; the block must hash up to its root.
    if (!equalBytes(share.headerBytes, version.headerBytes)) throw new BadMutableShareError(seen.shareNum, 'it changed to another version since the servermap read it');
    verifyShareBody(share);
    return share.block;
  } catch (error) {
    signal.throwIfAborted();
    map.problems.push({ server: seen.holder.name, shareNum: seen.shareNum, error: error as Error });
    if (error instanceof BadMutableShareError) {
      void withDeadline(clock, timeoutMs, new AbortController().signal, `peer ${seen.holder.name}`, (s) =>
        // 300 UTF-16 units are at most 900 bytes of UTF-8: under MAX_CORRUPT_REASON_BYTES.
        seen.holder.api.adviseCorruptSlotShare(map.storageIndex, seen.shareNum, error.message.slice(0, 300), { signal: s }),
      ).catch(() => undefined);
    }
    return undefined;
  }
}

/** The contents of one version, or undefined when fewer than k of its shares verify. */
async function retrieveOne(map: ServerMap, version: VersionInfo, readKey: Uint8Array, clock: Clock, timeoutMs: number, signal: AbortSignal): Promise<Uint8Array | undefined> {
  // Copies the map read whole first (no round trip), then the rest in ring order.
  const candidates = map.sharesOf(version.id).sort((a, b) => Number(b.complete) - Number(a.complete) || a.holder.ringIndex - b.holder.ringIndex);
  const blocks = new Map<number, Uint8Array>();
  const tried = new Set<SeenShare>();
  while (blocks.size < version.header.k) {
    const wanted = version.header.k - blocks.size;
    const batch: SeenShare[] = [];
    for (const c of candidates) {
      if (batch.length >= wanted) break;
      if (tried.has(c) || blocks.has(c.shareNum) || batch.some((b) => b.shareNum === c.shareNum)) continue;
      batch.push(c);
    }
    if (batch.length === 0) return undefined;
    const got = await Promise.all(batch.map(async (c) => {
      tried.add(c);
      return [c.shareNum, await fetchBlock(map, c, version, clock, timeoutMs, signal)] as const;
    }));
    for (const [shareNum, block] of got) if (block !== undefined) blocks.set(shareNum, block);
  }
  return decodeVersion(version.header, readKey, blocks);
}

/**
 * The best version the map can rebuild. @throws UnrecoverableFileError naming what was found,
 * when no version has k good shares (including a file no server holds).
 */
export async function retrieveBest(map: ServerMap, readKey: Uint8Array, clock: Clock, timeoutMs: number, signal: AbortSignal): Promise<RetrievedVersion> {
  for (const version of map.recoverableVersions()) {
    const contents = await retrieveOne(map, version, readKey, clock, timeoutMs, signal);
    if (contents !== undefined) return { contents, version };
  }
  throw new UnrecoverableFileError(describeUnrecoverable(map));
}

function describeUnrecoverable(map: ServerMap): string {
  if (map.versions.size === 0 && map.problems.length === 0) {
    return `no server of the ${map.servers.length} that answered holds a share of this mutable file`;
  }
  const best = [...map.versions.values()].sort((a, b) => b.header.seqnum - a.header.seqnum)[0];
  const have = best === undefined ? 'no authentic share' : `version ${best.header.seqnum} has ${best.shareNums.size} of the ${best.header.k} shares needed`;
  const why = map.problems.slice(0, 5).map((p) => `${p.server}: ${p.error.message}`).join('; ');
  return `this mutable file cannot be read: ${have}${why === '' ? '' : ` (problems: ${why})`}`;
}
