/**
 * The repair policy as pure functions (shared by the repairer and the churn simulator): when a
 * file needs repair, and where its missing shares go. Placement is Tahoe's happiness placement
 * (grid/happiness.ts sharePlacement): shares stay where they are when that helps, missing ones go
 * to servers in ring order that hold none yet, so happiness rises as far as the servers allow.
 * @module
 */
import { serversOfHappiness, sharePlacement } from '../grid/happiness.js';

export interface RepairPlanInput<P> {
  /** Servers reachable now, in permuted-ring order. */
  readonly peers: readonly P[];
  /** Servers that take no new shares: full, or holding a corrupt copy of this file. */
  readonly readonly: ReadonlySet<P>;
  /** N: the file's shares are 0..N−1. */
  readonly n: number;
  /** Good shares each server holds (or has been allocated for this repair). */
  readonly holdings: ReadonlyMap<P, Iterable<number>>;
}

/**
 * The new copies to write: server → shares (in ring order), never a share the server holds
 * already, never on a readonly server. Empty when the shares are already placed as well as
 * these servers allow.
 */
export function planRepair<P>(input: RepairPlanInput<P>): Map<P, number[]> {
  const shares = Array.from({ length: input.n }, (_, s) => s);
  const held = new Map<P, Set<number>>();
  for (const [peer, list] of input.holdings) held.set(peer, new Set(list));
  const placement = sharePlacement(input.peers, input.readonly, shares, held);
  const writes = new Map<P, number[]>();
  for (const [share, peer] of placement) {
    if (input.readonly.has(peer) || held.get(peer)?.has(share) === true) continue;
    const list = writes.get(peer);
    if (list === undefined) writes.set(peer, [share]);
    else list.push(share);
  }
  // In ring order, shares ascending: the order allocations go out in.
  const ordered = new Map<P, number[]>();
  for (const peer of input.peers) {
    const list = writes.get(peer);
    if (list !== undefined) ordered.set(peer, list.sort((a, b) => a - b));
  }
  return ordered;
}

/** Servers-of-happiness of a server → shares map. */
export function happinessOf<P>(holdings: ReadonlyMap<P, Iterable<number>>): number {
  const byShare = new Map<number, Set<P>>();
  for (const [peer, shares] of holdings) {
    for (const s of shares) {
      const set = byShare.get(s);
      if (set === undefined) byShare.set(s, new Set([peer]));
      else set.add(peer);
    }
  }
  return serversOfHappiness(byShare);
}

/**
 * The automatic repair rule: repair a file that can still be read (≥ k distinct good shares)
 * when its reachable happiness is below `threshold` (by default the upload's happy).
 */
export function needsRepair(health: { readonly recoverable: boolean; readonly happiness: number; readonly n?: number }, threshold: number): boolean {
  // A file of N shares is as happy as it can be on N distinct servers, whatever the threshold.
  return health.recoverable && health.happiness < Math.min(threshold, health.n ?? threshold);
}
