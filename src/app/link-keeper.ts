/**
 * Which peer links this tab keeps (ARCHITECTURE.md §5 "Scale"): a tab that joins dials the peers
 * present, up to a warm set (small grids become a full mesh, so a placement or a restore starts at
 * once); beyond it, links open on demand (RtcPeers.connect) and the longest-idle ones close once
 * more than the warm set are open. Activity is what this tab asked of a peer or the peer asked of it.
 * @module
 */
import type { RtcPeers } from '../adapters/rtc/peers.js';
import type { SignalingClient, SignalingEvent } from '../adapters/rtc/signaling-client.js';
import { APP_LINK_IDLE_CLOSE_MS, APP_WARM_LINKS } from '../core/limits.js';
import type { Rpc } from '../core/wire/rpc-port.js';

export interface LinkKeeperInit {
  /** Links dialled eagerly and never closed for idleness. @default APP_WARM_LINKS */
  warmLinks?: number;
  /** A link beyond the warm set that carried nothing for this long closes. @default APP_LINK_IDLE_CLOSE_MS */
  idleCloseMs?: number;
  /** Peers not to dial (the broker's reputation: avoided after repeated faults). @default none */
  avoid?: (peer: string) => boolean;
}

export class LinkKeeper {
  readonly #peers: RtcPeers;
  readonly #signaling: SignalingClient;
  readonly #room: string;
  readonly #warm: number;
  readonly #idleMs: number;
  readonly #lastActive = new Map<string, number>();
  readonly #listeners = new Set<() => void>();
  readonly #offs: Array<() => void> = [];
  readonly #timer: ReturnType<typeof setInterval>;
  readonly #dialing = new Set<string>();
  readonly #avoid: (peer: string) => boolean;
  #closed = false;

  constructor(peers: RtcPeers, signaling: SignalingClient, room: string, init: LinkKeeperInit = {}) {
    this.#peers = peers;
    this.#signaling = signaling;
    this.#room = room;
    this.#warm = init.warmLinks ?? APP_WARM_LINKS;
    this.#idleMs = init.idleCloseMs ?? APP_LINK_IDLE_CLOSE_MS;
    this.#avoid = init.avoid ?? (() => false);
    this.#offs.push(
      peers.onPeer((peer, rpc) => this.#onLink(peer, rpc)),
      signaling.on((e) => this.#onSignaling(e)),
    );
    this.#timer = setInterval(() => this.#closeIdle(), Math.max(1000, Math.floor(this.#idleMs / 4)));
    // Presence may have arrived before this keeper existed.
    if (signaling.peers(room).length > 0) this.#warmUp(signaling.peers(room));
  }

  /** Marks a peer's link as in use (a request to or from it). */
  touch(peer: string): void {
    this.#lastActive.set(peer, performance.now());
  }

  /** Open, proven links now. */
  connectedCount(): number {
    return this.#peers.connectedPeers().length;
  }

  /** Called after a link opened or closed. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const off of this.#offs) off();
  }

  #onLink(peer: string, rpc: Rpc): void {
    this.touch(peer);
    rpc.onClose(() => {
      this.#lastActive.delete(peer);
      this.#changed();
    });
    this.#changed();
  }

  #onSignaling(e: SignalingEvent): void {
    if (this.#closed) return;
    // The newcomer dials; those already present wait for its offer (fewer offers cross).
    if (e.type === 'joined' && e.room === this.#room) this.#warmUp(e.peers);
    if ((e.type === 'peer-joined' || e.type === 'peer-left') && e.room === this.#room) this.#changed();
  }

  #warmUp(present: readonly string[]): void {
    const connected = new Set(this.#peers.connectedPeers());
    let room = this.#warm - connected.size - this.#dialing.size;
    for (const peer of present) {
      if (room <= 0) break;
      if (connected.has(peer) || this.#dialing.has(peer) || peer === this.#peers.peerId || this.#avoid(peer)) continue;
      room--;
      this.#dialing.add(peer);
      this.#peers
        .connect(peer, { signal: AbortSignal.timeout(60_000) })
        .catch(() => undefined) // unreachable now: placement or a restore dials again when it needs the peer
        .finally(() => this.#dialing.delete(peer));
    }
  }

  #closeIdle(): void {
    const connected = this.#peers.connectedPeers();
    let excess = connected.length - this.#warm;
    if (excess <= 0) return;
    const now = performance.now();
    const idle = connected
      .map((peer) => ({ peer, since: this.#lastActive.get(peer) ?? 0 }))
      .filter((p) => now - p.since > this.#idleMs)
      .sort((a, b) => a.since - b.since);
    for (const { peer } of idle) {
      if (excess-- <= 0) break;
      // RtcPeers hands out the same Rpc for an open link; closing it closes the link.
      void this.#peers.connect(peer, { signal: AbortSignal.timeout(1000) }).then((rpc) => rpc.close('idle'), () => undefined);
    }
  }

  #changed(): void {
    for (const l of [...this.#listeners]) l();
  }
}
