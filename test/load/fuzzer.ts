/**
 * The fuzz run against a live signaling server (signaling/server.ts): `concurrency` workers, each
 * with a well-behaved partner socket in its own room, open socket after socket and send hostile
 * messages (./fuzz-cases.ts) one at a time, waiting for each one's outcome (a reply, the relay at
 * the partner, or the server closing the socket) and checking it against the expected one. Some
 * sessions abuse on purpose (malformed until closed, floods past the rate limit) and some go below
 * WebSocket (./raw-socket.ts). The tally is observed from the client side only, so a test can
 * compare it with the server's own counters.
 */
import { WebSocket } from 'ws';
import { SIGNAL_MAX_STRIKES } from '../../src/core/limits.js';
import { parseServerMessage, type ServerMessage } from '../../src/core/wire/signal.js';
import { CaseMaker, type Expect, type FuzzMessage, type SocketState } from './fuzz-cases.js';
import { rawSession } from './raw-socket.js';

export interface FuzzOptions {
  /** ws://127.0.0.1:PORT/signal */
  url: string;
  /** Hostile messages to send in all (each raw session counts as one). */
  messages: number;
  /** Workers fuzzing at once. @default 32 */
  concurrency?: number;
  seed?: number;
  /** The server's maxStrikes. @default SIGNAL_MAX_STRIKES */
  maxStrikes?: number;
  /** Called now and then with the messages sent so far. */
  onProgress?: (sent: number) => void;
}

export interface FuzzTally {
  sent: number;
  sessions: Record<'lockstep' | 'abuse' | 'flood' | 'raw', number>;
  /** Sockets the server accepted (WebSocket clients, partners, raw handshakes that succeeded). */
  upgraded: number;
  families: Record<string, number>;
  /** Error replies by code, and 'joined'. */
  replies: Record<string, number>;
  relaysReceived: number;
  /** Close codes the server sent. */
  closes: Record<string, number>;
  /** HTTP statuses of refused handshakes. */
  httpStatuses: Record<string, number>;
  /** Messages sent while the server was already closing the socket (never answered, by design). */
  unansweredAtClose: number;
  surprises: number;
  /** The first few surprises, in words. */
  surpriseExamples: string[];
}

/** Messages of one flood: twice the token bucket's burst, so the rate limit and then the strikes are reached. */
const FLOOD_MESSAGES = 400;

const bump = (r: Record<string, number>, k: string | number, n = 1): void => void (r[k] = (r[k] ?? 0) + n);

type Outcome = { kind: 'reply'; m: ServerMessage } | { kind: 'relay' } | { kind: 'close'; code: number } | { kind: 'silent' } | { kind: 'hang' };

/** A WebSocket client whose next outcome can be awaited. */
class Fuzzee {
  readonly ws: WebSocket;
  closeCode: number | null = null;
  /** Replies (joined or error) this socket got. */
  replied = 0;
  private waiter: ((o: Outcome) => void) | null = null;
  private readonly ready: Promise<boolean>;

  constructor(url: string, private readonly tally: FuzzTally) {
    this.ws = new WebSocket(url, { perMessageDeflate: false });
    this.ws.on('error', () => {});
    this.ready = new Promise((resolve) => {
      this.ws.once('close', () => resolve(false));
      this.ws.on('message', (data, isBinary) => {
        let m: ServerMessage;
        try {
          m = parseServerMessage(isBinary ? '' : data.toString());
        } catch (err) {
          return this.surprise(`the server sent a message its own schema refuses: ${(err as Error).message}`);
        }
        if (m.type === 'hello') return resolve(true);
        if (m.type === 'peer-joined' || m.type === 'peer-left') return; // presence of earlier sessions
        if (m.type === 'joined' || m.type === 'error') (this.replied++, bump(this.tally.replies, m.type === 'error' ? m.code : 'joined'));
        this.settle({ kind: 'reply', m });
      });
    });
    this.ws.on('close', (code) => {
      this.closeCode = code;
      bump(this.tally.closes, code);
      this.settle({ kind: 'close', code });
    });
  }

  open(): Promise<boolean> {
    return this.ready;
  }

  settle(o: Outcome): void {
    const w = this.waiter;
    this.waiter = null;
    w?.(o);
  }

