/**
 * The one capacity of a node, shared by every server that stores under it (the StorageServer's
 * shares and the MutableSlotServer's slots): the maximum the person set, and a node-wide turn for
 * the check-then-reserve step, so two servers cannot both take the last free bytes.
 * @module
 */
import { DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES } from '../limits.js';
import { KeyedMutex } from './_mutex.js';
import { assertCapacity } from './capacity.js';

const RESERVE = 'reserve';

export class NodeCapacity {
  readonly #turns = new KeyedMutex();
  #bytes: number;

  constructor(bytes: number = DEFAULT_CAPACITY_UNKNOWN_QUOTA_BYTES) {
    assertCapacity(bytes);
    this.#bytes = bytes;
  }

  /** The most bytes the node holds, all servers together. */
  get bytes(): number {
    return this.#bytes;
  }

  /** Changes the maximum at once. Lowering it under what is stored deletes nothing; it only refuses growth. */
  set(bytes: number): void {
    assertCapacity(bytes);
    this.#bytes = bytes;
  }

  /** Runs a capacity check and the reservation it allows with no other server's check in between. */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#turns.run(RESERVE, fn);
  }
}
