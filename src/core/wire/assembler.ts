/**
 * Reassembly of rpc messages from their frames (layout in frame.ts), bounded: each message by
 * MAX_RPC_MESSAGE_BYTES, all messages in progress on a link together by MAX_RPC_REASSEMBLY_BYTES.
 * A message that fits one frame is handed on as a view, without a copy.
 * @module
 */
import { MAX_RPC_METHOD_CHARS } from '../limits.js';
import { FrameError } from './errors.js';
import { type Frame, FrameKind, readNamePrefix } from './frame.js';

export interface Assembled {
  /** The method, for a REQUEST. */
  method?: string;
  /** The payload (for an ERROR, its whole body): a view when the message fit one frame. */
  payload: Uint8Array;
}

interface Partial {
  kind: FrameKind;
  total: number;
  received: number;
  /** Body bytes before the payload (a request's method); they are not copied into `buf`. */
  skip: number;
  /** null while discarding a message we refused (its frames are followed, not kept). */
  buf: Uint8Array | null;
  method?: string;
}

/** A refused message was followed to its end (nothing to hand on). */
export const DISCARDED: unique symbol = Symbol('discarded');

export class Reassembler {
  private readonly partials = new Map<string, Partial>();
  private reservedBytes = 0;

  constructor(
    private readonly maxMessageBytes: number,
    private readonly maxTotalBytes: number,
  ) {}

  /** Requests and replies have separate id spaces (each side numbers its own requests). */
  static key(kind: FrameKind, id: number): string {
    return (kind === FrameKind.REQUEST ? 'q' : 'r') + id;
  }

  has(key: string): boolean {
    return this.partials.has(key);
  }

  /** Bytes reserved for messages in progress. */
  get bytesInProgress(): number {
    return this.reservedBytes;
  }

  /**
   * Takes the next frame of a message. Returns the message when this frame completes it, null
   * when more frames are due, DISCARDED when a refused message ended. Throws FrameError (and
   * forgets the message) when the frame does not continue it exactly.
   */
  push(f: Frame, discard = false): Assembled | null | typeof DISCARDED {
    const key = Reassembler.key(f.kind, f.id);
    const p = this.partials.get(key);
    if (!p) return this.start(key, f, discard);
    if (p.kind !== f.kind || p.total !== f.total || p.received !== f.offset) {
      this.discard(key);
      throw new FrameError(`a frame of message ${f.id} does not continue it (kind ${f.kind}, offset ${f.offset}, expected ${p.received} of ${p.total})`);
    }
    p.buf?.set(f.body, f.offset - p.skip);
    p.received += f.body.length;
    if (p.received < p.total) return null;
    this.discard(key);
    if (!p.buf) return DISCARDED;
    return p.method === undefined ? { payload: p.buf } : { method: p.method, payload: p.buf };
  }

  private start(key: string, f: Frame, discard: boolean): Assembled | null | typeof DISCARDED {
    if (f.offset !== 0) throw new FrameError(`a frame continues message ${f.id}, which never started`);
    if (f.total > this.maxMessageBytes) throw new FrameError(`a message of ${f.total} bytes is over the limit of ${this.maxMessageBytes}`);
    let skip = 0;
    let method: string | undefined;
    if (f.kind === FrameKind.REQUEST) {
      ({ name: method, end: skip } = readNamePrefix(f.body, 'method', MAX_RPC_METHOD_CHARS));
    }
    const whole = f.body.length === f.total;
    if (discard) {
      if (whole) return DISCARDED;
      this.partials.set(key, { kind: f.kind, total: f.total, received: f.body.length, skip, buf: null });
      return null;
    }
    if (whole) {
      const payload = f.body.subarray(skip);
      return method === undefined ? { payload } : { method, payload };
    }
    if (this.reservedBytes + f.total > this.maxTotalBytes) {
      throw new FrameError(`a message of ${f.total} bytes would put more than ${this.maxTotalBytes} bytes in reassembly`);
    }
    const buf = new Uint8Array(f.total - skip);
    buf.set(f.body.subarray(skip));
    this.reservedBytes += f.total;
    const p: Partial = { kind: f.kind, total: f.total, received: f.body.length, skip, buf };
    if (method !== undefined) p.method = method;
    this.partials.set(key, p);
    return null;
  }

  /** Forgets a message in progress (cancelled, timed out, or broken). */
  discard(key: string): void {
    const p = this.partials.get(key);
    if (!p) return;
    this.partials.delete(key);
    if (p.buf) this.reservedBytes -= p.total;
  }

  clear(): void {
    this.partials.clear();
    this.reservedBytes = 0;
  }
}
