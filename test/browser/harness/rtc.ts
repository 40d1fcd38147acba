/**
 * Harness module for the WebRTC tests (test/browser/rtc.spec.ts) and the data-channel bench
 * (test/bench/rtc.bench.ts): the PeerLink contract on a real data channel within one page, and
 * grid peers that meet through the real signaling server, prove the grid secret and run rpc.
 */
import { RtcPeerLink } from '../../../src/adapters/rtc/peer-link.js';
import { RtcPeers } from '../../../src/adapters/rtc/peers.js';
import { realClock } from '../../../src/adapters/rtc/clock.js';
import { SignalingClient } from '../../../src/adapters/rtc/signaling-client.js';
import { hexToBytes } from '../../../src/core/bytes.js';
import { deriveRoomId } from '../../../src/core/wire/grid-proof.js';
import type { PeerLink } from '../../../src/core/wire/link.js';
import type { Rpc } from '../../../src/core/wire/rpc.js';
import { patternBytes, peerLinkContract } from '../../contracts/peer-link.contract.js';

/** Two RtcPeerLinks in this page, signalled directly to each other (no server), over loopback. */
export async function makeLocalPair(): Promise<[RtcPeerLink, RtcPeerLink]> {
  const a: RtcPeerLink = new RtcPeerLink({ initiator: true, iceServers: [], onSignal: (d) => b.signal(d) });
  const b: RtcPeerLink = new RtcPeerLink({ initiator: false, iceServers: [], onSignal: (d) => a.signal(d) });
  await Promise.all([a.connected, b.connected]);
  return [a, b];
}

/** Runs the PeerLink contract against the simple-peer link; returns what passed and what failed. */
export async function linkContract(): Promise<{ passed: string[]; failures: string[] }> {
  const passed: string[] = [];
  const failures: string[] = [];
  for (const c of peerLinkContract) {
    try {
      await c.run({ makePair: async () => makeLocalPair() as Promise<[PeerLink, PeerLink]>, clock: realClock });
      passed.push(c.name);
    } catch (err) {
      failures.push(`${c.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return { passed, failures };
}

let signaling: SignalingClient | null = null;
let peers: RtcPeers | null = null;
let room = '';
const incoming: string[] = [];

/**
 * Joins a grid as a peer: `secretHex` is the secret this tab proves; `roomSecretHex` (default the
 * same) picks the room, so a test can put a tab with the wrong secret into the right room.
 */
export function joinGrid(opts: { secretHex: string; roomSecretHex?: string }): string {
  const url = `${location.origin.replace(/^http/, 'ws')}/signal`;
  signaling = new SignalingClient({ url });
  room = deriveRoomId(hexToBytes(opts.roomSecretHex ?? opts.secretHex));
  peers = new RtcPeers({ signaling, room, gridSecret: hexToBytes(opts.secretHex) });
  peers.onPeer((peer, rpc) => {
    incoming.push(peer);
    serve(rpc);
  });
  return signaling.peerId;
}

function serve(rpc: Rpc): void {
  rpc.handle('echo', async (p) => p);
  rpc.handle('sum', async (p) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) s = (s + p[i]!) >>> 0;
    return new Uint8Array([s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff]);
  });
  rpc.handle('sink', async () => new Uint8Array(0));
  rpc.handle('pattern', async (p) => patternBytes(new DataView(p.buffer, p.byteOffset).getUint32(0), p[4]!));
}

/** Resolves once the signaling server lists `peer` in this tab's room. */
export async function waitForPeer(peer: string, timeoutMs = 20_000): Promise<void> {
  const s = signaling!;
  const deadline = performance.now() + timeoutMs;
  while (!s.peers(room).includes(peer)) {
    if (performance.now() > deadline) throw new Error(`peer ${peer} did not appear in the room`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Dials a peer and waits for the proven link; returns 'ok' or the error's name and message. */
export async function dial(peer: string, timeoutMs = 30_000): Promise<string> {
  try {
    await peers!.connect(peer, { signal: AbortSignal.timeout(timeoutMs) });
    return 'ok';
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

/** Sends `mib` MiB to the peer and has it sent back: both directions checked byte for byte. */
export async function bigRoundTrip(peer: string, mib: number, seed: number): Promise<{ upOk: boolean; downOk: boolean }> {
  const rpc = await peers!.connect(peer, { signal: AbortSignal.timeout(30_000) });
  const data = patternBytes(mib * 1024 * 1024 + 7, seed);
  const sum = await rpc.request('sum', data, { signal: AbortSignal.timeout(60_000) });
  let s = 0;
  for (let i = 0; i < data.length; i++) s = (s + data[i]!) >>> 0;
  const upOk = new DataView(sum.buffer, sum.byteOffset).getUint32(0) === s;
  const ask = new Uint8Array(5);
  new DataView(ask.buffer).setUint32(0, data.length);
  ask[4] = seed;
  const back = await rpc.request('pattern', ask, { signal: AbortSignal.timeout(60_000) });
  let downOk = back.length === data.length;
  for (let i = 0; downOk && i < data.length; i++) if (back[i] !== data[i]) downOk = false;
  return { upOk, downOk };
}

/** Sends `totalMiB` to the peer as `requestKiB` requests, `inFlight` at once, to a handler that drops them. Returns ms. */
export async function rpcThroughput(peer: string, totalMiB: number, requestKiB: number, inFlight: number): Promise<number> {
  const rpc = await peers!.connect(peer, { signal: AbortSignal.timeout(30_000) });
  const payload = new Uint8Array(requestKiB * 1024).fill(3);
  let left = Math.ceil((totalMiB * 1024) / requestKiB);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (left-- > 0) await rpc.request('sink', payload, { signal: AbortSignal.timeout(60_000) });
    }),
  );
  return performance.now() - t0;
}

/** Peers with a proven link, and those that got one by dialling us. */
export function status(): { connected: string[]; incoming: string[] } {
  return { connected: peers?.connectedPeers() ?? [], incoming: [...incoming] };
}

export function leave(): void {
  peers?.close();
  signaling?.close();
  peers = null;
  signaling = null;
}

declare global {
  interface BricHarness {
    rtc: typeof import('./rtc.js');
  }
}
