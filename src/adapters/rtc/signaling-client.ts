/**
 * The browser's signaling client (ARCHITECTURE.md §5): one WebSocket to signaling/server.ts,
 * reconnecting with jittered exponential backoff, re-joining its rooms, keeping each room's
 * presence, and relaying SDP/ICE to named peers. Messages typed and checked by core/wire/signal.ts.
 * @module
 */
import { base32Encode } from '../../core/bytes.js';
import { SIGNAL_RECONNECT_MAX_MS, SIGNAL_RECONNECT_MIN_MS } from '../../core/limits.js';
import { proveJoin } from '../../core/wire/join-proof.js';
import type { NodeKey } from '../../core/wire/node-key.js';
import {
  encodeSignalMessage, isPeerId, isRoomId, PEER_ID_BYTES, parseServerMessage,
  type ClientMessage, type IceServer, type SignalData, type SignalErrorCode,
} from '../../core/wire/signal.js';

export type SignalingEvent =
  | { type: 'open'; iceServers: IceServer[] }
  | { type: 'joined'; room: string; peers: string[] }
  | { type: 'peer-joined'; room: string; peer: string }
  | { type: 'peer-left'; room: string; peer: string }
  | { type: 'signal'; room: string; from: string; data: SignalData }
  | { type: 'error'; code: SignalErrorCode | 'bad-server-message'; reason: string }
  | { type: 'down'; reason: string; retryInMs: number };

/** The slice of the WebSocket API used here (the browser's, or `ws` in Node tests). */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
}

export interface SignalingClientInit {
  /** ws:// or wss:// URL of the endpoint, e.g. `${location.origin.replace(/^http/, 'ws')}/signal`. */
  url: string;
  /** This tab's peer id. @default 16 random bytes in base32 */
  peerId: string;
  /** @default globalThis.WebSocket */
  WebSocket: new (url: string) => WebSocketLike;
  /**
   * The node key `peerId` names (peerIdOfKey): joins then carry a proof over the server's nonce,
   * so a socket that squats this id in a room is put out. @default none (joins without proof)
   */
  nodeKey?: NodeKey;
  /** @default SIGNAL_RECONNECT_MIN_MS, SIGNAL_RECONNECT_MAX_MS */
  reconnectMinMs: number;
  reconnectMaxMs: number;
}

/** A fresh random peer id (26 base32 characters). */
export function randomPeerId(): string {
  return base32Encode(crypto.getRandomValues(new Uint8Array(PEER_ID_BYTES)));
}

const OPEN = 1;

export class SignalingClient {
  readonly peerId: string;
  /** ICE servers from the server's last hello, or joined when it carries them ([] until then). */
  iceServers: IceServer[] = [];
  private readonly cfg: SignalingClientInit;
  private ws: WebSocketLike | null = null;
  private ready = false;
  private stopped = false;
  private attempts = 0;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private rejoinTimer: ReturnType<typeof setTimeout> | null = null;
  private nonce: string | undefined; // from this socket's hello: what join proofs sign
  private readonly rooms = new Map<string, Set<string>>(); // rooms we want → peers present
  private readonly joinedRooms = new Set<string>();
  private readonly listeners = new Set<(e: SignalingEvent) => void>();

  constructor(init: Partial<SignalingClientInit> & { url: string }) {
    this.cfg = {
      peerId: init.peerId ?? randomPeerId(),
      WebSocket: init.WebSocket ?? (globalThis.WebSocket as unknown as SignalingClientInit['WebSocket']),
      reconnectMinMs: SIGNAL_RECONNECT_MIN_MS,
      reconnectMaxMs: SIGNAL_RECONNECT_MAX_MS,
      ...init,
    } as SignalingClientInit;
    if (!isPeerId(this.cfg.peerId)) throw new RangeError('"peerId" must be 26 base32 characters (16 bytes)');
    if (this.cfg.nodeKey !== undefined && this.cfg.nodeKey.peerId !== this.cfg.peerId) throw new RangeError('"peerId" must be the peer id of "nodeKey"');
    this.peerId = this.cfg.peerId;
    this.connect();
  }

  /** True while the socket is open and the server said hello. */
  get connected(): boolean {
    return this.ready;
  }

