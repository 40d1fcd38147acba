/**
 * The Rpc port (INTERFACES.md "peer link and rpc"): what storage and the grid client code against,
 * plus rpc's components, options (defaults in limits.ts) and counters. Implemented in rpc.ts.
 * @module
 */
import * as L from '../limits.js';
import type { PeerLink } from './link.js';

export type RpcHandler = (payload: Uint8Array, opts: { signal: AbortSignal }) => Promise<Uint8Array>;

/**
 * Payloads handed to handlers and returned by request() may be views into a larger buffer: copy
 * them (exactCopy) before storing, posting or transferring them.
 */
export interface Rpc {
  request(method: string, payload: Uint8Array, opts: { signal: AbortSignal; timeoutMs?: number }): Promise<Uint8Array>;
  handle(method: string, handler: RpcHandler): void;
  close(reason?: string): void;
  readonly closed: boolean;
  onClose(cb: (reason: string) => void): void;
}

/** Time for timeouts: the same shape as core's Clock port (grid/clock.ts); only sleep is used. */
export interface RpcClock {
  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void>;
}

export interface RpcComponents {
  link: PeerLink;
  clock: RpcClock;
}

export interface RpcInit {
  /** Timeout of a request that names none. @default RPC_DEFAULT_TIMEOUT_MS */
  defaultTimeoutMs: number;
  /** Frame size messages are cut into (capped at the link's maxFrameBytes). @default RPC_FRAME_BYTES */
  frameBytes: number;
  /** @default MAX_RPC_MESSAGE_BYTES */
  maxMessageBytes: number;
  /** Bytes of replies being reassembled at once; more is a FrameError. @default MAX_RPC_REASSEMBLY_BYTES */
  maxReassemblyBytes: number;
  /** Bytes of the peer's requests being received or handled at once; more are answered PeerBusyError. @default MAX_RPC_INBOUND_BYTES */
  maxInboundBytes: number;
  /** Our requests in flight at once; more wait for a slot. @default MAX_RPC_PENDING_REQUESTS */
  maxPending: number;
  /** The peer's requests running here at once; more are answered PeerBusyError. @default MAX_RPC_CONCURRENT_INBOUND */
  maxInbound: number;
  /** @default MAX_RPC_MALFORMED_FRAMES */
  maxMalformed: number;
}

export interface RpcStats {
  requestsSent: number;
  responsesReceived: number;
  remoteErrors: number;
  timeouts: number;
  aborted: number;
  cancelsSent: number;
  requestsReceived: number;
  cancelsReceived: number;
  busyRefused: number;
  unknownReplies: number;
  malformedFrames: number;
  bytesSent: number;
  bytesReceived: number;
  pending: number;
  inbound: number;
  /** Bytes reserved for inbound messages still being reassembled. */
  reassemblyBytes: number;
  /** Bytes of the peer's requests being received or handled now. */
  inboundBytes: number;
}

export const RPC_DEFAULTS: Readonly<RpcInit> = Object.freeze({
  defaultTimeoutMs: L.RPC_DEFAULT_TIMEOUT_MS,
  frameBytes: L.RPC_FRAME_BYTES,
  maxMessageBytes: L.MAX_RPC_MESSAGE_BYTES,
  maxReassemblyBytes: L.MAX_RPC_REASSEMBLY_BYTES,
  maxInboundBytes: L.MAX_RPC_INBOUND_BYTES,
  maxPending: L.MAX_RPC_PENDING_REQUESTS,
  maxInbound: L.MAX_RPC_CONCURRENT_INBOUND,
  maxMalformed: L.MAX_RPC_MALFORMED_FRAMES,
});
