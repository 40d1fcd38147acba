/**
 * Harness for test/e2e/resume.spec.ts: a full node on the harness page (src/app/node.ts, in the
 * grid a path's fragment names) driving ResumableUploads (src/app/resume.ts): start an upload of
 * random bytes that pauses once its first pass's shares are closed and recorded, then, after the
 * page reloads, resume it and say what was sent.
 */
import { bytesToHex } from '../../../src/core/bytes.js';
import { computeShareSize } from '../../../src/core/immutable/layout.js';
import { parseFragment } from '../../../src/app/links.js';
import { startNode } from '../../../src/app/node.js';
import type { BricNode } from '../../../src/app/node-api.js';
import { ResumableUploads } from '../../../src/app/resume.js';

let node: BricNode | undefined;
let uploads: ResumableUploads | undefined;
let paused: Promise<readonly number[]> | undefined;

/** Starts this page's node in the grid `path` names; resolves once `peers` storage peers are connected. */
export async function start(path: string, peers: number): Promise<string> {
  node = await startNode(parseFragment(new URL(path, location.origin).hash), { signal: AbortSignal.timeout(60_000) });
  const services = node.services!;
  await services.joined(AbortSignal.timeout(60_000));
  await new Promise<void>((resolve) => {
    const check = (s: { peerCount: number }): void => {
      if (s.peerCount >= peers) (off(), resolve());
    };
    const off = node!.subscribe(check);
    check(node!.snapshot());
  });
  uploads = new ResumableUploads(services);
  return services.nodeId;
}

async function sha256Hex(blob: Blob): Promise<string> {
  return bytesToHex(new Uint8Array(await crypto.subtle.digest('SHA-256', await blob.arrayBuffer())));
}

/**
 * Starts uploading `size` random bytes; the upload stops (for good: the page is about to reload)
 * once its first pass's shares are closed and in the pending record. Resolves with the file's hash.
 */
export async function beginUpload(size: number): Promise<{ sha256: string; shareSize: number }> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i += 65536) crypto.getRandomValues(bytes.subarray(i, Math.min(size, i + 65536)));
  const file = new File([bytes], 'resumed.bin', { type: 'application/octet-stream' });
  const client = node!.services!.client;
  let reached!: (shares: readonly number[]) => void;
  paused = new Promise((resolve) => (reached = resolve));
  void uploads!
    .upload(file, {
      signal: new AbortController().signal,
      onClosed: (shares) => {
        reached(shares);
        return new Promise<void>(() => undefined); // never: the tab goes away here
      },
    })
    .catch(() => undefined);
  return { sha256: await sha256Hex(file), shareSize: computeShareSize({ k: client.k, n: client.n, segmentSize: client.segmentSize }, size) };
}

/** Resolves with the shares the first pass closed, once they are recorded. */
export async function whenPaused(): Promise<readonly number[]> {
  return [...(await paused!)];
}

/** What this grid has pending in the durability database (after a reload: what the last visit left). */
export async function pending(): Promise<{ name: string; closedShares: number[]; attempts: number }[]> {
  return (await uploads!.pending()).map((u) => ({ name: u.name, closedShares: [...u.closedShares], attempts: u.attempts }));
}

/** Finishes what is pending; the outcome of each, and the hash of the file as stored. */
export async function resumeAll(): Promise<{ link: string; name: string; skippedShares: number[]; bytesWritten: number }[]> {
  const done = await uploads!.resumePending({ signal: AbortSignal.timeout(120_000) });
  return done.map((o) => ({ link: o.link, name: o.name, skippedShares: [...o.skippedShares], bytesWritten: o.bytesWritten }));
}

declare global {
  interface BricHarness {
    resume: typeof import('./resume.js');
  }
}
