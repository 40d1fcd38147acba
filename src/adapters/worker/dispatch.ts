/**
 * What a codec worker does with one request: call the core segment function, wipe the key copy,
 * and say which buffers go back by transfer. Kept apart from the worker shell so tests can run it
 * behind a MessageChannel in Node.
 * @module
 */
import { decodeSegment, encodeSegment, hashBlocks } from '../../core/immutable/segment.js';
import type { Sha256Digest } from '../../core/immutable/bulk-hash.js';
import { resultBuffers, type WorkerRequest, type WorkerResponse } from './protocol.js';

export async function handleRequest(req: WorkerRequest, digest: Sha256Digest): Promise<{ response: WorkerResponse; transfer: ArrayBuffer[] }> {
  try {
    let result;
    switch (req.op) {
      case 'encode':
        result = await encodeSegment(req.job, digest).finally(() => req.job.cipherKey.fill(0));
        break;
      case 'decode':
        result = await decodeSegment(req.job, digest).finally(() => req.job.decrypt?.cipherKey.fill(0));
        break;
      case 'hash':
        result = await hashBlocks(req.job, digest);
        break;
      default:
        throw new TypeError(`unknown codec worker operation ${String((req as { op: unknown }).op)}`);
    }
    return { response: { id: req.id, ok: true, result }, transfer: resultBuffers(result) };
  } catch (err) {
    const e = err instanceof Error ? err : new Error(String(err));
    return { response: { id: req.id, ok: false, name: e.name, message: e.message }, transfer: [] };
  }
}
