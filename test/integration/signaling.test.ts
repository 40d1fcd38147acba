/**
 * The signaling server for real: signaling/server.ts on 127.0.0.1 port 0 with real `ws` clients.
 * Join, presence, relay, leave, dead sockets, and hostile input (malformed, unknown, binary,
 * oversized, floods) answered and counted while other peers carry on.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachSignaling, type SignalingInit } from '../../signaling/server.js';

const ROOM = 'a'.repeat(52);
const ROOM2 = 'q'.repeat(52);
const peerId = (c: string): string => c.repeat(26);
const OFFER = { sid: 'abcdefgh', type: 'offer', sdp: 'v=0\r\n' };

type Msg = Record<string, unknown> & { type: string };

class Client {
  readonly ws: WebSocket;
  private readonly queue: Msg[] = [];
  private waiter: (() => void) | null = null;
  readonly closed: Promise<{ code: number; reason: string }>;

  constructor(url: string, opts: ConstructorParameters<typeof WebSocket>[2] = {}) {
    this.ws = new WebSocket(url, opts);
    this.ws.on('error', () => {});
    this.ws.on('message', (d) => {
      this.queue.push(JSON.parse(d.toString()) as Msg);
      this.waiter?.();
    });
    this.closed = new Promise((resolve) => this.ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  async open(): Promise<Msg> {
    await new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    return this.next('hello');
  }

  send(v: unknown): void {
    this.ws.send(typeof v === 'string' || v instanceof Uint8Array ? v : JSON.stringify(v));
  }

  /** The next message (of `type`, skipping others when given). */
  async next(type?: string): Promise<Msg> {
    for (;;) {
      while (this.queue.length > 0) {
        const m = this.queue.shift()!;
        if (type === undefined || m.type === type) return m;
      }
      await new Promise<void>((r) => (this.waiter = r));
      this.waiter = null;
    }
  }
}

let server: http.Server;
let sig: ReturnType<typeof attachSignaling>;
let url: string;
const clients: Client[] = [];

async function start(init: Partial<SignalingInit> = {}): Promise<void> {
  server = http.createServer((_req, res) => res.end('ok'));
  sig = attachSignaling(server, init);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
}

async function connect(opts?: ConstructorParameters<typeof WebSocket>[2]): Promise<Client> {
  const c = new Client(url, opts);
  clients.push(c);
  await c.open();
  return c;
}

async function joined(id: string, room = ROOM): Promise<Client> {
  const c = await connect();
  c.send({ type: 'join', room, peer: id });
  await c.next('joined');
  return c;
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.ws.terminate();
  await sig.close();
  await new Promise((r) => server.close(r));
});

