/**
 * The browser's signaling client (src/adapters/rtc/signaling-client.ts) against the real server in
 * Node, with `ws` as its WebSocket: presence, relay, reconnect and re-join, a taken peer id.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SignalingClient, type SignalingClientInit, type SignalingEvent } from '../../src/adapters/rtc/signaling-client.js';
import { attachSignaling } from '../../signaling/server.js';

const ROOM = 'r'.repeat(52);
const OFFER = { sid: 'abcdefgh', type: 'offer' as const, sdp: 'v=0\r\n' };

let server: http.Server;
let sig: ReturnType<typeof attachSignaling>;
let url: string;
const clients: SignalingClient[] = [];

async function start(): Promise<void> {
  server = http.createServer();
  sig = attachSignaling(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
}

function client(init: Partial<SignalingClientInit> = {}): SignalingClient & { events: Events } {
  const c = new SignalingClient({ url, WebSocket: WebSocket as unknown as SignalingClientInit['WebSocket'], reconnectMinMs: 10, reconnectMaxMs: 50, ...init });
  clients.push(c);
  return Object.assign(c, { events: new Events(c) });
}

class Events {
  private readonly queue: SignalingEvent[] = [];
  private wake: (() => void) | null = null;
  constructor(c: SignalingClient) {
    c.on((e) => {
      this.queue.push(e);
      this.wake?.();
    });
  }
  async next(type: SignalingEvent['type']): Promise<SignalingEvent> {
    for (;;) {
      const at = this.queue.findIndex((e) => e.type === type);
      if (at >= 0) return this.queue.splice(at, 1)[0]!;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await sig?.close();
  await new Promise((r) => server.close(r));
});

describe('signaling client', () => {
  it('joins, keeps presence, relays signals, hears departures', async () => {
    await start();
    const a = client();
    a.join(ROOM);
    expect(await a.events.next('open')).toEqual({ type: 'open', iceServers: [] });
    expect(await a.events.next('joined')).toEqual({ type: 'joined', room: ROOM, peers: [] });
    const b = client();
    b.join(ROOM);
    expect(await b.events.next('joined')).toEqual({ type: 'joined', room: ROOM, peers: [a.peerId] });
    expect(await a.events.next('peer-joined')).toEqual({ type: 'peer-joined', room: ROOM, peer: b.peerId });
    expect(a.peers(ROOM)).toEqual([b.peerId]);
    expect(a.send(ROOM, b.peerId, OFFER)).toBe(true);
    expect(await b.events.next('signal')).toEqual({ type: 'signal', room: ROOM, from: a.peerId, data: OFFER });
    b.close();
    expect(await a.events.next('peer-left')).toEqual({ type: 'peer-left', room: ROOM, peer: b.peerId });
    expect(a.peers(ROOM)).toEqual([]);
  });

  it('reconnects after the server drops every socket, re-joins, and reports who left meanwhile', async () => {
    await start();
    const a = client();
    const b = client();
    const c = client();
    for (const x of [a, b, c]) x.join(ROOM);
    for (const x of [a, b, c]) await x.events.next('joined');
    await sig.close(); // terminates every socket
    c.close(); // c goes away while the server is down
    sig = attachSignaling(server);
    expect(await a.events.next('down')).toMatchObject({ type: 'down' });
    await a.events.next('open');
    // b may count as gone too, if a re-joined first; it comes back below.
    for (;;) {
      const left = await a.events.next('peer-left');
      if (left.type === 'peer-left' && left.peer === c.peerId) break;
    }
    await b.events.next('open');
    for (;;) {
      if (a.peers(ROOM).includes(b.peerId)) break;
      await a.events.next('peer-joined');
    }
    expect(a.peers(ROOM)).toEqual([b.peerId]);
  });

  it('joins again later when the server still holds its peer id', async () => {
    await start();
    const ghost = new WebSocket(url);
    const id = 'g'.repeat(26);
    await new Promise((r) => ghost.once('message', r)); // hello
    ghost.send(JSON.stringify({ type: 'join', room: ROOM, peer: id }));
    await new Promise((r) => ghost.once('message', r)); // joined
    const a = client({ peerId: id });
    a.join(ROOM);
    expect(await a.events.next('error')).toMatchObject({ code: 'peer-id-taken' });
    ghost.close();
    expect(await a.events.next('joined')).toMatchObject({ room: ROOM });
  });

  it('reports a server that sends something outside the schema, and keeps going', async () => {
    server = http.createServer();
    const wss = new WebSocketServer({ server, path: '/signal' });
    wss.on('connection', (ws) => {
      ws.send('{"type":"hello","v":1,"iceServers":[]}');
      ws.send('{"type":"joined","room":"x"}');
      ws.send('{"type":"peer-joined","room":"' + ROOM + '","peer":"' + 'p'.repeat(26) + '"}');
    });
    sig = { close: async () => void wss.close(), stats: () => ({}) };
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
    const a = client();
    a.join(ROOM);
    expect(await a.events.next('error')).toMatchObject({ code: 'bad-server-message' });
    expect(await a.events.next('peer-joined')).toMatchObject({ peer: 'p'.repeat(26) });
    for (const ws of wss.clients) ws.terminate();
  });
});
