/**
 * Harness module for test/bench/rtc.bench.ts: raw data-channel throughput between tabs through
 * RtcPeerLink (our framing-free link with its backpressure), dialled via the real signaling server.
 * A transfer is one 5-byte header frame (0x01, byte count) then data frames; the receiver answers
 * one 0x02 frame when it has them all, so the sender times delivery, not just queueing.
 */
import { RtcPeerLink, type RtcSignal } from '../../../src/adapters/rtc/peer-link.js';
import { SignalingClient } from '../../../src/adapters/rtc/signaling-client.js';
import { hexToBytes } from '../../../src/core/bytes.js';
import { deriveRoomId } from '../../../src/core/wire/grid-proof.js';
import type { SignalData } from '../../../src/core/wire/signal.js';

let sig: SignalingClient | null = null;
let room = '';
const links = new Map<string, { link: RtcPeerLink; sid: string }>();
const never = new AbortController().signal;

function receive(link: RtcPeerLink): void {
  let expected = -1;
  let got = 0;
  link.onMessage((f) => {
    if (expected < 0) {
      if (f[0] !== 1 || f.length !== 5) return link.close('bench: bad header');
      expected = new DataView(f.buffer, f.byteOffset).getUint32(1);
      got = 0;
    } else {
      got += f.length;
    }
    if (got >= expected) {
      expected = -1;
      void link.send(new Uint8Array([2]), { signal: never });
    }
  });
}

function open(peer: string, sid: string, initiator: boolean): RtcPeerLink {
  const link = new RtcPeerLink({
    initiator,
    iceServers: [],
    onSignal: (d: RtcSignal) => void sig!.send(room, peer, { ...d, sid } as SignalData),
  });
  links.set(peer, { link, sid });
  receive(link);
  return link;
}

/** Joins a bench room and accepts every offer made to this tab. Returns this tab's peer id. */
export function rawJoin(secretHex: string): string {
  sig = new SignalingClient({ url: `${location.origin.replace(/^http/, 'ws')}/signal` });
  room = deriveRoomId(hexToBytes(secretHex));
  sig.join(room);
  sig.on((e) => {
    if (e.type !== 'signal' || e.room !== room) return;
    const { sid, ...data } = e.data;
    const known = links.get(e.from);
    if (known && known.sid === sid) return known.link.signal(data as RtcSignal);
    if (data.type === 'offer') open(e.from, sid, false).signal(data as RtcSignal);
  });
  return sig.peerId;
}

