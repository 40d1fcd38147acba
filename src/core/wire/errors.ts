/**
 * Errors of the wire layer: signaling messages, peer links, rpc frames and the grid proof.
 * Bad input from the network surfaces as one of these; callers count it and drop it, never crash.
 * @module
 */
import { BricError } from '../errors.js';

/** A signaling message broke the schema (wrong type, length, field or message kind). */
export class SignalMessageError extends BricError {
  override name = 'SignalMessageError';
}

/** A request got no answer in time (the peer is slow, hung or gone without a close). */
export class PeerTimeoutError extends BricError {
  override name = 'PeerTimeoutError';
}

/** The link to the peer is closed: nothing more can be sent or answered on it. */
export class PeerClosedError extends BricError {
  override name = 'PeerClosedError';
}

/** The remote handler threw; `remoteName` and the message are the remote error's own. */
export class RemoteError extends BricError {
  override name = 'RemoteError';
  readonly remoteName: string;
  constructor(remoteName: string, message: string) {
    super(`the peer answered with ${remoteName}: ${message}`);
    this.remoteName = remoteName;
  }
}

/** A frame on a peer link broke the layout (frame.ts) or a bound (limits.ts). */
export class FrameError extends BricError {
  override name = 'FrameError';
}

/** The peer is running as many of our requests as it allows; try again later or elsewhere. */
export class PeerBusyError extends BricError {
  override name = 'PeerBusyError';
}

/** The peer could not prove it knows the grid secret (or sent a malformed proof). */
export class GridProofError extends BricError {
  override name = 'GridProofError';
}

/**
 * An offer or answer is not signed by the key its sender's peer id names (unsigned, another key, or
 * an SDP altered after signing): whoever relayed it may be trying to sit between the two peers.
 */
export class SdpSignatureError extends BricError {
  override name = 'SdpSignatureError';
}