  surprise(what: string): void {
    this.tally.surprises++;
    if (this.tally.surpriseExamples.length < 20) this.tally.surpriseExamples.push(what);
  }

  /** Sends one message; resolves with what happened first. */
  exchange(m: FuzzMessage): Promise<Outcome> {
    if (this.ws.readyState !== WebSocket.OPEN) return Promise.resolve({ kind: 'close', code: this.closeCode ?? 1006 });
    const outcome = new Promise<Outcome>((resolve) => {
      const guard = setTimeout(() => resolve({ kind: 'hang' }), 20_000); // only against a stalled run
      this.waiter = (o) => (clearTimeout(guard), resolve(o));
    });
    this.ws.send(m.data, { binary: m.binary });
    if (m.expect.kind === 'silent') this.settle({ kind: 'silent' });
    return outcome;
  }
}

function matches(expect: Expect, o: Outcome): boolean {
  if (expect.kind === 'reply' && o.kind === 'reply') return expect.type === 'joined' ? o.m.type === 'joined' : o.m.type === 'error' && o.m.code === expect.code;
  if (expect.kind === 'close' && o.kind === 'close') return o.code === expect.code;
  return expect.kind === o.kind;
}

/** Resolves true once the socket is closed, false if it is still open after `ms` (then it is dropped). */
function closed(ws: WebSocket, ms = 15_000): Promise<boolean> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve(true);
  return new Promise((resolve) => {
    const guard = setTimeout(() => (ws.terminate(), resolve(false)), ms);
    ws.once('close', () => (clearTimeout(guard), resolve(true)));
  });
}

const describe = (o: Outcome): string => (o.kind === 'reply' ? JSON.stringify(o.m).slice(0, 120) : o.kind === 'close' ? `close ${o.code}` : o.kind);

