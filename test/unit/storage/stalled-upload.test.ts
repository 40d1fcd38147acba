/** A peer that allocates and then goes quiet does not keep the node's space: the next allocation after STALLED_UPLOAD_MS frees it. */
import { describe, expect, it } from 'vitest';
import { MemoryShareStore } from '../../../src/adapters/memory/memory-share-store.js';
import { STALLED_UPLOAD_MS } from '../../../src/core/limits.js';
import { CapacityExceededError, ShareNotAllocatedError } from '../../../src/core/storage/errors.js';
import { StorageServer } from '../../../src/core/storage/server.js';
import { patternBytes, si } from '../../contracts/share-store.contract.js';

const opts = () => ({ signal: new AbortController().signal });
const renew = patternBytes(32, 1);
const cancel = patternBytes(32, 2);

function node() {
  const clock = { t: 1_000_000, now() { return this.t; } };
  const server = new StorageServer({ store: new MemoryShareStore(), clock }, { nodeId: 'node-a', capacityBytes: 10_000 });
  return { server, clock };
}

describe('stalled uploads', () => {
  it('frees a quiet allocation for the next uploader, and the quiet one can no longer write', async () => {
    const { server, clock } = node();
    await server.allocateBuckets(si(1), renew, cancel, [0], 8_000, opts());
    clock.t += STALLED_UPLOAD_MS - 1;
    await expect(server.allocateBuckets(si(2), renew, cancel, [0], 8_000, opts())).rejects.toThrow(CapacityExceededError);
    clock.t += 2;
    expect((await server.allocateBuckets(si(2), renew, cancel, [0], 8_000, opts())).allocated).toEqual([0]);
    expect(server.stats().stalledUploads).toBe(1);
    await expect(server.writeShare(si(1), 0, 0, patternBytes(10, 3), opts())).rejects.toThrow(ShareNotAllocatedError);
    expect((await server.getVersion(opts())).usedBytes).toBe(8_000);
  });

  it('an uploader that keeps writing keeps its allocation', async () => {
    const { server, clock } = node();
    await server.allocateBuckets(si(1), renew, cancel, [0], 4_000, opts());
    for (let i = 0; i < 4; i++) {
      clock.t += STALLED_UPLOAD_MS / 2;
      await server.writeShare(si(1), 0, i * 1_000, patternBytes(1_000, i), opts());
      await server.allocateBuckets(si(10 + i), renew, cancel, [0], 10, opts());
    }
    await server.closeShare(si(1), 0, opts());
    expect(await server.listShares(si(1), opts())).toEqual([0]);
    // Only the first tiny allocation went quiet for longer than STALLED_UPLOAD_MS (three half-steps).
    expect(server.stats().stalledUploads).toBe(1);
  });
});
