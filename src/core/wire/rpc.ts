/**
 * Request/response over a PeerLink (ARCHITECTURE.md §5, INTERFACES.md "peer link and rpc"):
 * ids, method names, binary payloads chunked into frames (frame.ts), timeouts from the injected
 * clock, cancellation by AbortSignal (a CANCEL frame stops the remote's work), every inbound
 * quantity bounded (limits.ts), malformed frames counted and, past a bound, the link closed.
 * @module
 */
import { assertBytes } from '../bytes.js';
import { DISCARDED, Reassembler } from './assembler.js';
import { FrameError, PeerBusyError, PeerClosedError, PeerTimeoutError, RemoteError } from './errors.js';
import { assertWireName, decodeErrorBody, decodeFrame, encodeErrorBody, encodeFrame, type Frame, FrameKind, messageFrames, namePrefix } from './frame.js';
import type { PeerLink } from './link.js';
import { type Rpc, type RpcClock, type RpcComponents, RPC_DEFAULTS, type RpcHandler, type RpcInit, type RpcStats } from './rpc-port.js';
import { Slots } from './slots.js';

export { type Rpc, type RpcClock, type RpcComponents, RPC_DEFAULTS, type RpcHandler, type RpcInit, type RpcStats } from './rpc-port.js';

interface Pending {
  finish(err: unknown, value?: Uint8Array): void;
}

interface Inbound {
  controller: AbortController;
  running: boolean;
  /** Bytes of this request counted against maxInboundBytes until its handler is done. */
  bytes: number;
}

const NEVER = new AbortController().signal;
const EMPTY = new Uint8Array(0);

export class RpcPeer implements Rpc {
  private readonly link: PeerLink;
  private readonly clock: RpcClock;
  private readonly cfg: RpcInit;
  private readonly frameBytes: number;
  private readonly handlers = new Map<string, RpcHandler>();
  private readonly pending = new Map<number, Pending>();
  private readonly inbound = new Map<number, Inbound>();
  /** Replies to our requests, bounded by maxReassemblyBytes (a peer sending more is at fault). */
  private readonly replies: Reassembler;
  /** The peer's requests; their bytes are bounded by maxInboundBytes here (beyond: PeerBusyError). */
  private readonly requests: Reassembler;
  private inboundBytes = 0;
  private readonly slots: Slots;
  private readonly closeListeners: Array<(reason: string) => void> = [];
  private nextId = 1;
  private closeReason: string | null = null;
  private readonly counts = { requestsSent: 0, responsesReceived: 0, remoteErrors: 0, timeouts: 0, aborted: 0, cancelsSent: 0, requestsReceived: 0, cancelsReceived: 0, busyRefused: 0, unknownReplies: 0, malformedFrames: 0, bytesSent: 0, bytesReceived: 0 };

  constructor(components: RpcComponents, init: Partial<RpcInit> = {}) {
    this.link = components.link;
    this.clock = components.clock;
    this.cfg = { ...RPC_DEFAULTS, ...init };
    this.frameBytes = Math.min(this.cfg.frameBytes, this.link.maxFrameBytes);
    this.slots = new Slots(this.cfg.maxPending);
    this.replies = new Reassembler(this.cfg.maxMessageBytes, this.cfg.maxReassemblyBytes);
    this.requests = new Reassembler(this.cfg.maxMessageBytes, Number.POSITIVE_INFINITY);
    this.link.onMessage((bytes) => this.onFrame(bytes));
    this.link.onClose((reason) => this.onLinkClosed(reason));
  }

  get closed(): boolean {
    return this.closeReason !== null;
  }

  stats(): RpcStats {
    return { ...this.counts, pending: this.pending.size, inbound: this.inbound.size, reassemblyBytes: this.replies.bytesInProgress + this.requests.bytesInProgress, inboundBytes: this.inboundBytes };
  }

  handle(method: string, handler: RpcHandler): void {
    assertWireName(method, 'method');
    if (typeof handler !== 'function') throw new TypeError('"handler" expected a function');
    this.handlers.set(method, handler);
  }

  onClose(cb: (reason: string) => void): void {
    if (this.closeReason !== null) cb(this.closeReason);
    else this.closeListeners.push(cb);
  }

  close(reason = 'closed by this side'): void {
    this.link.close(reason);
  }