export async function fuzzSignaling(options: FuzzOptions): Promise<FuzzTally> {
  const maxStrikes = options.maxStrikes ?? SIGNAL_MAX_STRIKES;
  const tally: FuzzTally = {
    sent: 0, sessions: { lockstep: 0, abuse: 0, flood: 0, raw: 0 }, upgraded: 0, families: {}, replies: {}, relaysReceived: 0,
    closes: {}, httpStatuses: {}, unansweredAtClose: 0, surprises: 0, surpriseExamples: [],
  };
  const port = Number(new URL(options.url).port);
  let lastProgress = 0;
  // Shared by the workers, so the mix of session kinds does not depend on the concurrency.
  let sessions = 0;
  let rawSessions = 0;
  const take = (): boolean => {
    if (tally.sent >= options.messages) return false;
    tally.sent++;
    if (tally.sent - lastProgress >= 5000) options.onProgress?.((lastProgress = tally.sent));
    return true;
  };

  const worker = async (index: number): Promise<void> => {
    const maker = new CaseMaker((options.seed ?? 1) * 1000 + index);
    // The partner: joined for the whole run, receives every relay of this worker's sessions.
    const partnerId = maker.peerId();
    const partnerRoom = maker.room();
    const partner = new Fuzzee(options.url, tally);
    let relayWaiter: ((from: string) => void) | null = null;
    if (!(await partner.open())) throw new Error('the partner socket could not connect');
    tally.upgraded++;
    partner.ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; from?: string };
      if (m.type !== 'signal') return;
      tally.relaysReceived++;
      relayWaiter?.(m.from!);
    });
    const partnerJoin = await partner.exchange({ family: 'partner-join', data: JSON.stringify({ type: 'join', room: partnerRoom, peer: partnerId }), binary: false, expect: { kind: 'reply', type: 'joined' } });
    if (partnerJoin.kind !== 'reply' || partnerJoin.m.type !== 'joined') throw new Error(`the partner could not join its room: ${describe(partnerJoin)}`);

    while (tally.sent < options.messages) {
      const session = sessions++;
      if (session % 20 === 7) {
        if (!take()) break;
        tally.sessions.raw++;
        const r = await rawSession(port, maker, rawSessions++);
        bump(tally.families, r.family);
        if (r.upgraded) tally.upgraded++;
        if (r.status !== undefined) bump(tally.httpStatuses, r.status);
        if (r.closeCode !== undefined) bump(tally.closes, r.closeCode);
        for (const text of r.replies) {
          const m = JSON.parse(text) as { type: string; code?: string };
          bump(tally.replies, m.type === 'error' ? m.code! : m.type);
        }
        continue;
      }
      const f = new Fuzzee(options.url, tally);
      if (!(await f.open())) {
        f.surprise(`a fresh socket was refused (close ${f.closeCode})`);
        continue;
      }
      tally.upgraded++;
      const state: SocketState = { peer: maker.peerId(), partnerRoom, partner: partnerId, joined: new Set(), malformedLeft: maxStrikes };
      // A flood needs its whole allowance: cut short, it would never reach the rate limit.
      const floodFits = options.messages - tally.sent > FLOOD_MESSAGES + 1;
      const kind = session % 50 === 13 ? 'abuse' : session % 100 === 29 && floodFits ? 'flood' : 'lockstep';
      tally.sessions[kind]++;

      if (kind === 'flood') {
        // Past the token bucket: replies until rate-limited strikes close the socket (1008).
        take();
        const join = await f.exchange({ family: 'join', data: JSON.stringify({ type: 'join', room: partnerRoom, peer: state.peer }), binary: false, expect: { kind: 'reply', type: 'joined' } });
        bump(tally.families, 'join-partner-room');
        if (join.kind !== 'reply' || join.m.type !== 'joined') f.surprise(`flood join got ${describe(join)}`);
        const absent = JSON.stringify({ type: 'signal', room: partnerRoom, to: maker.peerId(), data: { sid: 'floodsid', type: 'answer', sdp: 'v=0' } });
        let sent = 0;
        const before = f.replied;
        while (sent < FLOOD_MESSAGES && f.ws.readyState === WebSocket.OPEN && take()) (f.ws.send(absent), sent++);
        bump(tally.families, 'flood-signal', sent);
        if (!(await closed(f.ws))) f.surprise(`a flood of ${sent} did not get the socket closed`);
        const answered = f.replied - before;
        tally.unansweredAtClose += sent - answered;
        if (f.closeCode !== 1008) f.surprise(`a flood of ${sent} ended with close ${f.closeCode}, not 1008`);
        continue;
      }

      const budget = kind === 'abuse' ? 10 * maxStrikes : 20 + maker.int(130);
      for (let i = 0; i < budget; i++) {
        if (f.ws.readyState !== WebSocket.OPEN || !take()) break;
        const m = kind === 'abuse' ? maker.malformed(state) : maker.next(state);
        bump(tally.families, m.family);
        if (m.expect.kind === 'reply' && m.expect.type === 'error' && m.expect.code === 'malformed') state.malformedLeft--;
        if (m.expect.kind === 'silent' && m.room !== undefined) state.joined.delete(m.room);
        let caught: string | null = null;
        relayWaiter = (from) => {
          if (from === state.peer) f.settle({ kind: 'relay' });
          else caught = from;
        };
        const o = await f.exchange(m);
        relayWaiter = null;
        if (caught !== null) f.surprise(`the partner got a relay from ${caught}, not from the current session`);
        if (o.kind === 'reply' && o.m.type === 'joined' && m.room !== undefined) state.joined.add(m.room);
        if (kind === 'abuse' && o.kind === 'close' && o.code === 1008) {
          tally.unansweredAtClose++; // sent after the strike that closed it, before the close frame arrived
          break;
        }
        if (!matches(m.expect, o)) f.surprise(`${m.family}: expected ${JSON.stringify(m.expect)}, got ${describe(o)}`);
      }
      // An abusive session cut short by the end of the run never reached its last strike.
      if (kind === 'abuse' && f.closeCode === null && state.malformedLeft < 0) {
        if (!(await closed(f.ws)) || f.closeCode !== 1008) f.surprise(`an abusive socket ended with close ${f.closeCode}, not 1008`);
      }
      if (f.ws.readyState === WebSocket.OPEN) {
        // End sessions both ways: a clean close, or an abrupt drop mid-conversation.
        if (maker.int(4) === 0) f.ws.terminate();
        else f.ws.close(1000);
      }
      if (!(await closed(f.ws))) f.surprise('a socket did not close within 15 s');
    }
    partner.ws.close(1000);
    if (!(await closed(partner.ws))) partner.surprise('a partner socket did not close within 15 s');
  };

  await Promise.all(Array.from({ length: options.concurrency ?? 32 }, (_, i) => worker(i)));
  return tally;
}
