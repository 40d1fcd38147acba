/**
 * Harness module for the network-hardening tests (test/browser/rtc-mitm.spec.ts, rtc-turn.spec.ts):
 * a grid peer with a node key (signed offers and answers), an ICE transport policy ('relay' forces
 * TURN), the refusals RtcPeers reports, the selected ICE candidate pair, and multi-MiB rpc.
 */
import { realClock } from '../../../src/adapters/rtc/clock.js';
import { RtcPeers } from '../../../src/adapters/rtc/peers.js';
import { SignalingClient } from '../../../src/adapters/rtc/signaling-client.js';
import { hexToBytes } from '../../../src/core/bytes.js';
import { deriveRoomId } from '../../../src/core/wire/grid-proof.js';
import { deriveNodeKey } from '../../../src/core/wire/node-key.js';
import type { Rpc } from '../../../src/core/wire/rpc.js';
import { patternBytes } from '../../contracts/peer-link.contract.js';

let signaling: SignalingClient | null = null;
let peers: RtcPeers | null = null;
let room = '';
const refused: string[] = [];

export interface JoinOptions {
  secretHex: string;
  /** Seed of this tab's node key (32 bytes in hex); none: unsigned, with a random peer id. */
  seedHex?: string;
  iceTransportPolicy?: 'all' | 'relay';
  connectTimeoutMs?: number;
}

/** Joins the grid; resolves with this tab's peer id once the server said hello (and so gave its ICE servers). */
export async function join(opts: JoinOptions): Promise<string> {
  const nodeKey = opts.seedHex === undefined ? undefined : deriveNodeKey(hexToBytes(opts.seedHex));
  signaling = new SignalingClient({ url: `${location.origin.replace(/^http/, 'ws')}/signal`, ...(nodeKey ? { peerId: nodeKey.peerId } : {}) });
  room = deriveRoomId(hexToBytes(opts.secretHex));
  peers = new RtcPeers({
    signaling, room, gridSecret: hexToBytes(opts.secretHex), clock: realClock,
    ...(nodeKey ? { nodeKey } : {}),
    ...(opts.iceTransportPolicy ? { iceTransportPolicy: opts.iceTransportPolicy } : {}),
    ...(opts.connectTimeoutMs ? { connectTimeoutMs: opts.connectTimeoutMs } : {}),
  });
  peers.onRefused((peer, err) => refused.push(`${peer}: ${err.name}: ${err.message}`));
  peers.onPeer((_peer, rpc) => serve(rpc));
  const s = signaling;
  while (!s.connected) await new Promise((r) => setTimeout(r, 20));
  return s.peerId;
}

function serve(rpc: Rpc): void {
  rpc.handle('sum', async (p) => {
    let s = 0;
    for (let i = 0; i < p.length; i++) s = (s + p[i]!) >>> 0;
    return new Uint8Array([s >>> 24, (s >>> 16) & 0xff, (s >>> 8) & 0xff, s & 0xff]);
  });
  rpc.handle('pattern', async (p) => patternBytes(new DataView(p.buffer, p.byteOffset).getUint32(0), p[4]!));
}

/** The ICE servers this tab got from the signaling server (URLs and usernames; credentials as their length). */
export function iceServers(): Array<{ urls: string | string[]; username?: string; credentialLength?: number }> {
  return (signaling?.iceServers ?? []).map((s) => ({
    urls: s.urls,
    ...(s.username !== undefined ? { username: s.username } : {}),
    ...(s.credential !== undefined ? { credentialLength: s.credential.length } : {}),
  }));
}

export async function waitForPeer(peer: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!signaling!.peers(room).includes(peer)) {
    if (performance.now() > deadline) throw new Error(`peer ${peer} did not appear in the room`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Dials a peer; 'ok' or the error's name and message. */
export async function dial(peer: string, timeoutMs = 30_000): Promise<string> {
  try {
    await peers!.connect(peer, { signal: AbortSignal.timeout(timeoutMs) });
    return 'ok';
  } catch (err) {
    return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  }
}

/** Offers and answers this tab refused (signature checks), as "peer: Name: message". */
export function refusals(): string[] {
  return [...refused];
}

export function connected(): string[] {
  return peers?.connectedPeers() ?? [];
}

export async function selectedCandidates(peer: string): Promise<{ local: string; remote: string } | null> {
  return peers!.selectedCandidates(peer);
}

/** Sends `mib` MiB to the peer and has it sent back; both directions checked byte for byte. */
export async function bigRoundTrip(peer: string, mib: number, seed: number): Promise<{ upOk: boolean; downOk: boolean }> {
  const rpc = await peers!.connect(peer, { signal: AbortSignal.timeout(30_000) });
  const data = patternBytes(mib * 1024 * 1024 + 7, seed);
  const sum = await rpc.request('sum', data, { signal: AbortSignal.timeout(120_000) });
  let s = 0;
  for (let i = 0; i < data.length; i++) s = (s + data[i]!) >>> 0;
  const upOk = new DataView(sum.buffer, sum.byteOffset).getUint32(0) === s;
  const ask = new Uint8Array(5);
  new DataView(ask.buffer).setUint32(0, data.length);
  ask[4] = seed;
  const back = await rpc.request('pattern', ask, { signal: AbortSignal.timeout(120_000) });
  let downOk = back.length === data.length;
  for (let i = 0; downOk && i < data.length; i++) if (back[i] !== data[i]) downOk = false;
  return { upOk, downOk };
}

export function leave(): void {
  peers?.close();
  signaling?.close();
  peers = null;
  signaling = null;
  refused.length = 0;
}

declare global {
  interface BricHarness {
    'rtc-net': typeof import('./rtc-net.js');
  }
}
