/**
 * Servers-of-happiness, Tahoe's definition (docs/specifications/servers-of-happiness.rst): the
 * size of a maximum matching in the bipartite graph of servers and the shares they hold, and the
 * placement algorithm of immutable/happiness_upload.py (M1 readonly, M2 existing, M3 new).
 * @module
 */

/**
 * A maximum matching between servers and shares (Kuhn's augmenting paths). `adjacency` maps each
 * server to the shares it may hold; servers earlier in the map are preferred, because a server
 * once matched stays matched while later augmenting paths only re-route its share.
 * @returns share → server for every matched share.
 */
export function maximumMatching<P, S>(adjacency: ReadonlyMap<P, Iterable<S>>): Map<S, P> {
  const edges = new Map<P, S[]>();
  for (const [server, shares] of adjacency) edges.set(server, [...shares]);
  const shareToServer = new Map<S, P>();

  // Depth is bounded by the number of shares (≤ MAX_SHARES), so recursion is safe.
  const tryAugment = (server: P, visited: Set<S>): boolean => {
    for (const share of edges.get(server) ?? []) {
      if (visited.has(share)) continue;
      visited.add(share);
      const holder = shareToServer.get(share);
      if (holder === undefined || tryAugment(holder, visited)) {
        shareToServer.set(share, server);
        return true;
      }
    }
    return false;
  };

  for (const server of edges.keys()) tryAugment(server, new Set());
  return shareToServer;
}

/**
 * Tahoe's servers_of_happiness: given share → the servers holding it, the number of distinct
 * servers that can each be credited with a distinct share (the maximum matching's size).
 */
export function serversOfHappiness<S, P>(sharemap: ReadonlyMap<S, Iterable<P>>): number {
  return maximumMatching(invert(sharemap)).size;
}

/** Happiness of a one-server-per-share placement: how many distinct servers it uses. */
export function calculateHappiness<S, P>(placement: ReadonlyMap<S, P>): number {
  return new Set(placement.values()).size;
}

/**
 * Tahoe's share_placement: where each share should go, keeping existing shares where they are
 * when that helps and spreading the rest so the maximum matching is as large as it can be.
 * @param peers usable servers in permuted-ring order (earlier ones preferred)
 * @param readonlyPeers servers that hold shares but take no new ones (full)
 * @param shares every share number of the file
 * @param peersToShares shares each server holds already
 * @returns share → server; shares are missing only when no writable server exists
 */
export function sharePlacement<P, S>(
  peers: readonly P[],
  readonlyPeers: ReadonlySet<P>,
  shares: readonly S[],
  peersToShares: ReadonlyMap<P, Iterable<S>>,
): Map<S, P> {
  const wanted = new Set(shares);
  const held = (peer: P): S[] => [...(peersToShares.get(peer) ?? [])].filter((s) => wanted.has(s));

  // Steps 2–3: readonly servers keep the shares they hold (M1).
  const g1 = new Map<P, S[]>();
  for (const peer of peers) if (readonlyPeers.has(peer)) g1.set(peer, held(peer));
  const m1 = maximumMatching(g1);
  const usedPeers = new Set(m1.values());
  const usedShares = new Set(m1.keys());

  // Steps 4–5: other existing shares stay put where that adds to the matching (M2).
  const g2 = new Map<P, S[]>();
  for (const peer of peers) {
    if (usedPeers.has(peer)) continue;
    g2.set(peer, held(peer).filter((s) => !usedShares.has(s)));
  }
  const m2 = maximumMatching(g2);
  for (const [share, peer] of m2) {
    usedShares.add(share);
    usedPeers.add(peer);
  }

  // Steps 6–7: writable servers not yet used take the shares not yet placed (M3).
  const writable = peers.filter((p) => !readonlyPeers.has(p));
  const freeShares = shares.filter((s) => !usedShares.has(s));
  const g3 = new Map<P, S[]>();
  for (const peer of writable) if (!usedPeers.has(peer)) g3.set(peer, freeShares);
  const m3 = maximumMatching(g3);

  const placement = new Map<S, P>();
  for (const m of [m1, m2, m3]) for (const [share, peer] of m) placement.set(share, peer);

  // Homeless shares (more shares than servers): renew where one exists already, else spread
  // evenly over the writable servers, fewest shares first, ring order breaking ties.
  const load = new Map<P, number>(writable.map((p) => [p, 0]));
  for (const peer of placement.values()) if (load.has(peer)) load.set(peer, load.get(peer)! + 1);
  for (const share of shares) {
    if (placement.has(share)) continue;
    const holder = peers.find((p) => held(p).includes(share));
    if (holder !== undefined) {
      placement.set(share, holder);
      continue;
    }
    let best: P | undefined;
    for (const peer of writable) if (best === undefined || load.get(peer)! < load.get(best)!) best = peer;
    if (best === undefined) continue;
    placement.set(share, best);
    load.set(best, load.get(best)! + 1);
  }
  return placement;
}

function invert<S, P>(sharemap: ReadonlyMap<S, Iterable<P>>): Map<P, S[]> {
  const byServer = new Map<P, S[]>();
  for (const [share, servers] of sharemap) {
    for (const server of servers) {
      const list = byServer.get(server);
      if (list === undefined) byServer.set(server, [share]);
      else list.push(share);
    }
  }
  return byServer;
}
