/**
 * MemoryLink: two PeerLinks joined in memory, for tests and the offline demo (STYLE.md house
 * style 16; libp2p's transport-memory, Tahoe's LocalWrapper). Faults on demand: latency, a frame
 * limit, `broken`, `hungUntil`, outgoing frame filters, injected frames, abrupt loss; counters.
 * @module
 */
import { MAX_FRAME_BYTES } from '../../core/limits.js';
import { BaseLink, type BaseLinkInit } from '../../core/wire/base-link.js';
import { PeerClosedError } from '../../core/wire/errors.js';

export interface MemoryLinkInit extends BaseLinkInit {
  /** Delay of every frame, in ms (0: delivered in a microtask, still asynchronously). @default 0 */
  latency: number;
  /** Largest frame send() accepts (one byte more throws FrameError, as the data channel). @default MAX_FRAME_BYTES */
  maxFrameBytes: number;
  /** Time for latency (a FakeClock makes it deterministic). @default Date.now and setTimeout */
  clock: { now(): number; sleep(ms: number, opts: { signal: AbortSignal }): Promise<void> };
}

const REAL_TIME: MemoryLinkInit['clock'] = {
  now: () => Date.now(),
  sleep: (ms) => new Promise<void>((resolve) => setTimeout(resolve, ms)),
};
const NEVER = new AbortController().signal;

export interface MemoryLinkStats {
  framesSent: number;
  bytesSent: number;
  framesReceived: number;
  bytesReceived: number;
  framesFiltered: number;
  maxBufferedAmount: number;
}

type Item = { frame: Uint8Array; dueAt: number } | { close: string; dueAt: number };

export class MemoryLink extends BaseLink {
  readonly maxFrameBytes: number;
  /** When true, send() rejects with PeerClosedError and nothing is delivered (a dead transport that has not noticed). */
  broken = false;
  /** While set and unsettled, frames sent from this end are held, then delivered in order (a hung peer). */
  hungUntil: Promise<unknown> | null = null;
  /** Rewrites each outgoing frame (corruption); returning null drops it. */
  filter: ((frame: Uint8Array) => Uint8Array | null) | null = null;
  readonly stats: MemoryLinkStats = { framesSent: 0, bytesSent: 0, framesReceived: 0, bytesReceived: 0, framesFiltered: 0, maxBufferedAmount: 0 };
  /** The other end; set by createMemoryLinkPair. */
  peer!: MemoryLink;
  private readonly latency: number;
  private readonly clock: MemoryLinkInit['clock'];
  private readonly outbox: Item[] = [];
  private pumping = false;
  private buffered = 0;

  constructor(init: Partial<MemoryLinkInit> = {}) {
    super(init);
    this.latency = init.latency ?? 0;
    this.clock = init.clock ?? REAL_TIME;
    this.maxFrameBytes = init.maxFrameBytes ?? MAX_FRAME_BYTES;
  }

  get bufferedAmount(): number {
    return this.buffered;
  }

  override async send(frame: Uint8Array, opts: { signal: AbortSignal }): Promise<void> {
    if (this.broken && !this.closed) throw new PeerClosedError('the link is broken');
    return super.send(frame, opts);
  }

  protected transmit(frame: Uint8Array): void {
    this.stats.framesSent++;
    this.stats.bytesSent += frame.length;
    const out = this.filter ? this.filter(frame) : frame;
    if (out === null) {
      this.stats.framesFiltered++;
      return;
    }
    this.buffered += out.length;
    this.stats.maxBufferedAmount = Math.max(this.stats.maxBufferedAmount, this.buffered);
    this.enqueue({ frame: out, dueAt: this.clock.now() + this.latency });
  }

  protected shutdown(reason: string): void {
    // The peer hears of the close after the frames already on their way (as an SCTP close).
    this.enqueue({ close: `the peer closed the link (${reason})`, dueAt: this.clock.now() + this.latency });
  }

  /** Delivers `frame` at this end as if the peer had sent it (for malformed-input tests). */
  inject(frame: Uint8Array): void {
    this.receive(frame);
  }

  /** Loses the connection abruptly: both ends close at once, frames on their way are lost. */
  drop(reason = 'the connection was lost'): void {
    this.outbox.length = 0;
    this.peer.outbox.length = 0;
    this.buffered = 0;
    this.peer.buffered = 0;
    this.finish(reason);
    this.peer.finish(reason);
  }

  private receive(frame: Uint8Array): void {
    this.stats.framesReceived++;
    this.stats.bytesReceived += frame.length;
    this.deliver(frame);
  }

  private enqueue(item: Item): void {
    this.outbox.push(item);
    if (!this.pumping) void this.pump();
  }

  private async pump(): Promise<void> {
    this.pumping = true;
    try {
      while (this.outbox.length > 0) {
        const hung = this.hungUntil;
        if (hung) {
          await hung.then(() => undefined, () => undefined);
          if (this.hungUntil === hung) this.hungUntil = null;
          continue;
        }
        const item = this.outbox[0]!;
        const wait = item.dueAt - this.clock.now();
        if (wait > 0) await this.clock.sleep(wait, { signal: NEVER });
        else await Promise.resolve();
        if (this.outbox[0] !== item) continue; // dropped meanwhile
        if (this.hungUntil) continue; // hung while we waited: hold it
        this.outbox.shift();
        if ('close' in item) {
          this.peer.finish(item.close);
          continue;
        }
        this.buffered -= item.frame.length;
        if (!this.peer.closed) this.peer.receive(item.frame);
        this.drained();
      }
    } finally {
      this.pumping = false;
    }
  }
}

/** Two joined ends: what one sends, the other receives. */
export function createMemoryLinkPair(init: Partial<MemoryLinkInit> = {}): [MemoryLink, MemoryLink] {
  const a = new MemoryLink(init);
  const b = new MemoryLink(init);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
