/**
 * Messages between the page and a codec worker, and which ArrayBuffers travel by transfer. Only
 * the big buffers move (segment data, blocks); the 32-byte hashes and the key are cloned.
 * @module
 */
import type {
  DecodedSegment,
  DecodeSegmentJob,
  EncodedSegment,
  EncodeSegmentJob,
  HashBlocksJob,
} from '../../core/immutable/segment.js';

export type WorkerRequest =
  | { readonly id: number; readonly op: 'encode'; readonly job: EncodeSegmentJob }
  | { readonly id: number; readonly op: 'decode'; readonly job: DecodeSegmentJob }
  | { readonly id: number; readonly op: 'hash'; readonly job: HashBlocksJob };

export type WorkerResult = EncodedSegment | DecodedSegment | Uint8Array[];

export type WorkerResponse =
  | { readonly id: number; readonly ok: true; readonly result: WorkerResult }
  | { readonly id: number; readonly ok: false; readonly name: string; readonly message: string };

/** The distinct ArrayBuffers under some views (never a SharedArrayBuffer: those cannot move). */
export function buffersOf(views: readonly Uint8Array[]): ArrayBuffer[] {
  const out = new Set<ArrayBuffer>();
  for (const v of views) if (v.buffer instanceof ArrayBuffer) out.add(v.buffer);
  return [...out];
}

/**
 * Makes every view own a buffer that the views cover exactly, so transferring it moves nothing
 * else of the caller's: views that already tile their buffer are left alone (the encoder and
 * decoder always hand such buffers); others are copied into one fresh buffer.
 */
export function exactViews(views: readonly Uint8Array[]): Uint8Array[] {
  const byBuffer = new Map<ArrayBufferLike, Uint8Array[]>();
  for (const v of views) byBuffer.set(v.buffer, [...(byBuffer.get(v.buffer) ?? []), v]);
  const tiled = new Set<ArrayBufferLike>();
  for (const [buffer, vs] of byBuffer) {
    if (!(buffer instanceof ArrayBuffer)) continue;
    const sorted = [...vs].sort((a, b) => a.byteOffset - b.byteOffset);
    let at = 0;
    let ok = true;
    for (const v of sorted) {
      if (v.byteOffset !== at) ok = false;
      at = v.byteOffset + v.byteLength;
    }
    if (ok && at === buffer.byteLength) tiled.add(buffer);
  }
  const loose = views.filter((v) => !tiled.has(v.buffer));
  if (loose.length === 0) return [...views];
  const copy = new Uint8Array(loose.reduce((n, v) => n + v.length, 0));
  const moved = new Map<Uint8Array, Uint8Array>();
  let at = 0;
  for (const v of loose) {
    copy.set(v, at);
    moved.set(v, copy.subarray(at, at + v.length));
    at += v.length;
  }
  return views.map((v) => moved.get(v) ?? v);
}

/** The buffers of a result to transfer back: blocks and data; hashes are cloned. */
export function resultBuffers(result: WorkerResult): ArrayBuffer[] {
  if (Array.isArray(result)) return [];
  if ('blocks' in result) return buffersOf(result.blocks);
  return buffersOf([result.data]);
}