  on(listener: (e: SignalingEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Joins a room (now, or as soon as connected; again after every reconnect). */
  join(room: string): void {
    if (!isRoomId(room)) throw new RangeError('"room" must be a room id (52 base32 characters)');
    if (!this.rooms.has(room)) this.rooms.set(room, new Set());
    this.sendMessage(this.joinMessage(room));
  }

  leave(room: string): void {
    this.rooms.delete(room);
    this.joinedRooms.delete(room);
    this.sendMessage({ type: 'leave', room });
  }

  /** The peers present in a room, as last heard (not this tab). */
  peers(room: string): string[] {
    return [...(this.rooms.get(room) ?? [])];
  }

  /** Relays SDP/ICE to a peer in a room; false when not connected (the caller's attempt will time out or retry). */
  send(room: string, to: string, data: SignalData): boolean {
    return this.sendMessage({ type: 'signal', room, to, data });
  }

  close(): void {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.rejoinTimer) clearTimeout(this.rejoinTimer);
    this.ready = false;
    this.ws?.close(1000, 'leaving');
    this.ws = null;
  }

  /** A join, with a proof that this node owns its peer id when it has a key and the server a nonce. */
  private joinMessage(room: string): ClientMessage {
    const { nodeKey } = this.cfg;
    if (nodeKey === undefined || this.nonce === undefined) return { type: 'join', room, peer: this.peerId };
    return { type: 'join', room, peer: this.peerId, ...proveJoin(nodeKey, this.nonce, room) };
  }

  private sendMessage(m: ClientMessage): boolean {
    if (!this.ready || !this.ws || this.ws.readyState !== OPEN) return false;
    this.ws.send(encodeSignalMessage(m));
    return true;
  }

  private emit(e: SignalingEvent): void {
    for (const l of [...this.listeners]) {
      try {
        l(e);
      } catch {
        /* a listener's failure must not stop the others or the socket */
      }
    }
  }

  private connect(): void {
    if (this.stopped) return;
    const ws = new this.cfg.WebSocket(this.cfg.url);
    this.ws = ws;
    ws.onmessage = (ev) => {
      if (this.ws === ws) this.onMessage(ev.data);
    };
    ws.onerror = () => {}; // a close follows; that is where we retry
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.ready = false;
      this.joinedRooms.clear();
      if (this.stopped) return;
      const delay = this.backoff();
      this.emit({ type: 'down', reason: ev.reason || `the signaling socket closed (${ev.code})`, retryInMs: delay });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    };
  }

  private backoff(): number {
    const ceiling = Math.min(this.cfg.reconnectMaxMs, this.cfg.reconnectMinMs * 2 ** Math.min(this.attempts++, 20));
    return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2); // jitter: tabs of a restarted server do not return at once
  }

  private onMessage(data: unknown): void {
    let m;
    try {
      m = parseServerMessage(data);
    } catch (err) {
      return this.emit({ type: 'error', code: 'bad-server-message', reason: err instanceof Error ? err.message : String(err) });
    }
    switch (m.type) {
      case 'hello':
        this.ready = true;
        this.attempts = 0;
        this.iceServers = m.iceServers;
        this.nonce = m.nonce;
        this.emit({ type: 'open', iceServers: m.iceServers });
        for (const room of this.rooms.keys()) this.sendMessage(this.joinMessage(room));
        return;
      case 'joined': {
        const known = this.rooms.get(m.room);
        if (!known) return;
        this.joinedRooms.add(m.room);
        // TURN credentials minted for our peer id (signaling/turn.ts) replace hello's list.
        if (m.iceServers) this.iceServers = m.iceServers;
        // After a reconnect, peers that left meanwhile are announced as gone.
        for (const p of [...known]) if (!m.peers.includes(p)) (known.delete(p), this.emit({ type: 'peer-left', room: m.room, peer: p }));
        for (const p of m.peers) known.add(p);
        return this.emit({ type: 'joined', room: m.room, peers: m.peers });
      }
      case 'peer-joined':
        this.rooms.get(m.room)?.add(m.peer);
        return this.emit(m);
      case 'peer-left':
        this.rooms.get(m.room)?.delete(m.peer);
        return this.emit(m);
      case 'signal':
        return this.emit(m);
      case 'error':
        // The server may still hold our previous socket (until its heartbeat): join again later.
        if (m.code === 'peer-id-taken') this.scheduleRejoin();
        return this.emit(m);
    }
  }

  private scheduleRejoin(): void {
    if (this.rejoinTimer || this.stopped) return;
    this.rejoinTimer = setTimeout(() => {
      this.rejoinTimer = null;
      for (const room of this.rooms.keys()) if (!this.joinedRooms.has(room)) this.sendMessage({ type: 'join', room, peer: this.peerId });
    }, this.backoff());
  }
}
