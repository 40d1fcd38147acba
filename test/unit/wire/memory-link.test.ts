/** The PeerLink contract (test/contracts/peer-link.contract.ts) against MemoryLink, with and without latency. */
import { describe, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';
import { realClock } from '../../../src/adapters/rtc/clock.js';
import { peerLinkContract } from '../../contracts/peer-link.contract.js';

for (const [label, init] of [
  ['no latency', {}],
  ['1 ms latency, 256 KiB watermark', { latency: 1, highWatermarkBytes: 256 * 1024 }],
] as const) {
  describe(`MemoryLink (${label})`, () => {
    for (const c of peerLinkContract) {
      it(c.name, () => c.run({ makePair: async () => createMemoryLinkPair(init), clock: realClock }));
    }
  });
}
