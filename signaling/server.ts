/**
 * The signaling server (ARCHITECTURE.md §5, STYLE.md house style 22): a WebSocket endpoint on an
 * existing http.Server that puts peers into rooms (one per grid), tells each who is present and
 * relays SDP/ICE between named peers of a room. Every message bounded and parsed strictly
 * (src/core/wire/signal.ts); bad input is answered, counted and, if repeated, the socket closed.
 */
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import { base32Encode } from '../src/core/bytes.js';
import { checkJoin, JOIN_NONCE_BYTES, type JoinProof } from '../src/core/wire/join-proof.js';
import { encodeSignalMessage, parseClientMessage, SIGNAL_PROTOCOL_VERSION, type ServerMessage, type SignalErrorCode } from '../src/core/wire/signal.js';
import { requestText } from './capture.js';
import { SIGNALING_DEFAULTS, type SignalingInit } from './config.js';
import { createGate } from './gate.js';

export type { SignalingInit } from './config.js';

interface Client {
  ws: WebSocket;
  address: string;
  rooms: Map<string, string>; // room id → this socket's peer id in it
  nonce: string; // what this socket's join proofs sign (sent in hello)
  proven: Set<string>; // rooms where this socket proved it owns its peer id
  tokens: number;
  refilledAt: number;
  strikes: number;
  alive: boolean;
}

export interface Signaling {
  close(): Promise<void>;
  stats(): Record<string, number>;
}

