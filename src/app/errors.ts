/**
 * Errors of the app layer: links a person pasted or opened, and the node's own set-up. Messages
 * are shown to the person as they are, so they say what is wrong in plain words.
 * @module
 */
import { BricError } from '../core/errors.js';

/** A readcap or invite link that cannot be read (wrong fragment, broken cap, bad grid secret). */
export class LinkError extends BricError {
  override name = 'LinkError';
}

/** The node could not start (no IndexedDB, no signaling server, a browser feature missing). */
export class NodeStartError extends BricError {
  override name = 'NodeStartError';
}
