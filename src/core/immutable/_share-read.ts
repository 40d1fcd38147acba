/**
 * Reading untrusted share bytes: every read must return exactly what was asked for, a failed read
 * names the share, and an abort stays an abort. Hash-tree regions are read whole when small, else
 * only the nodes a segment needs, coalesced into runs.
 * @module
 */
import { HASH_BYTES } from '../hash/hashtree.js';
import { BadShareError, ShareUnavailableError } from './errors.js';
import type { ShareReader } from './source.js';

/** A tree region up to this size is read in one go when the share is opened (a 4 GiB file at 1 MiB segments). */
export const WHOLE_TREE_READ_BYTES = 256 * 1024;

export async function readExact(
  reader: ShareReader,
  offset: number,
  length: number,
  what: string,
  signal: AbortSignal,
): Promise<Uint8Array> {
  let got: unknown;
  try {
    got = await reader.read(offset, length, { signal });
  } catch (err) {
    if (signal.aborted) throw signal.reason ?? err;
    const why = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    throw new ShareUnavailableError(reader.shareNum, `reading its ${what} failed (${why})`, { cause: err });
  }
  if (!(got instanceof Uint8Array) || got.length !== length) {
    const len = got instanceof Uint8Array ? `${got.length} bytes` : `a ${typeof got}`;
    throw new BadShareError(reader.shareNum, `asked for ${length} bytes of its ${what} at offset ${offset}, got ${len} (truncated)`);
  }
  return got;
}

/** The nodes of one hash tree stored in a share, `nodeCount` × 32 bytes from `offset`. */
export class TreeRegion {
  constructor(
    private readonly reader: ShareReader,
    private readonly offset: number,
    readonly nodeCount: number,
    private readonly what: string,
  ) {}

  get small(): boolean {
    return this.nodeCount * HASH_BYTES <= WHOLE_TREE_READ_BYTES;
  }

  /** Every node, node index → hash. */
  async all(signal: AbortSignal): Promise<Map<number, Uint8Array>> {
    const bytes = await readExact(this.reader, this.offset, this.nodeCount * HASH_BYTES, this.what, signal);
    return splitNodes(bytes, 0);
  }

  /** The given nodes, one read per run of consecutive indices, the runs read in parallel. */
  async nodes(indices: number[], signal: AbortSignal): Promise<Map<number, Uint8Array>> {
    const sorted = [...new Set(indices)].sort((a, b) => a - b);
    const runs: [number, number][] = [];
    for (const i of sorted) {
      if (i < 0 || i >= this.nodeCount) throw new RangeError(`node ${i} is outside the ${this.what}`);
      const last = runs[runs.length - 1];
      if (last !== undefined && last[0] + last[1] === i) last[1]++;
      else runs.push([i, 1]);
    }
    const parts = await Promise.all(
      runs.map(([first, count]) =>
        readExact(this.reader, this.offset + first * HASH_BYTES, count * HASH_BYTES, this.what, signal).then((b) => splitNodes(b, first)),
      ),
    );
    return new Map(parts.flatMap((m) => [...m]));
  }
}

function splitNodes(bytes: Uint8Array, first: number): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  for (let i = 0; i * HASH_BYTES < bytes.length; i++) out.set(first + i, bytes.slice(i * HASH_BYTES, (i + 1) * HASH_BYTES));
  return out;
}