export function attachSignaling(server: Server, init: Partial<SignalingInit> = {}): Signaling {
  const cfg: SignalingInit = { ...SIGNALING_DEFAULTS, ...init };
  const gate = createGate(cfg);
  const wss = new WebSocketServer({ noServer: true, maxPayload: cfg.maxPayloadBytes, perMessageDeflate: false, clientTracking: false });
  const clients = new Set<Client>();
  const rooms = new Map<string, Map<string, Client>>();
  const count = { connections: 0, joins: 0, relayed: 0, malformed: 0, rateLimited: 0, dropped: 0, closedForAbuse: 0, deadSockets: 0, rejectedUpgrades: 0, socketErrors: 0 };

  const send = (c: Client, m: ServerMessage): void => {
    if (c.ws.readyState === WebSocket.OPEN) c.ws.send(encodeSignalMessage(m));
  };
  const refuse = (c: Client, code: SignalErrorCode, reason: string): void => send(c, { type: 'error', code, reason });
  const strike = (c: Client): void => {
    if (++c.strikes <= cfg.maxStrikes) return;
    count.closedForAbuse++;
    cfg.log('signaling: closing a socket that kept sending bad or too many messages');
    c.ws.close(1008, 'too many bad messages');
  };

  const leave = (c: Client, room: string): void => {
    const peer = c.rooms.get(room);
    const members = rooms.get(room);
    if (peer === undefined || !members) return;
    c.rooms.delete(room);
    members.delete(peer);
    if (members.size === 0) rooms.delete(room);
    for (const other of members.values()) send(other, { type: 'peer-left', room, peer });
  };

  const join = (c: Client, room: string, peer: string, proof: JoinProof | undefined): void => {
    if (proof !== undefined && !checkJoin(c.nonce, room, peer, proof)) return refuse(c, 'bad-proof', 'the join’s key or signature does not prove this peer id');
    const current = c.rooms.get(room);
    if (current !== undefined && current !== peer) return refuse(c, 'peer-id-taken', 'this socket is already in the room under another peer id');
    const members = rooms.get(room) ?? new Map<string, Client>();
    if (current === undefined) {
      if (c.rooms.size >= cfg.maxRoomsPerSocket) return refuse(c, 'too-many-rooms', `a socket may be in at most ${cfg.maxRoomsPerSocket} rooms`);
      const holder = members.get(peer);
      if (holder !== undefined) {
        // Only a proven join takes an id, and only from a socket that never proved it (a squatter).
        if (proof === undefined || holder.proven.has(room)) return refuse(c, 'peer-id-taken', 'another socket is in the room with this peer id');
        leave(holder, room);
        refuse(holder, 'peer-id-taken', 'a node proved that it owns this peer id: this socket left the room');
      }
      if (members.size >= cfg.maxPeersPerRoom) return refuse(c, 'room-full', `the room already has ${cfg.maxPeersPerRoom} peers`);
    }
    const peers = [...members.keys()].filter((p) => p !== peer);
    send(c, { type: 'joined', room, peer, peers, ...(typeof cfg.iceServers === 'function' ? { iceServers: cfg.iceServers(peer) } : {}) });
    if (proof !== undefined) c.proven.add(room);
    if (current !== undefined) return; // a repeated join only refreshes the presence list
    for (const other of members.values()) send(other, { type: 'peer-joined', room, peer });
    members.set(peer, c);
    rooms.set(room, members);
    c.rooms.set(room, peer);
    count.joins++;
  };

  const onMessage = (c: Client, data: RawData, isBinary: boolean): void => {
    cfg.capture?.({ kind: 'ws', from: c.address, ...(isBinary ? { base64: (data as Buffer).toString('base64') } : { text: (data as Buffer).toString('utf8') }) });
    if (c.ws.readyState !== WebSocket.OPEN) return; // closing: what was still queued is ignored
    const now = performance.now();
    c.tokens = Math.min(cfg.rateBurst, c.tokens + ((now - c.refilledAt) * cfg.ratePerSecond) / 1000);
    c.refilledAt = now;
    if (c.tokens < 1) {
      count.rateLimited++;
      refuse(c, 'rate-limited', `more than ${cfg.ratePerSecond} messages a second: this one was dropped`);
      return strike(c);
    }
    c.tokens -= 1;
    let m;
    try {
      if (isBinary) throw new TypeError('binary messages are not accepted: send JSON text');
      m = parseClientMessage((data as Buffer).toString('utf8'));
    } catch (err) {
      count.malformed++;
      refuse(c, 'malformed', err instanceof Error ? err.message.slice(0, 200) : 'malformed message');
      return strike(c);
    }
    if (m.type === 'join') return join(c, m.room, m.peer, m.key !== undefined && m.sig !== undefined ? { key: m.key, sig: m.sig } : undefined);
    const from = c.rooms.get(m.room);
    if (from === undefined) return refuse(c, 'not-in-room', 'this socket has not joined that room');
    if (m.type === 'leave') return leave(c, m.room);
    const target = rooms.get(m.room)?.get(m.to);
    if (!target) return refuse(c, 'unknown-peer', 'that peer is not in the room (any more)');
    if (target.ws.bufferedAmount > cfg.maxBufferedBytes) {
      count.dropped++;
      return refuse(c, 'peer-busy', 'that peer is not reading its messages: the signal was dropped');
    }
    send(target, { type: 'signal', room: m.room, from, data: m.data });
    count.relayed++;
  };

  const onConnection = (ws: WebSocket, address: string): void => {
    gate.opened(address);
    const nonce = base32Encode(randomBytes(JOIN_NONCE_BYTES));
    const c: Client = { ws, address, rooms: new Map(), nonce, proven: new Set(), tokens: cfg.rateBurst, refilledAt: performance.now(), strikes: 0, alive: true };
    clients.add(c);
    count.connections++;
    ws.on('error', () => void count.socketErrors++); // e.g. 1009 oversize, bad UTF-8: ws closes the socket itself
    ws.on('pong', () => void (c.alive = true));
    ws.on('message', (data, isBinary) => onMessage(c, data, isBinary));
    ws.on('close', () => {
      clients.delete(c);
      gate.closed(address);
      for (const room of [...c.rooms.keys()]) leave(c, room);
    });
    send(c, { type: 'hello', v: SIGNAL_PROTOCOL_VERSION, iceServers: typeof cfg.iceServers === 'function' ? cfg.iceServers(null) : cfg.iceServers, nonce });
  };

  const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const path = URL.parse(req.url ?? '/', 'http://localhost')?.pathname; // an unparsable URL is not ours
    if (path !== cfg.path) {
      // Another upgrade listener (a dev server's HMR) may own it; if none exists, answer and hang up.
      if (server.listenerCount('upgrade') === 1) socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const verdict = clients.size >= cfg.maxSockets ? ({ ok: false, status: 503, reason: 'the server is full' } as const) : gate.admit(req);
    cfg.capture?.({ kind: 'upgrade', from: req.socket.remoteAddress ?? '', text: requestText(req) });
    if (!verdict.ok) {
      count.rejectedUpgrades++;
      const words = { 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' }[verdict.status];
      socket.end(`HTTP/1.1 ${verdict.status} ${words}\r\nConnection: close\r\nContent-Type: text/plain\r\n\r\n${verdict.reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, verdict.address));
  };
  server.on('upgrade', onUpgrade);

  const heartbeat = setInterval(() => {
    for (const c of clients) {
      c.strikes = 0; // strikes count per heartbeat period: bursts of bad input close, rare slips do not
      if (!c.alive) {
        count.deadSockets++;
        c.ws.terminate(); // 'close' follows and announces the peer's departure
        continue;
      }
      c.alive = false;
      c.ws.ping();
    }
  }, cfg.heartbeatMs);
  heartbeat.unref();

  return {
    stats: () => ({ sockets: clients.size, rooms: rooms.size, peers: [...rooms.values()].reduce((n, m) => n + m.size, 0), ...count }),
    close: async () => {
      clearInterval(heartbeat);
      server.off('upgrade', onUpgrade);
      for (const c of clients) c.ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
