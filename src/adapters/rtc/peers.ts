/**
 * Proven connections to the peers of one grid (ARCHITECTURE.md §5): dials a peer on demand through
 * signaling, answers peers that dial us, resolves offer glare, and hands out one Rpc per peer only
 * after both sides proved the grid secret over the new data channel. Bounded: RTC_MAX_LINKS.
 * With a node key, every offer and answer is signed and checked (core/wire/signed-sdp.ts), so a
 * signaling server that rewrites SDP cannot sit between two peers.
 * @module
 */
import { base32Encode, equalBytes } from '../../core/bytes.js';
import { RTC_CONNECT_TIMEOUT_MS, RTC_MAX_LINKS } from '../../core/limits.js';
import { PeerBusyError, PeerTimeoutError, SdpSignatureError } from '../../core/wire/errors.js';
import { proveGridMembership, sdpFingerprint } from '../../core/wire/grid-proof.js';
import type { NodeKey } from '../../core/wire/node-key.js';
import { signSdp, verifySdp } from '../../core/wire/signed-sdp.js';
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
  /** 'relay' uses TURN only (hides this tab's addresses from peers; tests prove TURN with it). @default 'all' */
  iceTransportPolicy?: 'all' | 'relay';
  /**
   * This node's signing key (deriveNodeKey of the identity seed); `signaling.peerId` must be its
   * peerId. Then every offer and answer sent is signed, and one received is used only if signed by
   * the key its sender's peer id names. @default none: SDP is sent unsigned, and a received one is
   * checked only if it carries a signature (tests; the app always passes its key)
   */
  nodeKey?: NodeKey;
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
  /** Ends the attempt with this error (e.g. the peer's answer failed its signature check). */
  fail(err: Error): void;
  /** DTLS fingerprint of the remote SDP that passed the signature check. */
  verifiedRemote: Uint8Array | null;
}

const randomBytes = (n: number): Uint8Array => crypto.getRandomValues(new Uint8Array(n));

export class RtcPeers {
  readonly peerId: string;
  private readonly init: RtcPeersInit;
  private readonly clock: RpcClock;
  private readonly attempts = new Map<string, Attempt>();
  private readonly listeners = new Set<(peer: string, rpc: Rpc) => void>();
  private readonly refusedListeners = new Set<(peer: string, error: SdpSignatureError) => void>();
  private readonly offSignaling: () => void;
  private closed = false;

  constructor(init: RtcPeersInit) {
    this.init = init;
    this.clock = init.clock ?? realClock;
    this.peerId = init.signaling.peerId;
    if (init.nodeKey && init.nodeKey.peerId !== this.peerId) throw new RangeError('"nodeKey" must be the key the signaling peer id was made from (nodeKey.peerId)');
    this.offSignaling = init.signaling.on((e) => this.onSignaling(e));
    init.signaling.join(init.room);
  }

  /** Called for every new proven link, ours or the peer's, before anyone can use its Rpc: register handlers here. */
  onPeer(listener: (peer: string, rpc: Rpc) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Called when a peer's offer or answer fails its signature check (unsigned, another key, altered
   * on the way): nothing is answered or connected; the dialling side's connect() rejects with it.
   */
  onRefused(listener: (peer: string, error: SdpSignatureError) => void): () => void {
    this.refusedListeners.add(listener);
    return () => this.refusedListeners.delete(listener);
  }

  /** The ICE candidate types (host, srflx, prflx, relay) of a proven link's selected pair, or null. */
  async selectedCandidates(peer: string): Promise<{ local: string; remote: string } | null> {
    const a = this.attempts.get(peer);
    return a?.rpc ? a.link.selectedCandidates() : null;
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
    const { nodeKey, room } = this.init;
    const link: RtcPeerLink = new RtcPeerLink({
      initiator,
      iceServers: this.init.iceServers ?? this.init.signaling.iceServers,
      ...(this.init.iceTransportPolicy ? { iceTransportPolicy: this.init.iceTransportPolicy } : {}),
      onSignal: (data: RtcSignal) => {
        let out: SignalData = { ...data, sid };
        if (nodeKey && data.type !== 'candidate') out = { ...out, ...signSdp(nodeKey, { room, from: this.peerId, to: peer, sid, type: data.type, sdp: data.sdp }) };
        // While connecting, a lost offer or candidate would only surface as a timeout: fail now.
        const sent = this.init.signaling.send(room, peer, out);
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
    const attempt: Attempt = {
      sid, initiator, link, rpc: null, result: Promise.resolve(null as unknown as Rpc), verifiedRemote: null,
      fail: (err) => done.abort(err),
    };
    attempt.result = (async () => {
      await raceAbort(link.connected, done.signal);
      const binding = link.fingerprints();
      // The DTLS certificate the connection runs on must be the one the peer signed for.
      if (nodeKey && (attempt.verifiedRemote === null || !equalBytes(binding.remote, attempt.verifiedRemote))) {
        throw new SdpSignatureError(`the connection to peer ${peer.slice(0, 8)}… runs on a DTLS fingerprint the peer did not sign: refused`);
      }
      await proveGridMembership(link, binding, this.init.gridSecret, { random: randomBytes, clock: this.clock }, { signal: done.signal });
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
    const { sid } = e.data;
    const current = this.attempts.get(e.from);
    let data: RtcSignal;
    let verifiedRemote: Uint8Array | null = null;
    if (e.data.type === 'candidate') {
      // ICE candidates need no signature: a forged one can only point at a host that cannot finish
      // DTLS with the signed fingerprint.
      data = { type: 'candidate', candidate: e.data.candidate };
    } else {
      const { type, sdp } = e.data;
      try {
        if (this.init.nodeKey || e.data.key !== undefined) verifySdp({ room: e.room, from: e.from, to: this.peerId, sid, type, sdp }, e.data);
        verifiedRemote = this.init.nodeKey ? sdpFingerprint(sdp) : null;
      } catch (err) {
        if (!(err instanceof SdpSignatureError)) throw err;
        if (current && current.sid === sid && !current.rpc) current.fail(err);
        for (const l of [...this.refusedListeners]) l(e.from, err);
        return;
      }
      data = { type, sdp };
    }
    if (current && current.sid === sid) {
      if (verifiedRemote) current.verifiedRemote = verifiedRemote;
      return current.link.signal(data);
    }
    if (data.type !== 'offer') return; // late ICE or answer of an attempt that is gone
    if (current) {
      // Glare: both dialled at once. The smaller peer id's offer wins; the other side answers it.
      if (!current.rpc && current.initiator && this.peerId < e.from) return;
      this.attempts.delete(e.from);
      current.link.close('superseded by a newer connection from the same peer');
    }
    if (this.full()) return; // the peer's dial times out; it will try another peer
    const answering = this.start(e.from, sid, false);
    answering.verifiedRemote = verifiedRemote;
    answering.link.signal(data);
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
