/**
 * The SlotBroker port: how the mutable file client reaches storage servers' slots. The app
 * implements it next to its StorageBroker (the same peers, mutableClient over the same Rpc);
 * tests implement it over the memory grid. Server identities are the grid's (grid/broker.ts).
 * @module
 */
import type { NodeId, ServerDescriptor } from '../grid/broker.js';
import type { MutableSlotApi } from '../storage/mutable-api.js';

export interface SlotBroker {
  /** The servers present now (this tab's own node may be among them). */
  servers(): ServerDescriptor[];
  /** The slot API of one server, connecting if needed; rejects when it cannot be reached. */
  connectSlots(nodeId: NodeId, opts: { signal: AbortSignal }): Promise<MutableSlotApi>;
}
