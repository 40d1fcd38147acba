/**
 * The part of a PeerLink every implementation shares: one receiver with held frames, close
 * listeners, and send() that waits while the buffered amount is above the high watermark.
 * Subclasses supply transmit(), bufferedAmount, and call deliver(), drained() and finish().
 * @module
 */
import { LINK_HIGH_WATERMARK_BYTES, LINK_MAX_HELD_FRAMES } from '../limits.js';
import { FrameError, PeerClosedError } from './errors.js';
import type { PeerLink } from './link.js';

export interface BaseLinkInit {
  /** send() waits while more than this many bytes are buffered. @default LINK_HIGH_WATERMARK_BYTES */
  highWatermarkBytes: number;
  /** Frames held while no receiver is set before the link closes. @default LINK_MAX_HELD_FRAMES */
  maxHeldFrames: number;
}

export abstract class BaseLink implements PeerLink {
  abstract readonly maxFrameBytes: number;
  abstract readonly bufferedAmount: number;
  protected readonly highWatermarkBytes: number;
  private readonly maxHeldFrames: number;
  private receiver: ((frame: Uint8Array) => void) | null = null;
  private readonly held: Uint8Array[] = [];
  private flushing = false;
  private readonly closeListeners = new Set<(reason: string) => void>();
  private readonly drainWaiters = new Set<() => void>();
  private closeReason: string | null = null;

  constructor(init: Partial<BaseLinkInit> = {}) {
    this.highWatermarkBytes = init.highWatermarkBytes ?? LINK_HIGH_WATERMARK_BYTES;
    this.maxHeldFrames = init.maxHeldFrames ?? LINK_MAX_HELD_FRAMES;
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  /** Puts one frame on the wire (called with the watermark respected and the link open). */
  protected abstract transmit(frame: Uint8Array): void;
  /** Tears down the transport (called once, from close()). */
  protected abstract shutdown(reason: string): void;

  async send(frame: Uint8Array, opts: { signal: AbortSignal }): Promise<void> {
    if (!(frame instanceof Uint8Array)) throw new TypeError('"frame" expected a Uint8Array');
    if (frame.length > this.maxFrameBytes) throw new FrameError(`a frame of ${frame.length} bytes is over this link's limit of ${this.maxFrameBytes}`);
    opts.signal.throwIfAborted();
    while (this.closeReason === null && this.bufferedAmount > this.highWatermarkBytes) await this.waitDrain(opts.signal);
    if (this.closeReason !== null) throw new PeerClosedError(`the link is closed (${this.closeReason})`);
    this.transmit(frame);
  }

  private waitDrain(signal: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.drainWaiters.delete(wake);
        resolve();
      };
      const onAbort = (): void => {
        this.drainWaiters.delete(wake);
        reject(signal.reason);
      };
      if (signal.aborted) return onAbort();
      this.drainWaiters.add(wake);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Subclasses call this when the buffered amount fell: waiting senders check again. */
  protected drained(): void {
    for (const wake of [...this.drainWaiters]) wake();
  }

  onMessage(receiver: (frame: Uint8Array) => void): () => void {
    this.receiver = receiver;
    if (this.held.length > 0) void Promise.resolve().then(() => this.flush());
    return () => {
      if (this.receiver === receiver) this.receiver = null;
    };
  }

  onClose(listener: (reason: string) => void): () => void {
    if (this.closeReason !== null) {
      listener(this.closeReason);
      return () => {};
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Subclasses call this with each incoming frame, in order. */
  protected deliver(frame: Uint8Array): void {
    if (this.closeReason !== null) return;
    if (this.receiver && this.held.length === 0 && !this.flushing) return this.hand(frame);
    if (this.held.length >= this.maxHeldFrames) return this.close(`more than ${this.maxHeldFrames} frames arrived with nobody receiving`);
    this.held.push(frame);
  }

  private flush(): void {
    if (this.flushing) return;
    this.flushing = true;
    try {
      while (this.receiver && this.held.length > 0 && this.closeReason === null) this.hand(this.held.shift()!);
    } finally {
      this.flushing = false;
    }
  }

  private hand(frame: Uint8Array): void {
    try {
      this.receiver!(frame);
    } catch (err) {
      this.close(`the receiver of this link failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  close(reason = 'closed by this side'): void {
    if (this.closeReason !== null) return;
    this.finish(reason);
    this.shutdown(reason);
  }

  /** Marks the link closed (the transport went away, or close() was called) and tells everyone once. */
  protected finish(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    this.held.length = 0;
    this.receiver = null;
    this.drained(); // waiting senders wake, see the link closed and reject
    const listeners = [...this.closeListeners];
    this.closeListeners.clear();
    for (const l of listeners) {
      try {
        l(reason);
      } catch {
        /* one listener's failure must not keep the others from hearing */
      }
    }
  }
}
