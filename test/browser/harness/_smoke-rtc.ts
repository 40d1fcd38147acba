/**
 * The WebRTC half of the platform smoke test: a tab joins a signaling room with the app's
 * SignalingClient, and RtcPeerLinks (simple-peer) are made on demand, dialling or answering an offer.
 * Deliberately bare (no grid proof, no rpc): it proves the bundle, CSP, server and loopback ICE.
 */
import { RtcPeerLink, type RtcSignal } from '../../../src/adapters/rtc/peer-link.js';
import { SignalingClient } from '../../../src/adapters/rtc/signaling-client.js';
import { bytesToUtf8, utf8ToBytes } from '../../../src/core/bytes.js';

/** Any session id will do: each pair of tabs here makes one connection only. */
const SESSION_ID = 'smokesession';

interface Tab {
  signaling: SignalingClient;
  room: string;
  links: Map<string, RtcPeerLink>;
  received: string[];
}

let tab: Tab | undefined;

function current(): Tab {
  if (tab === undefined) throw new Error('call rtcJoin first');
  return tab;
}

function makeLink(t: Tab, peer: string, initiator: boolean): RtcPeerLink {
  const link = new RtcPeerLink({
    initiator,
    iceServers: t.signaling.iceServers,
    onSignal: (data: RtcSignal) => void t.signaling.send(t.room, peer, { sid: SESSION_ID, ...data }),
  });
  link.onMessage((frame) => t.received.push(`${peer}: ${bytesToUtf8(frame)}`));
  t.links.set(peer, link);
  return link;
}

/** Joins `room` through /signal on this origin; returns this tab's peer id. */
export function rtcJoin(room: string): string {
  const signaling = new SignalingClient({ url: `${location.origin.replace(/^http/, 'ws')}/signal` });
  const t: Tab = { signaling, room, links: new Map(), received: [] };
  signaling.on((e) => {
    if (e.type !== 'signal' || e.room !== room) return;
    const link = t.links.get(e.from) ?? (e.data.type === 'offer' ? makeLink(t, e.from, false) : undefined);
    const { sid: _sid, ...data } = e.data;
    link?.signal(data);
  });
  signaling.join(room);
  tab = t;
  return signaling.peerId;
}

/** Resolves once the server lists `peer` in the room. */
export async function rtcWaitForPeer(peer: string, timeoutMs: number): Promise<void> {
  const t = current();
  const deadline = performance.now() + timeoutMs;
  while (!t.signaling.peers(t.room).includes(peer)) {
    if (performance.now() > deadline) throw new Error(`peer ${peer} did not appear in the room`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens (or reuses) a data channel to `peer` and sends `text` over it. */
export async function rtcSend(peer: string, text: string, timeoutMs: number): Promise<void> {
  const t = current();
  const link = t.links.get(peer) ?? makeLink(t, peer, true);
  const signal = AbortSignal.timeout(timeoutMs);
  await Promise.race([
    link.connected,
    new Promise((_, reject) => signal.addEventListener('abort', () => reject(new Error('the data channel did not open in time')))),
  ]);
  await link.send(utf8ToBytes(text), { signal });
}

/** Messages received so far, as "<from peer>: <text>". */
export function rtcReceived(): string[] {
  return [...current().received];
}

export function rtcLeave(): void {
  if (tab === undefined) return;
  for (const link of tab.links.values()) link.close('the test is over');
  tab.signaling.close();
  tab = undefined;
}