describe('signaling server', () => {
  it('says hello with the protocol version, ICE servers and a nonce of its own per socket (for join proofs)', async () => {
    await start({ iceServers: [{ urls: 'stun:127.0.0.1:3478' }] });
    const c = new Client(url);
    const d = new Client(url);
    clients.push(c, d);
    const [hello, other] = await Promise.all([c.open(), d.open()]);
    expect(hello).toEqual({ type: 'hello', v: 1, iceServers: [{ urls: 'stun:127.0.0.1:3478' }], nonce: expect.stringMatching(/^[a-z2-7]{26}$/) });
    expect(other.nonce).not.toBe(hello.nonce);
  });

  it('joins rooms, announces presence, relays signals between named peers, and announces leaving', async () => {
    await start();
    const a = await connect();
    a.send({ type: 'join', room: ROOM, peer: peerId('a') });
    expect(await a.next()).toEqual({ type: 'joined', room: ROOM, peer: peerId('a'), peers: [] });
    const b = await connect();
    b.send({ type: 'join', room: ROOM, peer: peerId('b') });
    expect(await b.next()).toEqual({ type: 'joined', room: ROOM, peer: peerId('b'), peers: [peerId('a')] });
    expect(await a.next()).toEqual({ type: 'peer-joined', room: ROOM, peer: peerId('b') });
    const other = await joined(peerId('c'), ROOM2); // another grid sees nothing of this one

    a.send({ type: 'signal', room: ROOM, to: peerId('b'), data: OFFER });
    expect(await b.next()).toEqual({ type: 'signal', room: ROOM, from: peerId('a'), data: OFFER });
    b.send({ type: 'signal', room: ROOM, to: peerId('a'), data: { ...OFFER, type: 'answer' } });
    expect(await a.next()).toMatchObject({ type: 'signal', from: peerId('b'), data: { type: 'answer' } });

    a.send({ type: 'signal', room: ROOM, to: peerId('c'), data: OFFER });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'unknown-peer' });
    a.send({ type: 'signal', room: ROOM2, to: peerId('c'), data: OFFER });
    expect(await a.next()).toMatchObject({ type: 'error', code: 'not-in-room' });

    b.send({ type: 'leave', room: ROOM });
    expect(await a.next()).toEqual({ type: 'peer-left', room: ROOM, peer: peerId('b') });
    b.send({ type: 'join', room: ROOM, peer: peerId('b') });
    expect(await b.next()).toMatchObject({ type: 'joined', peers: [peerId('a')] });
    expect(await a.next()).toMatchObject({ type: 'peer-joined', peer: peerId('b') });
    b.ws.close();
    expect(await a.next()).toEqual({ type: 'peer-left', room: ROOM, peer: peerId('b') });
    expect(sig.stats()).toMatchObject({ sockets: 2, rooms: 2, peers: 2, relayed: 2, joins: 4 });
    other.ws.close();
  });

  it('a repeated join refreshes the presence list; a taken id, a full room and too many rooms are refused', async () => {
    await start({ maxPeersPerRoom: 2, maxRoomsPerSocket: 1 });
    const a = await joined(peerId('a'));
    a.send({ type: 'join', room: ROOM, peer: peerId('a') });
    expect(await a.next()).toMatchObject({ type: 'joined', peers: [] });
    const dup = await connect();
    dup.send({ type: 'join', room: ROOM, peer: peerId('a') });
    expect(await dup.next()).toMatchObject({ type: 'error', code: 'peer-id-taken' });
    await joined(peerId('b'));
    const third = await connect();
    third.send({ type: 'join', room: ROOM, peer: peerId('c') });
    expect(await third.next()).toMatchObject({ type: 'error', code: 'room-full' });
    a.send({ type: 'join', room: ROOM2, peer: peerId('a') });
    expect(await a.next('error')).toMatchObject({ code: 'too-many-rooms' });
  });

  it('answers malformed JSON, unknown types and binary messages with an error frame and counts them', async () => {
    await start();
    const c = await connect();
    c.send('{not json');
    expect(await c.next()).toEqual({ type: 'error', code: 'malformed', reason: 'message is not valid JSON' });
    c.send({ type: 'subscribe', topics: ['x'] });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'malformed' });
    c.send(new Uint8Array([1, 2, 3]));
    expect(await c.next()).toMatchObject({ type: 'error', code: 'malformed', reason: expect.stringContaining('binary') });
    c.send({ type: 'join', room: ROOM, peer: peerId('a'), extra: 1 });
    expect(await c.next()).toMatchObject({ type: 'error', code: 'malformed' });
    expect(sig.stats().malformed).toBe(4);
    c.send({ type: 'join', room: ROOM, peer: peerId('a') });
    expect(await c.next()).toMatchObject({ type: 'joined' });
  });

  it('closes a socket that sends an oversized frame with 1009; others are unaffected', async () => {
    await start();
    const a = await joined(peerId('a'));
    const b = await joined(peerId('b'));
    const big = await joined(peerId('c'));
    big.send('x'.repeat(16 * 1024 + 1));
    expect((await big.closed).code).toBe(1009);
    expect(await a.next('peer-left')).toMatchObject({ peer: peerId('c') });
    a.send({ type: 'signal', room: ROOM, to: peerId('b'), data: OFFER });
    expect(await b.next('signal')).toMatchObject({ from: peerId('a') });
  });

  it('rate-limits floods with error frames, then closes the flooder with 1008; others carry on', async () => {
    await start({ ratePerSecond: 1, rateBurst: 10, maxStrikes: 5 });
    const a = await joined(peerId('a'));
    const b = await joined(peerId('b'));
    const flood = await joined(peerId('f'));
    for (let i = 0; i < 100; i++) flood.send({ type: 'signal', room: ROOM, to: peerId('a'), data: OFFER });
    const closed = await flood.closed;
    expect(closed).toEqual({ code: 1008, reason: 'too many bad messages' });
    const stats = sig.stats();
    expect(stats.rateLimited).toBeGreaterThanOrEqual(6);
    expect(stats.closedForAbuse).toBe(1);
    let relayedToA = 0;
    for (;;) {
      const m = await a.next();
      if (m.type === 'peer-left') break;
      if (m.type === 'signal') relayedToA++;
    }
    expect(relayedToA).toBeLessThanOrEqual(10);
    a.send({ type: 'signal', room: ROOM, to: peerId('b'), data: OFFER });
    expect(await b.next('signal')).toMatchObject({ from: peerId('a') });
  });

  it('closes a socket that keeps sending malformed messages with 1008', async () => {
    await start({ maxStrikes: 3 });
    const c = await connect();
    for (let i = 0; i < 10; i++) c.send('nope');
    expect((await c.closed).code).toBe(1008);
    expect(sig.stats()).toMatchObject({ malformed: 4, closedForAbuse: 1 });
  });

  it('terminates dead sockets (no pong) and announces their departure', async () => {
    await start({ heartbeatMs: 50 });
    const a = await joined(peerId('a'));
    const dead = await connect({ autoPong: false });
    dead.send({ type: 'join', room: ROOM, peer: peerId('d') });
    await dead.next('joined');
    expect(await a.next('peer-joined')).toMatchObject({ peer: peerId('d') });
    expect(await a.next('peer-left')).toMatchObject({ peer: peerId('d') });
    await dead.closed;
    expect(sig.stats()).toMatchObject({ deadSockets: 1, sockets: 1, peers: 1 });
  });

  it('refuses upgrades on other paths with 404 and beyond maxSockets with 503', async () => {
    await start({ maxSockets: 1 });
    const wrongPath = new WebSocket(url.replace('/signal', '/other'));
    const status = await new Promise<number>((resolve) => {
      wrongPath.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      wrongPath.on('error', () => resolve(-1));
    });
    expect(status).toBe(404);
    await connect();
    const extra = new WebSocket(url);
    const full = await new Promise<number>((resolve) => {
      extra.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      extra.on('error', () => resolve(-1));
    });
    expect(full).toBe(503);
    expect(sig.stats().rejectedUpgrades).toBe(1);
  });
});
