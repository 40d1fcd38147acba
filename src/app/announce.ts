/**
 * Free space announced to linked peers (issue 3 "available space is announced to peers"): a node
 * tells each new link, and every link again whenever its free space changes, how many bytes it can
 * still take, so placement skips full nodes without asking them (ServerDescriptor.availableBytes).
 * A stale figure costs little: a node asked anyway refuses before any byte flows.
 * Wire: rpc method `node.announce`, payload 1 version byte (1) + u64 big-endian available bytes;
 * the answer is empty.
 * @module
 */
import { readUint64BE, writeUint64BE } from '../core/bytes.js';
import type { Rpc } from '../core/wire/rpc-port.js';

const METHOD = 'node.announce';
const VERSION = 1;
const PAYLOAD_BYTES = 9;
const EMPTY = new Uint8Array(0);
/** An announcement that waits longer than this is dropped: the next change sends a fresh one. */
const ANNOUNCE_TIMEOUT_MS = 10_000;

export class SpaceAnnouncer {
  readonly #heard = new Map<string, number>();
  readonly #links = new Map<string, Rpc>();
  #available: number;

  constructor(available: number) {
    this.#available = available;
  }

  /** What a peer last announced, if it did and its link is open. */
  heard(peer: string): number | undefined {
    return this.#links.has(peer) ? this.#heard.get(peer) : undefined;
  }

  /** Answers a new link's announcements and sends it ours. */
  addLink(peer: string, rpc: Rpc): void {
    this.#links.set(peer, rpc);
    rpc.handle(METHOD, async (payload) => {
      if (payload.length !== PAYLOAD_BYTES || payload[0] !== VERSION) throw new RangeError('a space announcement must be version 1 and 8 bytes of free space');
      const value = readUint64BE(payload, 1);
      if (!Number.isSafeInteger(value)) throw new RangeError('the announced free space is not a byte count');
      this.#heard.set(peer, value);
      return EMPTY;
    });
    rpc.onClose(() => {
      if (this.#links.get(peer) !== rpc) return;
      this.#links.delete(peer);
      this.#heard.delete(peer);
    });
    this.#send(rpc);
  }

  /** Our free space changed: tell every link. */
  update(available: number): void {
    if (available === this.#available) return;
    this.#available = available;
    for (const rpc of this.#links.values()) this.#send(rpc);
  }

  #send(rpc: Rpc): void {
    const payload = new Uint8Array(PAYLOAD_BYTES);
    payload[0] = VERSION;
    writeUint64BE(payload, 1, this.#available);
    rpc.request(METHOD, payload, { signal: AbortSignal.timeout(ANNOUNCE_TIMEOUT_MS) }).catch(() => undefined);
  }
}
