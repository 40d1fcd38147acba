/**
 * The signaling server's options and their defaults (from src/core/limits.ts): message and room
 * bounds, rate limits, heartbeat, ICE servers to hand out, who may connect (./gate.ts) and the
 * test-mode capture (./capture.ts).
 */
import * as L from '../src/core/limits.js';
import type { IceServer } from '../src/core/wire/signal.js';
import type { Capture } from './capture.js';
import type { GateInit } from './gate.js';

/** Options; every field has a default from src/core/limits.ts. */
export interface SignalingInit extends GateInit {
  /** URL path of the WebSocket endpoint. @default '/signal' */
  path: string;
  /** Largest message accepted; bigger ones close the socket with 1009. @default SIGNAL_MAX_PAYLOAD_BYTES */
  maxPayloadBytes: number;
  maxSockets: number;
  maxRoomsPerSocket: number;
  maxPeersPerRoom: number;
  /** Token bucket per socket. @default SIGNAL_RATE_PER_SECOND, SIGNAL_RATE_BURST */
  ratePerSecond: number;
  rateBurst: number;
  /** Bad (malformed or rate-limited) messages tolerated per heartbeat period before closing with 1008. */
  maxStrikes: number;
  /** Ping period; a socket that missed the previous pong is terminated. @default SIGNAL_HEARTBEAT_MS */
  heartbeatMs: number;
  maxBufferedBytes: number;
  /** STUN/TURN servers for `hello`; a function is also asked in each `joined` for the peer id (TURN credentials: ./turn.ts). @default [] (loopback and LAN need none) */
  iceServers: IceServer[] | ((peer: string | null) => IceServer[]);
  /** One line per notable event (never a message body). @default silent */
  log: (line: string) => void;
  /** Test mode: every request and message received (./capture.ts). @default none */
  capture?: Capture;
}

export const SIGNALING_DEFAULTS: SignalingInit = {
  path: '/signal',
  maxPayloadBytes: L.SIGNAL_MAX_PAYLOAD_BYTES,
  maxSockets: L.SIGNAL_MAX_SOCKETS,
  maxRoomsPerSocket: L.SIGNAL_MAX_ROOMS_PER_SOCKET,
  maxPeersPerRoom: L.SIGNAL_MAX_PEERS_PER_ROOM,
  ratePerSecond: L.SIGNAL_RATE_PER_SECOND,
  rateBurst: L.SIGNAL_RATE_BURST,
  maxStrikes: L.SIGNAL_MAX_STRIKES,
  heartbeatMs: L.SIGNAL_HEARTBEAT_MS,
  maxBufferedBytes: L.SIGNAL_MAX_BUFFERED_BYTES,
  iceServers: [],
  log: () => {},
  allowedOrigins: [],
  maxSocketsPerIp: L.SIGNAL_MAX_SOCKETS_PER_IP,
  limitLoopback: false,
  trustProxy: false,
};
