/**
 * Proven connections to the peers of one grid (ARCHITECTURE.md §5): dials a peer on demand through
 * signaling, answers peers that dial us, resolves offer glare, and hands out one Rpc per peer only
 * after both sides proved the grid secret over the new data channel. Bounded: RTC_MAX_LINKS.
 * @module
 */
import { base32Encode } from '../../core/bytes.js';
import { RTC_CONNECT_TIMEOUT_MS, RTC_MAX_LINKS } from '../../core/limits.js';
import { PeerBusyError, PeerTimeoutError } from '../../core/wire/errors.js';
import { proveGridMembership } from '../../core/wire/grid-proof.js';
import { createRpc, type Rpc, type RpcClock, type RpcInit } from '../../core/wire/rpc.js';
import { isPeerId, type IceServer, type SignalData } from '../../core/wire/signal.js';
import { realClock } from './clock.js';
import { RtcPeerLink, type RtcSignal } from './peer-link.js';
import type { SignalingClient, SignalingEvent } from './signaling-client.js';

export interface RtcPeersInit {
  signaling: SignalingClient;
  /** The grid's room id (deriveRoomId of its secret); this joins it. */
  room: string;
  gridSecret: Uint8Array;
  /** @default the ICE servers of the signaling server's hello, at dial time */
  iceServers?: IceServer[];
  /** Dial to proven link. @default RTC_CONNECT_TIMEOUT_MS */
  connectTimeoutMs?: number;
  /** Links open or in progress at once; beyond, dials fail with PeerBusyError and offers are ignored. @default RTC_MAX_LINKS */
  maxLinks?: number;
  /** Options for each link's Rpc. */
  rpc?: Partial<RpcInit>;
  /** @default realClock */
  clock?: RpcClock;
}

interface Attempt {
  readonly sid: string;
  readonly initiator: boolean;
  readonly link: RtcPeerLink;
  result: Promise<Rpc>;
  rpc: Rpc | null;
}

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

export class RtcPeers {
  readonly peerId: string;
  private readonly init: RtcPeersInit;
  private readonly clock: RpcClock;
  private readonly attempts = new Map<string, Attempt>();
  private readonly listeners = new Set<(peer: string, rpc: Rpc) => void>();
  private readonly offSignaling: () => void;
  private closed = false;

  constructor(init: RtcPeersInit) {
    this.init = init;
    this.clock = init.clock ?? realClock;
    this.peerId = init.signaling.peerId;
    this.offSignaling = init.signaling.on((e) => this.onSignaling(e));
    init.signaling.join(init.room);
  }

  /** Called for every new proven link, ours or the peer's, before anyone can use its Rpc: register handlers here. */
  onPeer(listener: (peer: string, rpc: Rpc) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Peers with an open, proven link now. */
  connectedPeers(): string[] {
    return [...this.attempts.entries()].filter(([, a]) => a.rpc && !a.rpc.closed).map(([p]) => p);
  }

  /** The Rpc to a peer: an open link's, the one being set up, or a new dial. */
  async connect(peer: string, opts: { signal: AbortSignal }): Promise<Rpc> {
    if (!isPeerId(peer) || peer === this.peerId) throw new RangeError('"peer" must be another peer\'s id');
    for (let tries = 0; ; tries++) {
      opts.signal.throwIfAborted();
      if (this.closed) throw new PeerBusyError('this tab has left the grid');
      let attempt = this.attempts.get(peer);
      if (!attempt) {
        if (this.full()) throw new PeerBusyError(`this tab already has ${this.attempts.size} peer links`);
        attempt = this.start(peer, base32Encode(randomBytes(8)), true);
      }
      try {
        return await raceAbort(attempt.result, opts.signal);
      } catch (err) {
        const next = this.attempts.get(peer);
        // Superseded by the peer's own offer (glare, or it restarted): follow the new attempt.
        if (!opts.signal.aborted && next && next !== attempt && tries < 3) continue;
        throw err;
      }
    }
  }

  /** Closes every link and leaves the room. */
  close(): void {
    this.closed = true;
    this.offSignaling();
    this.init.signaling.leave(this.init.room);
    for (const a of this.attempts.values()) a.link.close('this tab left the grid');
    this.attempts.clear();
  }

  private full(): boolean {
    return this.attempts.size >= (this.init.maxLinks ?? RTC_MAX_LINKS);
  }

  private start(peer: string, sid: string, initiator: boolean): Attempt {
    let open = false;
    const link: RtcPeerLink = new RtcPeerLink({
      initiator,
      iceServers: this.init.iceServers ?? this.init.signaling.iceServers,
      onSignal: (data: RtcSignal) => {
        // While connecting, a lost offer or candidate would only surface as a timeout: fail now.
        const sent = this.init.signaling.send(this.init.room, peer, { ...data, sid } as SignalData);
        if (!sent && !open) link.close('the signaling server is not reachable now');
      },
    });
    link.connected.then(() => void (open = true), () => undefined);
    const done = new AbortController();
    const timeoutMs = this.init.connectTimeoutMs ?? RTC_CONNECT_TIMEOUT_MS;
    this.clock.sleep(timeoutMs, { signal: done.signal }).then(
      () => done.abort(new PeerTimeoutError(`could not connect to peer ${peer.slice(0, 8)}… within ${timeoutMs} ms`)),
      () => undefined,
    );
    const attempt: Attempt = { sid, initiator, link, rpc: null, result: Promise.resolve(null as unknown as Rpc) };
    attempt.result = (async () => {
      await raceAbort(link.connected, done.signal);
      await proveGridMembership(link, link.fingerprints(), this.init.gridSecret, { random: randomBytes, clock: this.clock }, { signal: done.signal });
      const rpc = createRpc({ link, clock: this.clock }, this.init.rpc);
      attempt.rpc = rpc;
      for (const l of [...this.listeners]) l(peer, rpc);
      return rpc;
    })();
    attempt.result.then(
      () => done.abort(), // stops the connect timer
      (err: unknown) => link.close(err instanceof Error ? err.message : 'could not connect'),
    );
    link.onClose(() => {
      if (this.attempts.get(peer) === attempt) this.attempts.delete(peer);
    });
    this.attempts.set(peer, attempt);
    return attempt;
  }

  private onSignaling(e: SignalingEvent): void {
    if (this.closed || !('room' in e) || e.room !== this.init.room) return;
    if (e.type === 'peer-left') {
      const a = this.attempts.get(e.peer);
      if (a && !a.rpc) a.link.close('the peer left the grid'); // an open link may outlive signaling
      return;
    }
    if (e.type !== 'signal') return;
    const { sid, ...data } = e.data;
    const current = this.attempts.get(e.from);
    if (current && current.sid === sid) return current.link.signal(data as RtcSignal);
    if (data.type !== 'offer') return; // late ICE or answer of an attempt that is gone
    if (current) {
      // Glare: both dialled at once. The smaller peer id's offer wins; the other side answers it.
      if (!current.rpc && current.initiator && this.peerId < e.from) return;
      this.attempts.delete(e.from);
      current.link.close('superseded by a newer connection from the same peer');
    }
    if (this.full()) return; // the peer's dial times out; it will try another peer
    this.start(e.from, sid, false).link.signal(data as RtcSignal);
  }
}

function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => (signal.removeEventListener('abort', onAbort), resolve(v)),
      (e: unknown) => (signal.removeEventListener('abort', onAbort), reject(e)),
    );
  });
}
