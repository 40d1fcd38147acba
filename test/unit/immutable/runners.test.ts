/**
 * Both SegmentRunners under the contract; the worker pool here runs its real dispatch behind
 * Node MessageChannels (real structured clone and transfer), with failures injected.
 */
import { describe, expect, it } from 'vitest';
import { createCodecPool } from '../../../src/adapters/worker/codec-pool.js';
import { handleRequest } from '../../../src/adapters/worker/dispatch.js';
import type { WorkerRequest } from '../../../src/adapters/worker/protocol.js';
import { webSha256 } from '../../../src/adapters/worker/web-sha256.js';
import { SegmentRunnerError } from '../../../src/core/immutable/errors.js';
import { createInThreadRunner } from '../../../src/core/immutable/runner.js';
import { segmentRunnerContract } from './_runner-contract.js';

interface FakeWorkerOptions {
  /** Before handling a request: 'crash' fires onerror instead; 'hang' never answers. */
  fault?: (req: WorkerRequest) => 'crash' | 'hang' | undefined;
}

/** A Worker stand-in: the real dispatch on the far side of a MessageChannel. */
class ChannelWorker {
  onmessage: ((ev: MessageEvent) => void) | null = null;
  onerror: ((ev: ErrorEvent) => void) | null = null;
  onmessageerror: (() => void) | null = null;
  terminated = false;
  private readonly channel = new MessageChannel();

  constructor(opts: FakeWorkerOptions = {}) {
    this.channel.port2.onmessage = (ev: MessageEvent<WorkerRequest>) => {
      const fault = opts.fault?.(ev.data);
      if (fault === 'crash') {
        queueMicrotask(() => this.onerror?.({ message: 'Uncaught InternalError: too much recursion', preventDefault() {} } as ErrorEvent));
        return;
      }
      if (fault === 'hang') return;
      void handleRequest(ev.data, webSha256).then(({ response, transfer }) => this.channel.port2.postMessage(response, transfer));
    };
    this.channel.port1.onmessage = (ev: MessageEvent) => this.onmessage?.(ev);
  }

  postMessage(message: unknown, transfer: Transferable[]): void {
    this.channel.port1.postMessage(message, transfer);
  }

  terminate(): void {
    this.terminated = true;
    this.channel.port1.close();
    this.channel.port2.close();
  }
}

segmentRunnerContract('in-thread (noble)', () => createInThreadRunner());
segmentRunnerContract('in-thread (WebCrypto)', () => createInThreadRunner({ sha256: webSha256 }));
segmentRunnerContract('codec pool of 3 (MessageChannel workers)', () => createCodecPool({ size: 3, createWorker: () => new ChannelWorker() as unknown as Worker }));

const signal = new AbortController().signal;
const encodeJob = (data = new Uint8Array(3000).fill(1)) => ({ k: 3, n: 5, segmentIndex: 0, offset: 0, length: data.length, cipherKey: new Uint8Array(32), data });

function pool(size: number, opts: FakeWorkerOptions = {}) {
  const workers: ChannelWorker[] = [];
  const runner = createCodecPool({ size, createWorker: () => (workers.push(new ChannelWorker(opts)), workers.at(-1) as unknown as Worker) });
  return { runner, workers };
}

describe('createCodecPool', () => {
  it('transfers the job buffer (the caller’s view is detached) and hands back buffers of its own', async () => {
    const { runner } = pool(1);
    const data = new Uint8Array(3000).fill(7);
    const pending = runner.encodeSegment(encodeJob(data), { signal });
    expect(data.buffer.byteLength).toBe(0);
    const r = await pending;
    expect(r.blocks[0]!.buffer.byteLength).toBe(3000);
    expect(r.blocks[4]!.length).toBe(1000);
    runner.close();
  });

  it('copies views that do not cover their buffer instead of moving the caller’s other bytes', async () => {
    const { runner } = pool(1);
    const big = new Uint8Array(10_000).fill(3);
    const r = await runner.hashBlocks({ blocks: [big.subarray(100, 200), big.subarray(500, 600)] }, { signal });
    expect(r).toHaveLength(2);
    expect(big.length).toBe(10_000);
    expect(big[150]).toBe(3);
    runner.close();
  });

  it('runs jobs on at most `size` workers and answers every one', async () => {
    const { runner, workers } = pool(3);
    expect(runner.concurrency).toBe(3);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => runner.encodeSegment({ ...encodeJob(), segmentIndex: i }, { signal })));
    expect(results.map((r) => r.segmentIndex)).toEqual(Array.from({ length: 12 }, (_, i) => i));
    expect(workers.length).toBe(3);
    runner.close();
    expect(workers.every((w) => w.terminated)).toBe(true);
  });

  it('aborting a queued or a running job rejects it with the reason; the pool goes on', async () => {
    const { runner } = pool(1, { fault: (req) => (req.op === 'hash' && req.job.blocks.length === 3 ? 'hang' : undefined) });
    const running = new AbortController();
    const queued = new AbortController();
    const hung = runner.hashBlocks({ blocks: [new Uint8Array(1), new Uint8Array(1), new Uint8Array(1)] }, { signal: running.signal });
    const waiting = runner.encodeSegment(encodeJob(), { signal: queued.signal });
    queued.abort(new Error('queued job cancelled'));
    await expect(waiting).rejects.toThrow('queued job cancelled');
    running.abort(new Error('running job cancelled'));
    await expect(hung).rejects.toThrow('running job cancelled');
    expect((await runner.encodeSegment(encodeJob(), { signal })).blocks).toHaveLength(5);
    runner.close();
  });

  it('a job that throws in the worker is a CodecWorkerError naming the remote error', async () => {
    const { runner } = pool(2);
    const err = await runner.encodeSegment({ ...encodeJob(new Uint8Array(3001)), length: 3001 }, { signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SegmentRunnerError);
    expect(err).toMatchObject({ name: 'CodecWorkerError', remoteName: 'RangeError' });
    expect((err as Error).message).toMatch(/encode job failed: RangeError: segment 0/);
    runner.close();
  });

  it('a crashed worker fails its job with a CodecWorkerError and is replaced', async () => {
    let crashes = 1;
    const { runner, workers } = pool(1, { fault: () => (crashes-- > 0 ? 'crash' : undefined) });
    const err = await runner.encodeSegment(encodeJob(), { signal }).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CodecWorkerError' });
    expect((err as Error).message).toMatch(/a codec worker failed: Uncaught InternalError/);
    expect((await runner.encodeSegment(encodeJob(), { signal })).blocks).toHaveLength(5);
    expect(workers.length).toBe(2);
    expect(workers[0]!.terminated).toBe(true);
    runner.close();
  });

  it('close() rejects what is pending and refuses new work', async () => {
    const { runner } = pool(1, { fault: () => 'hang' });
    const pending = runner.encodeSegment(encodeJob(), { signal });
    runner.close();
    await expect(pending).rejects.toThrow('the codec pool is closed');
    await expect(runner.hashBlocks({ blocks: [] }, { signal })).rejects.toBeInstanceOf(SegmentRunnerError);
  });

  it('refuses a pool of no workers', () => {
    expect(() => createCodecPool({ size: 0, createWorker: () => new ChannelWorker() as unknown as Worker })).toThrow(RangeError);
  });
});