  async request(method: string, payload: Uint8Array, opts: { signal: AbortSignal; timeoutMs?: number }): Promise<Uint8Array> {
    assertWireName(method, 'method');
    assertBytes(payload, 'payload');
    const signal = opts?.signal;
    if (!signal || typeof signal.throwIfAborted !== 'function') throw new TypeError('"opts.signal" expected an AbortSignal');
    const timeoutMs = opts.timeoutMs ?? this.cfg.defaultTimeoutMs;
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) throw new RangeError(`"timeoutMs" must be a positive number of milliseconds, got ${timeoutMs}`);
    if (1 + method.length + payload.length > this.cfg.maxMessageBytes) {
      throw new RangeError(`"payload" of ${payload.length} bytes is over the rpc limit of ${this.cfg.maxMessageBytes}`);
    }
    signal.throwIfAborted();
    if (this.closeReason !== null) throw new PeerClosedError(`the link is closed (${this.closeReason})`);
    await this.slots.acquire(signal);
    if (this.closeReason !== null) {
      this.slots.release();
      throw new PeerClosedError(`the link is closed (${this.closeReason})`);
    }
    let id = this.nextId;
    while (this.pending.has(id)) id = (id + 1) >>> 0;
    this.nextId = (id + 1) >>> 0;
    return new Promise<Uint8Array>((resolve, reject) => {
      let settled = false;
      let sentAny = false;
      let sentAll = false;
      const sending = new AbortController();
      const timer = new AbortController();
      const finish = (err: unknown, value?: Uint8Array): void => {
        if (settled) return;
        settled = true;
        this.pending.delete(id);
        this.replies.discard(Reassembler.key(FrameKind.RESPONSE, id));
        signal.removeEventListener('abort', onAbort);
        timer.abort();
        sending.abort();
        this.slots.release();
        if (err === null) return resolve(value!);
        reject(err);
        // The peer may be working on it, or holding part of it: tell it to stop (it ignores ids it
        // does not know). An answer after the whole request was sent needs no cancel.
        const answered = err instanceof RemoteError || err instanceof PeerBusyError;
        if (sentAny && this.closeReason === null && !(sentAll && answered) && !(err instanceof PeerClosedError)) {
          this.counts.cancelsSent++;
          this.link.send(encodeFrame(FrameKind.CANCEL, id, 0, 0, EMPTY), { signal: NEVER }).catch(() => undefined);
        }
      };
      const onAbort = (): void => {
        this.counts.aborted++;
        finish(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.clock.sleep(timeoutMs, { signal: timer.signal }).then(
        () => {
          if (settled) return;
          this.counts.timeouts++;
          finish(new PeerTimeoutError(`the peer did not answer "${method}" within ${timeoutMs} ms`));
        },
        () => undefined,
      );
      this.pending.set(id, { finish });
      void (async () => {
        for (const frame of messageFrames(FrameKind.REQUEST, id, namePrefix(method), payload, this.frameBytes)) {
          if (settled) return;
          sentAny = true; // before send: a frame may be queued even if we stop right after
          await this.link.send(frame, { signal: sending.signal });
          this.counts.bytesSent += frame.length;
        }
        sentAll = true;
        this.counts.requestsSent++;
      })().catch((err: unknown) => finish(err instanceof PeerClosedError || err instanceof FrameError ? err : new PeerClosedError(`sending "${method}" failed: ${String(err)}`)));
    });
  }

  private onFrame(bytes: Uint8Array): void {
    this.counts.bytesReceived += bytes.length;
    let f: Frame;
    try {
      f = decodeFrame(bytes);
    } catch (err) {
      return this.malformed(err);
    }
    if (f.kind === FrameKind.REQUEST) return this.onRequestFrame(f);
    if (f.kind === FrameKind.CANCEL) return this.onCancel(f.id);
    const p = this.pending.get(f.id);
    if (!p) {
      if (f.offset === 0) this.counts.unknownReplies++; // late (after a timeout or cancel) or never asked
      return;
    }
    let m;
    try {
      m = this.replies.push(f);
    } catch (err) {
      p.finish(err);
      return this.malformed(err);
    }
    if (m === null || m === DISCARDED) return;
    if (f.kind === FrameKind.RESPONSE) {
      this.counts.responsesReceived++;
      return p.finish(null, m.payload);
    }
    let e;
    try {
      e = decodeErrorBody(m.payload);
    } catch (err) {
      p.finish(err);
      return this.malformed(err);
    }
    this.counts.remoteErrors++;
    p.finish(e.name === 'PeerBusyError' ? new PeerBusyError(`the peer is busy: ${e.message}`) : new RemoteError(e.name, e.message));
  }

  private onRequestFrame(f: Frame): void {
    const key = Reassembler.key(FrameKind.REQUEST, f.id);
    let refuse = false;
    if (f.offset === 0) {
      if (this.inbound.has(f.id) || this.requests.has(key)) return this.malformed(new FrameError(`request id ${f.id} is already in use`));
      refuse = this.inbound.size >= this.cfg.maxInbound || this.inboundBytes + f.total > this.cfg.maxInboundBytes;
      if (!refuse && f.total <= this.cfg.maxMessageBytes) {
        this.inbound.set(f.id, { controller: new AbortController(), running: false, bytes: f.total });
        this.inboundBytes += f.total;
      }
    }
    let m;
    try {
      m = this.requests.push(f, refuse);
    } catch (err) {
      this.dropInbound(f.id);
      return this.malformed(err);
    }
    if (refuse) {
      this.counts.busyRefused++;
      const why = this.inbound.size >= this.cfg.maxInbound ? `more than ${this.cfg.maxInbound} requests` : `more than ${this.cfg.maxInboundBytes} bytes of requests`;
      const body = encodeErrorBody('PeerBusyError', `${why} at once`);
      this.link.send(encodeFrame(FrameKind.ERROR, f.id, body.length, 0, body), { signal: NEVER }).catch(() => undefined);
    }
    if (m === null || m === DISCARDED) return;
    const state = this.inbound.get(f.id);
    if (state) this.run(f.id, m.method!, m.payload, state);
  }

  private run(id: number, method: string, payload: Uint8Array, state: Inbound): void {
    state.running = true;
    this.counts.requestsReceived++;
    const signal = state.controller.signal;
    void (async () => {
      let kind: FrameKind = FrameKind.RESPONSE;
      let body: Uint8Array;
      try {
        const handler = this.handlers.get(method);
        if (!handler) throw Object.assign(new Error(`this peer has no method "${method}"`), { name: 'UnknownMethodError' });
        body = await handler(payload, { signal });
        assertBytes(body, 'handler result');
      } catch (err) {
        kind = FrameKind.ERROR;
        const e = err instanceof Error ? err : new Error(String(err));
        body = encodeErrorBody(e.name, e.message);
      }
      if (signal.aborted) return; // cancelled: nobody waits for the answer
      for (const frame of messageFrames(kind, id, EMPTY, body, this.frameBytes)) {
        await this.link.send(frame, { signal });
        this.counts.bytesSent += frame.length;
      }
    })()
      .catch(() => undefined) // cancelled or closed while answering
      .finally(() => this.dropInbound(id));
  }

  private onCancel(id: number): void {
    this.counts.cancelsReceived++;
    this.requests.discard(Reassembler.key(FrameKind.REQUEST, id));
    const state = this.inbound.get(id);
    if (!state) return;
    state.controller.abort(new PeerClosedError('the requester cancelled this request'));
    if (!state.running) this.dropInbound(id);
  }

  private dropInbound(id: number): void {
    const state = this.inbound.get(id);
    if (!state) return;
    this.inbound.delete(id);
    this.inboundBytes -= state.bytes;
  }

  private malformed(err: unknown): void {
    this.counts.malformedFrames++;
    if (this.counts.malformedFrames > this.cfg.maxMalformed) {
      this.close(`more than ${this.cfg.maxMalformed} malformed frames (last: ${err instanceof Error ? err.message : String(err)})`);
    }
  }

  private onLinkClosed(reason: string): void {
    if (this.closeReason !== null) return;
    this.closeReason = reason;
    const closedErr = (): PeerClosedError => new PeerClosedError(`the link closed (${reason})`);
    this.slots.failAll(closedErr());
    for (const p of [...this.pending.values()]) p.finish(closedErr());
    for (const s of this.inbound.values()) s.controller.abort(closedErr());
    this.replies.clear();
    this.requests.clear();
    for (const cb of this.closeListeners.splice(0)) {
      try {
        cb(reason);
      } catch {
        /* a listener's failure must not stop the others */
      }
    }
  }
}

/** Runs rpc over a link (the link's receiver becomes this rpc's). */
export function createRpc(components: RpcComponents, init: Partial<RpcInit> = {}): RpcPeer {
  return new RpcPeer(components, init);
}
