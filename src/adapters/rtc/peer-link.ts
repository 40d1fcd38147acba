/**
 * The WebRTC PeerLink (STYLE.md house style 20): simple-peer wrapped once, and the only module
 * that imports it. One ordered data channel; frames ≤ maxMessageSize (262144); send() waits on
 * the channel's bufferedAmount above a high watermark far below Chromium's 16 MiB queue limit.
 * @module
 */
import SimplePeer from 'simple-peer';
import { LINK_HIGH_WATERMARK_BYTES, MAX_FRAME_BYTES } from '../../core/limits.js';
import { BaseLink } from '../../core/wire/base-link.js';
import { PeerClosedError } from '../../core/wire/errors.js';
import { type ProofBinding, sdpFingerprint } from '../../core/wire/grid-proof.js';
import type { IceCandidate, IceServer } from '../../core/wire/signal.js';

/** What simple-peer exchanges through signaling (the session id is added by the caller). */
export type RtcSignal = { type: 'offer' | 'answer'; sdp: string } | { type: 'candidate'; candidate: IceCandidate };

export interface RtcPeerLinkInit {
  initiator: boolean;
  /** Always explicit: simple-peer would otherwise use public STUN servers. [] on loopback and LAN. */
  iceServers: IceServer[];
  /** 'relay' gathers TURN candidates only, so every byte goes through a TURN server. @default 'all' */
  iceTransportPolicy?: 'all' | 'relay';
  /** Called with each offer, answer and ICE candidate to relay to the other side. */
  onSignal(data: RtcSignal): void;
  /** @default LINK_HIGH_WATERMARK_BYTES */
  highWatermarkBytes?: number;
}

/** The private parts of simple-peer 9 used here (stable: 9.11.1 is its last release). */
interface PeerInternals {
  _channel: RTCDataChannel | null;
  _pc: RTCPeerConnection | null;
  _onChannelMessage: (event: MessageEvent) => void;
}

export class RtcPeerLink extends BaseLink {
  readonly maxFrameBytes = MAX_FRAME_BYTES;
  /** Resolves once the data channel is open; rejects if the connection fails or closes first. */
  readonly connected: Promise<void>;
  private readonly peer: SimplePeer.Instance;
  private channel: RTCDataChannel | null = null;

  constructor(init: RtcPeerLinkInit) {
    super({ highWatermarkBytes: init.highWatermarkBytes ?? LINK_HIGH_WATERMARK_BYTES });
    this.peer = new SimplePeer({
      initiator: init.initiator,
      config: { iceServers: init.iceServers as RTCIceServer[], iceTransportPolicy: init.iceTransportPolicy ?? 'all' },
      channelConfig: { ordered: true },
      trickle: true,
    });
    const internals = this.peer as unknown as PeerInternals;
    // simple-peer wraps every message in a Buffer and pushes it through a readable stream; take
    // the channel's ArrayBuffer directly instead (no copy, no stream), as a Uint8Array.
    internals._onChannelMessage = (event: MessageEvent) => {
      if (event.data instanceof ArrayBuffer) this.deliver(new Uint8Array(event.data));
      else this.close('the peer sent text on a binary channel');
    };
    this.peer.on('signal', (data: { type?: string; sdp?: string; candidate?: IceCandidate }) => {
      if ((data.type === 'offer' || data.type === 'answer') && typeof data.sdp === 'string') init.onSignal({ type: data.type, sdp: data.sdp });
      else if (data.type === 'candidate' && data.candidate) init.onSignal({ type: 'candidate', candidate: data.candidate });
      // renegotiate / transceiverRequest: only for media, which bric never adds.
    });
    this.connected = new Promise<void>((resolve, reject) => {
      this.peer.once('connect', () => {
        this.channel = internals._channel;
        // simple-peer keeps bufferedAmountLowThreshold at 64 KiB; we only listen (NOTES.md: changing it stalls simple-peer).
        this.channel?.addEventListener('bufferedamountlow', () => this.drained());
        resolve();
      });
      this.onClose((reason) => reject(new PeerClosedError(`the connection closed before it opened (${reason})`)));
    });
    this.connected.catch(() => undefined);
    this.peer.on('error', (err: Error & { code?: string }) => this.finish(`the connection failed (${err.code ?? err.message})`));
    this.peer.on('close', () => this.finish('the data channel closed'));
  }

  get bufferedAmount(): number {
    return this.channel?.bufferedAmount ?? 0;
  }

  /** Feeds an offer, answer or candidate from the other side. */
  signal(data: RtcSignal): void {
    if (this.closed) return;
    try {
      this.peer.signal(data as SimplePeer.SignalData);
    } catch (err) {
      this.close(`a signal from the peer was refused (${err instanceof Error ? err.message : String(err)})`);
    }
  }

  /** Both DTLS fingerprints, for the grid proof (available once connected). */
  fingerprints(): ProofBinding {
    const pc = (this.peer as unknown as PeerInternals)._pc;
    const local = pc?.localDescription?.sdp;
    const remote = pc?.remoteDescription?.sdp;
    if (!local || !remote) throw new PeerClosedError('the connection has no descriptions to take fingerprints from');
    return { local: sdpFingerprint(local), remote: sdpFingerprint(remote) };
  }

  /** Candidate types (host, srflx, prflx, relay) of the pair ICE selected, from getStats; null before one is. */
  async selectedCandidates(): Promise<{ local: string; remote: string } | null> {
    const pc = (this.peer as unknown as PeerInternals)._pc;
    if (!pc) return null;
    const stats = await pc.getStats();
    let pairId: string | undefined;
    stats.forEach((s: { type: string; selectedCandidatePairId?: string }) => {
      if (s.type === 'transport' && s.selectedCandidatePairId) pairId = s.selectedCandidatePairId;
    });
    const pair = pairId === undefined ? undefined : (stats.get(pairId) as { localCandidateId: string; remoteCandidateId: string } | undefined);
    if (!pair) return null;
    const typeOf = (id: string): string => (stats.get(id) as { candidateType?: string } | undefined)?.candidateType ?? 'unknown';
    return { local: typeOf(pair.localCandidateId), remote: typeOf(pair.remoteCandidateId) };
  }

  protected transmit(frame: Uint8Array): void {
    try {
      this.peer.send(frame);
    } catch (err) {
      this.close(`sending failed (${err instanceof Error ? err.message : String(err)})`);
      throw new PeerClosedError('the data channel refused a frame');
    }
  }

  protected shutdown(): void {
    this.peer.destroy();
  }
}