/** Waits until `count` other tabs are in the room; returns their ids. */
export async function rawPeers(count: number): Promise<string[]> {
  for (;;) {
    const peers = sig!.peers(room);
    if (peers.length >= count) return peers;
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Opens data channels to `targets` (all at once); returns the milliseconds it took. */
export async function rawConnect(targets: string[]): Promise<number> {
  const t0 = performance.now();
  await Promise.all(targets.map((p) => open(p, `bench${Math.random().toString(36).slice(2, 10).replace(/[^a-z2-7]/g, 'a')}`, true).connected));
  return performance.now() - t0;
}

/** Sends `bytesEach` to every target at once in frames of `frameBytes`; resolves when all acknowledged. Returns ms. */
export async function rawSend(targets: string[], bytesEach: number, frameBytes: number): Promise<number> {
  const frame = new Uint8Array(frameBytes).fill(7);
  const t0 = performance.now();
  await Promise.all(
    targets.map(async (peer) => {
      const { link } = links.get(peer)!;
      const acked = new Promise<void>((resolve) => {
        const off = link.onMessage((f) => {
          if (f[0] === 2) {
            off();
            receive(link);
            resolve();
          }
        });
      });
      const header = new Uint8Array(5);
      header[0] = 1;
      new DataView(header.buffer).setUint32(1, bytesEach);
      await link.send(header, { signal: never });
      for (let sent = 0; sent < bytesEach; sent += frameBytes) {
        await link.send(sent + frameBytes <= bytesEach ? frame : frame.slice(0, bytesEach - sent), { signal: never });
      }
      await acked;
    }),
  );
  return performance.now() - t0;
}

/**
 * Both ends in this page (signalled directly): sends `totalBytes` in `frameBytes` frames with a
 * given high watermark; returns ms until the last byte arrived. Isolates the link from tab scheduling.
 */
export async function localSend(highWatermarkBytes: number, frameBytes: number, totalBytes: number): Promise<number> {
  const a: RtcPeerLink = new RtcPeerLink({ initiator: true, iceServers: [], highWatermarkBytes, onSignal: (d) => b.signal(d) });
  const b: RtcPeerLink = new RtcPeerLink({ initiator: false, iceServers: [], highWatermarkBytes, onSignal: (d) => a.signal(d) });
  await Promise.all([a.connected, b.connected]);
  let got = 0;
  const done = new Promise<void>((resolve) => b.onMessage((f) => void ((got += f.length) >= totalBytes && resolve())));
  const frame = new Uint8Array(frameBytes);
  const t0 = performance.now();
  for (let sent = 0; sent < totalBytes; sent += frameBytes) await a.send(frame, { signal: never });
  await done;
  const ms = performance.now() - t0;
  a.close();
  return ms;
}

// A bare RTCDataChannel (no simple-peer, no bric link): the physical limit the others are held to.
// Signalled by the bench itself, which carries the complete descriptions (ICE gathered) between tabs.
let native: { pc: RTCPeerConnection; channel?: RTCDataChannel } | null = null;

async function gathered(pc: RTCPeerConnection): Promise<RTCSessionDescriptionInit> {
  if (pc.iceGatheringState !== 'complete') {
    await new Promise<void>((resolve) => pc.addEventListener('icegatheringstatechange', () => pc.iceGatheringState === 'complete' && resolve()));
  }
  return pc.localDescription!.toJSON() as RTCSessionDescriptionInit;
}

function nativeReceive(channel: RTCDataChannel): void {
  channel.binaryType = 'arraybuffer';
  let expected = -1;
  let got = 0;
  channel.onmessage = (m: MessageEvent<ArrayBuffer>) => {
    if (expected < 0) {
      expected = new DataView(m.data).getUint32(1);
      got = 0;
      return;
    }
    got += m.data.byteLength;
    if (got >= expected) {
      expected = -1;
      channel.send(new Uint8Array([2]));
    }
  };
}

/** The sending side: makes an offer with one ordered channel. */
export async function nativeOffer(): Promise<RTCSessionDescriptionInit> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  const channel = pc.createDataChannel('bench', { ordered: true });
  channel.binaryType = 'arraybuffer';
  native = { pc, channel };
  await pc.setLocalDescription();
  return gathered(pc);
}

/** The receiving side: answers, and acknowledges each transfer when all of it arrived. */
export async function nativeAnswer(offer: RTCSessionDescriptionInit): Promise<RTCSessionDescriptionInit> {
  const pc = new RTCPeerConnection({ iceServers: [] });
  native = { pc };
  pc.ondatachannel = (e) => nativeReceive(e.channel);
  await pc.setRemoteDescription(offer);
  await pc.setLocalDescription();
  return gathered(pc);
}

/** Sends `total` bytes in `frameBytes` messages, keeping at most `highWatermark` queued; returns ms to the acknowledgement. */
export async function nativeSend(answer: RTCSessionDescriptionInit | null, total: number, frameBytes: number, highWatermark: number): Promise<number> {
  const { pc, channel } = native!;
  if (answer !== null) await pc.setRemoteDescription(answer);
  const ch = channel!;
  if (ch.readyState !== 'open') await new Promise((resolve) => ch.addEventListener('open', resolve, { once: true }));
  ch.bufferedAmountLowThreshold = highWatermark / 4;
  const acked = new Promise((resolve) => ch.addEventListener('message', resolve, { once: true }));
  const header = new Uint8Array(5);
  header[0] = 1;
  new DataView(header.buffer).setUint32(1, total);
  const frame = new Uint8Array(frameBytes).fill(7);
  const t0 = performance.now();
  ch.send(header);
  for (let sent = 0; sent < total; sent += frameBytes) {
    if (ch.bufferedAmount > highWatermark) await new Promise((resolve) => ch.addEventListener('bufferedamountlow', resolve, { once: true }));
    ch.send(frame);
  }
  await acked;
  return performance.now() - t0;
}

export function nativeClose(): void {
  native?.pc.close();
  native = null;
}

export function rawLeave(): void {
  for (const { link } of links.values()) link.close('bench done');
  links.clear();
  sig?.close();
  sig = null;
}

declare global {
  interface BricHarness {
    'rtc-bench': typeof import('./rtc-bench.js');
  }
}
