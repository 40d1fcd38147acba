/**
 * Well-behaved load on a live signaling server: `sockets` WebSocket clients spread over `rooms`
 * rooms join, then relay ICE-candidate signals to random room-mates: first a burst (every socket
 * sends `burstPerSocket` at once: relay throughput), then a paced phase (a steady total rate: relay
 * latency, measured from send to receipt, both ends in this process). Counts what arrived, what the
 * server refused, and what never came.
 */
import { WebSocket } from 'ws';

export interface SwarmOptions {
  url: string;
  sockets: number;
  rooms: number;
  /** Signals each socket sends at once in the burst phase (the server's token bucket allows 200). @default 50 */
  burstPerSocket?: number;
  /** Length of the paced phase and the signals per second each socket sends in it. @default 5 s, 2/s */
  pacedSeconds?: number;
  pacedPerSocketPerSecond?: number;
  /** Sockets opening at once. @default 100 */
  openConcurrency?: number;
  log?: (line: string) => void;
  /** Awaited around each relay phase ('burst', 'paced'), e.g. to sample the server. */
  aroundPhase?: (phase: 'burst' | 'paced', when: 'start' | 'end') => Promise<void>;
}

export interface PhaseResult {
  sent: number;
  delivered: number;
  /** Error replies by code (e.g. rate-limited, peer-busy): refused, so never delivered. */
  refused: Record<string, number>;
  /** Neither delivered nor refused when the phase ended. */
  lost: number;
  ms: number;
  perSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface SwarmResult {
  sockets: number;
  rooms: number;
  openMs: number;
  joinMs: number;
  burst: PhaseResult;
  paced: PhaseResult;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
const idOf = (prefix: string, n: number, length: number): string => {
  let s = '';
  for (let v = n; s.length < length - prefix.length; v = Math.floor(v / 32)) s += ALPHABET[v % 32];
  return prefix + s;
};

interface Member {
  ws: WebSocket;
  peer: string;
  room: string;
  mates: string[];
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function runSwarm(options: SwarmOptions): Promise<SwarmResult> {
  const log = options.log ?? (() => {});
  const runTag = Math.floor(Math.random() * 2 ** 30);
  const members: Member[] = [];
  const byPeer = new Map<string, Member>();
  for (let i = 0; i < options.sockets; i++) {
    const room = idOf('r', (runTag + (i % options.rooms)) * 7919, 52);
    const peer = idOf('p', runTag * 65536 + i, 26);
    members.push({ ws: null as unknown as WebSocket, peer, room, mates: [] });
  }
  for (const m of members) m.mates = members.filter((o) => o.room === m.room && o !== m).map((o) => o.peer);
  for (const m of members) byPeer.set(m.peer, m);

  // Per-phase bookkeeping: send time of each sequence number, arrival or refusal.
  let sentAt = new Float64Array(0);
  let latencies: number[] = [];
  let delivered = 0;
  let refused: Record<string, number> = {};
  let joined = 0;
  let onJoined: (() => void) | null = null;
  let onProgress: (() => void) | null = null;

  const t0 = performance.now();
  let next = 0;
  const openOne = async (): Promise<void> => {
    while (next < members.length) {
      const m = members[next++]!;
      m.ws = new WebSocket(options.url, { perMessageDeflate: false });
      m.ws.on('error', (err) => log(`socket ${m.peer}: ${err.message}`));
      m.ws.on('message', (data) => {
        const msg = JSON.parse(data.toString()) as { type: string; code?: string; data?: { candidate?: { candidate: string } } };
        if (msg.type === 'signal') {
          const seq = Number(msg.data!.candidate!.candidate.slice('candidate:'.length).split(' ', 1)[0]);
          latencies.push(performance.now() - sentAt[seq]!);
          delivered++;
          onProgress?.();
        } else if (msg.type === 'joined') {
          joined++;
          onJoined?.();
        } else if (msg.type === 'error') {
          refused[msg.code!] = (refused[msg.code!] ?? 0) + 1;
          onProgress?.();
        }
      });
      await new Promise<void>((resolve, reject) => {
        m.ws.once('open', () => resolve());
        m.ws.once('error', reject);
      });
    }
  };
  await Promise.all(Array.from({ length: options.openConcurrency ?? 100 }, openOne));
  const openMs = performance.now() - t0;
  log(`${members.length} sockets open in ${openMs.toFixed(0)} ms`);

  const t1 = performance.now();
  const allJoined = new Promise<void>((resolve) => (onJoined = () => joined === members.length && resolve()));
  for (const m of members) m.ws.send(JSON.stringify({ type: 'join', room: m.room, peer: m.peer }));
  await allJoined;
  const joinMs = performance.now() - t1;
  log(`${members.length} joined ${options.rooms} rooms in ${joinMs.toFixed(0)} ms`);

  let seq = 0;
  const send = (m: Member): void => {
    const to = m.mates[seq % m.mates.length]!;
    const s = seq++;
    sentAt[s] = performance.now();
    const candidate = { candidate: `candidate:${s} 1 udp 2122260223 127.0.0.1 ${10000 + (s % 50000)} typ host`, sdpMLineIndex: 0, sdpMid: '0' };
    m.ws.send(JSON.stringify({ type: 'signal', room: m.room, to, data: { sid: 'loadtest', type: 'candidate', candidate } }));
  };

  const phase = async (name: 'burst' | 'paced', total: number, drive: () => Promise<void>): Promise<PhaseResult> => {
    await options.aroundPhase?.(name, 'start');
    sentAt = new Float64Array(total);
    latencies = [];
    delivered = 0;
    refused = {};
    seq = 0;
    const refusedCount = (): number => Object.values(refused).reduce((a, b) => a + b, 0);
    const start = performance.now();
    let lastArrival = start;
    // Done when every signal arrived or was refused, or nothing moved for 10 s (a stall, reported as lost).
    const done = new Promise<void>((resolve) => {
      let stall: ReturnType<typeof setTimeout> = setTimeout(resolve, 10_000);
      onProgress = () => {
        lastArrival = performance.now();
        clearTimeout(stall);
        if (seq === total && delivered + refusedCount() >= total) return resolve();
        stall = setTimeout(resolve, 10_000);
      };
    });
    await drive();
    await done;
    onProgress = null;
    await options.aroundPhase?.(name, 'end');
    const ms = lastArrival - start;
    const sorted = Float64Array.from(latencies).sort();
    return {
      sent: seq, delivered, refused: { ...refused }, lost: seq - delivered - refusedCount(), ms,
      perSecond: (delivered / ms) * 1000,
      latencyMs: { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted[sorted.length - 1] ?? 0 },
    };
  };

  const burstPer = options.burstPerSocket ?? 50;
  const burst = await phase('burst', members.length * burstPer, async () => {
    for (let k = 0; k < burstPer; k++) for (const m of members) send(m);
  });
  log(`burst: ${burst.delivered}/${burst.sent} relayed at ${burst.perSecond.toFixed(0)}/s`);

  // Let every token bucket refill before the paced phase.
  await new Promise((r) => setTimeout(r, 1000));
  const seconds = options.pacedSeconds ?? 5;
  const rate = options.pacedPerSocketPerSecond ?? 2;
  const pacedTotal = Math.round(members.length * rate * seconds);
  const paced = await phase('paced', pacedTotal, async () => {
    const tickMs = 10;
    const perTick = (members.length * rate * tickMs) / 1000;
    let owed = 0;
    let who = 0;
    while (seq < pacedTotal) {
      owed += perTick;
      for (; owed >= 1 && seq < pacedTotal; owed--) send(members[who++ % members.length]!);
      await new Promise((r) => setTimeout(r, tickMs));
    }
  });
  log(`paced: ${paced.delivered}/${paced.sent} relayed, p99 ${paced.latencyMs.p99.toFixed(2)} ms`);

  await Promise.all(members.map((m) => new Promise<void>((resolve) => {
    if (m.ws.readyState === WebSocket.CLOSED) return resolve();
    m.ws.once('close', () => resolve());
    m.ws.close(1000);
  })));
  return { sockets: members.length, rooms: options.rooms, openMs, joinMs, burst, paced };
}
