/**
 * The PeerLink port (ARCHITECTURE.md §5): a reliable, ordered pipe of binary frames to one peer,
 * with backpressure. Implemented by MemoryLink (tests, fault injection) and the simple-peer data
 * channel (src/adapters/rtc/peer-link.ts); rpc.ts and the grid proof run over it.
 * @module
 */

export interface PeerLink {
  /** Largest frame send() accepts (a data channel's maxMessageSize: 262144 in Chromium). */
  readonly maxFrameBytes: number;
  /** Bytes handed to send() and not yet on the wire. */
  readonly bufferedAmount: number;
  readonly closed: boolean;
  /**
   * Queues one frame. Resolves once it is queued; waits first while more than the high watermark
   * is buffered, so a fast sender cannot fill the channel's queue. Frames arrive whole and in
   * order. Rejects with PeerClosedError once the link is closed, with FrameError for a frame over
   * maxFrameBytes, and with the signal's reason when aborted while waiting (nothing was queued).
   * The caller must not change the frame's bytes after calling send().
   */
  send(frame: Uint8Array, opts: { signal: AbortSignal }): Promise<void>;
  /**
   * Sets the one receiver of incoming frames (replacing any earlier one); returns a function that
   * removes it. Frames that arrive while no receiver is set are held, in order, and handed to the
   * next receiver (bounded by LINK_MAX_HELD_FRAMES: beyond it the link closes). A frame may be a
   * view into a larger buffer: copy it (exactCopy) before storing or transferring it.
   */
  onMessage(receiver: (frame: Uint8Array) => void): () => void;
  /** Called once, when the link closes for any reason (at once if it already has). */
  onClose(listener: (reason: string) => void): () => void;
  /** Closes the link; pending and future send()s reject with PeerClosedError. Idempotent. */
  close(reason?: string): void;
}
