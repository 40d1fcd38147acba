/** What every PeerLink inherits from BaseLink (held frames, their bound, receiver failures, close), seen through MemoryLink. */
import { describe, expect, it } from 'vitest';
import { createMemoryLinkPair } from '../../../src/adapters/memory/memory-link.js';

const signal = (): AbortSignal => new AbortController().signal;
const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

describe('BaseLink', () => {
  it('holds frames while nobody receives, and closes past the bound', async () => {
    const [a, b] = createMemoryLinkPair({ maxHeldFrames: 3 });
    for (let i = 0; i < 3; i++) await a.send(new Uint8Array([i]), { signal: signal() });
    await tick();
    expect(b.closed).toBe(false);
    const reason = new Promise<string>((r) => b.onClose(r));
    await a.send(new Uint8Array([3]), { signal: signal() });
    expect(await reason).toContain('nobody receiving');
  });

  it('hands held frames to the next receiver in order, then live ones', async () => {
    const [a, b] = createMemoryLinkPair();
    const got: number[] = [];
    const off = b.onMessage((f) => got.push(f[0]!));
    await a.send(new Uint8Array([0]), { signal: signal() });
    await tick();
    off();
    await a.send(new Uint8Array([1]), { signal: signal() });
    await a.send(new Uint8Array([2]), { signal: signal() });
    await tick();
    expect(got).toEqual([0]);
    b.onMessage((f) => got.push(f[0]! + 10));
    await a.send(new Uint8Array([3]), { signal: signal() });
    await tick();
    expect(got).toEqual([0, 11, 12, 13]);
  });

  it('a receiver that throws closes the link with the reason', async () => {
    const [a, b] = createMemoryLinkPair();
    b.onMessage(() => {
      throw new Error('bug in the receiver');
    });
    const reason = new Promise<string>((r) => b.onClose(r));
    await a.send(new Uint8Array([1]), { signal: signal() });
    expect(await reason).toContain('bug in the receiver');
  });

  it('a send waiting on backpressure rejects with the abort reason and queues nothing', async () => {
    const [a, b] = createMemoryLinkPair({ latency: 5, highWatermarkBytes: 10 });
    b.onMessage(() => {});
    await a.send(new Uint8Array(20), { signal: signal() });
    const ac = new AbortController();
    const waiting = a.send(new Uint8Array(1), { signal: ac.signal });
    ac.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    expect(a.stats.framesSent).toBe(1);
  });

  it('drop() closes both ends at once and loses frames on their way', async () => {
    const [a, b] = createMemoryLinkPair({ latency: 5 });
    const got: Uint8Array[] = [];
    b.onMessage((f) => got.push(f));
    await a.send(new Uint8Array([1]), { signal: signal() });
    a.drop('cable cut');
    expect(a.closed && b.closed).toBe(true);
    await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual([]);
    let reason = '';
    b.onClose((r) => (reason = r));
    expect(reason).toBe('cable cut');
  });

  it('a graceful close reaches the peer after the frames sent before it', async () => {
    const [a, b] = createMemoryLinkPair({ latency: 2 });
    const events: string[] = [];
    b.onMessage((f) => events.push(`frame ${f[0]}`));
    b.onClose(() => events.push('closed'));
    await a.send(new Uint8Array([1]), { signal: signal() });
    await a.send(new Uint8Array([2]), { signal: signal() });
    a.close();
    await new Promise((r) => setTimeout(r, 30));
    expect(events).toEqual(['frame 1', 'frame 2', 'closed']);
  });
});
