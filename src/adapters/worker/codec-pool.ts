/**
 * SegmentRunner over a pool of Web Workers (ARCHITECTURE §2: encrypt · encode · hash off the page's
 * thread). One job per worker at a time, a FIFO queue, ArrayBuffers transferred both ways (the
 * caller's job buffers are detached once posted), AbortSignal honoured, worker failures named.
 * @module
 */
import { SegmentRunnerError } from '../../core/immutable/errors.js';
import type { SegmentRunner } from '../../core/immutable/runner.js';
import { CodecWorkerError } from './errors.js';
import { buffersOf, exactViews, type WorkerRequest, type WorkerResponse, type WorkerResult } from './protocol.js';

/** More workers than this only add memory: each holds a segment and its N blocks. */
const MAX_DEFAULT_WORKERS = 8;

export interface CodecPoolInit {
  /** Workers in the pool. @default navigator.hardwareConcurrency − 1 (the page keeps a core), 1 to 8 */
  size?: number;
  /** Makes one worker. @default the bundled codec.worker.ts as a module worker */
  createWorker?: () => Worker;
}

type Op = WorkerRequest['op'];
interface Pending {
  readonly id: number;
  readonly op: Op;
  readonly job: WorkerRequest['job'];
  readonly transfer: ArrayBuffer[];
  readonly signal: AbortSignal;
  readonly resolve: (r: WorkerResult) => void;
  readonly reject: (e: unknown) => void;
  readonly onAbort: () => void;
}
interface Slot {
  worker: Worker;
  job: Pending | undefined;
}

function defaultSize(): number {
  const cores = typeof navigator !== 'undefined' ? navigator.hardwareConcurrency : undefined;
  return Math.max(1, Math.min(MAX_DEFAULT_WORKERS, (cores ?? 2) - 1));
}

function defaultWorker(): Worker {
  return new Worker(new URL('./codec.worker.ts', import.meta.url), { type: 'module' });
}

/** Views the caller hands over, made exact and listed for transfer. */
function prepare(op: Op, job: WorkerRequest['job']): { job: WorkerRequest['job']; transfer: ArrayBuffer[] } {
  if (op === 'encode') {
    const j = job as Extract<WorkerRequest, { op: 'encode' }>['job'];
    const [data] = exactViews([j.data]);
    return { job: { ...j, data: data! }, transfer: buffersOf([data!]) };
  }
  const j = job as { blocks: Uint8Array[] };
  const blocks = exactViews(j.blocks);
  return { job: { ...job, blocks } as WorkerRequest['job'], transfer: buffersOf(blocks) };
}

export function createCodecPool(init: CodecPoolInit = {}): SegmentRunner {
  const size = init.size ?? defaultSize();
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`"size" must be a whole number ≥ 1, got ${size}`);
  const createWorker = init.createWorker ?? defaultWorker;
  const slots: Slot[] = [];
  const queue: Pending[] = [];
  let nextId = 1;
  let closed = false;

  const settle = (job: Pending): void => job.signal.removeEventListener('abort', job.onAbort);

  const fail = (slot: Slot, err: CodecWorkerError): void => {
    // A worker that errored outside a job reply may be broken: replace it.
    const job = slot.job;
    slot.job = undefined;
    slot.worker.terminate();
    slots.splice(slots.indexOf(slot), 1);
    if (job !== undefined) {
      settle(job);
      job.reject(err);
    }
    pump();
  };

  const spawn = (): Slot => {
    const slot: Slot = { worker: createWorker(), job: undefined };
    slot.worker.onmessage = (ev: MessageEvent<WorkerResponse>) => {
      const job = slot.job;
      const res = ev.data;
      if (job === undefined || res.id !== job.id) return; // a reply to an aborted job
      slot.job = undefined;
      settle(job);
      if (res.ok) job.resolve(res.result);
      else job.reject(new CodecWorkerError(`the codec worker's ${job.op} job failed: ${res.name}: ${res.message}`, res.name));
      pump();
    };
    slot.worker.onerror = (ev: ErrorEvent) => {
      ev.preventDefault();
      fail(slot, new CodecWorkerError(`a codec worker failed: ${ev.message || 'it could not be started or crashed'}`));
    };
    slot.worker.onmessageerror = () => fail(slot, new CodecWorkerError('a codec worker sent a message that could not be read'));
    slots.push(slot);
    return slot;
  };

  function pump(): void {
    while (queue.length > 0 && !closed) {
      const slot = slots.find((s) => s.job === undefined) ?? (slots.length < size ? spawn() : undefined);
      if (slot === undefined) return;
      const job = queue.shift()!;
      slot.job = job;
      try {
        slot.worker.postMessage({ id: job.id, op: job.op, job: job.job } as WorkerRequest, job.transfer);
      } catch (err) {
        slot.job = undefined;
        settle(job);
        job.reject(new CodecWorkerError(`the ${job.op} job could not be posted to a codec worker: ${(err as Error).message}`));
      }
    }
  }

  function submit(op: Op, rawJob: WorkerRequest['job'], opts: { signal: AbortSignal }): Promise<WorkerResult> {
    if (closed) return Promise.reject(new SegmentRunnerError('the codec pool is closed'));
    const { signal } = opts;
    if (signal.aborted) return Promise.reject(signal.reason);
    const { job, transfer } = prepare(op, rawJob);
    return new Promise<WorkerResult>((resolve, reject) => {
      const pending: Pending = {
        id: nextId++,
        op,
        job,
        transfer,
        signal,
        resolve,
        reject,
        onAbort: () => {
          const at = queue.indexOf(pending);
          if (at >= 0) queue.splice(at, 1);
          // A running job cannot be interrupted (its work is synchronous and short); its reply is dropped.
          const slot = slots.find((s) => s.job === pending);
          if (slot !== undefined) slot.job = undefined;
          reject(signal.reason);
          pump();
        },
      };
      signal.addEventListener('abort', pending.onAbort, { once: true });
      queue.push(pending);
      pump();
    });
  }

  return {
    concurrency: size,
    encodeSegment: (job, opts) => submit('encode', job, opts) as ReturnType<SegmentRunner['encodeSegment']>,
    decodeSegment: (job, opts) => submit('decode', job, opts) as ReturnType<SegmentRunner['decodeSegment']>,
    hashBlocks: (job, opts) => submit('hash', job, opts) as ReturnType<SegmentRunner['hashBlocks']>,
    close() {
      closed = true;
      const err = new SegmentRunnerError('the codec pool is closed');
      for (const job of queue.splice(0)) {
        settle(job);
        job.reject(err);
      }
      for (const slot of slots.splice(0)) {
        slot.worker.terminate();
        if (slot.job !== undefined) {
          settle(slot.job);
          slot.job.reject(err);
        }
      }
    },
  };
}
