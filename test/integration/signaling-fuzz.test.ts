/**
 * The small version of `npm run load` (test/load/signaling-load.ts), in-process and without timing
 * thresholds: 100 sockets in 10 rooms relay signals, then 10,000 hostile messages (malformed,
 * truncated, oversized, invalid UTF-8, binary, out of order, floods, forbidden frames below
 * WebSocket). Every outcome must be the expected one, the server's counters must add up with what
 * the clients saw, all its state must be gone afterwards, and a well-behaved pair still relays.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachSignaling, type Signaling } from '../../signaling/server.js';
import { fuzzSignaling } from '../load/fuzzer.js';
import { checkPair } from '../load/pair.js';
import { runSwarm } from '../load/swarm.js';

let server: http.Server;
let sig: Signaling;
let url: string;
let port: number;

beforeAll(async () => {
  server = http.createServer((req, res) => {
    if (req.url === '/healthz') return void res.end(JSON.stringify({ ok: true, ...sig.stats() }));
    res.writeHead(404).end();
  });
  sig = attachSignaling(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
  url = `ws://127.0.0.1:${port}/signal`;
});

afterAll(async () => {
  await sig.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

async function settled(): Promise<Record<string, number>> {
  // The server hears each close a moment after the client does.
  for (let i = 0; i < 500 && sig.stats().sockets! > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return sig.stats();
}

it('100 sockets in 10 rooms relay every signal, and leave nothing behind', async () => {
  const before = sig.stats();
  const r = await runSwarm({ url, sockets: 100, rooms: 10, burstPerSocket: 20, pacedSeconds: 1, pacedPerSocketPerSecond: 5 });
  expect(r.burst).toMatchObject({ sent: 2000, delivered: 2000, lost: 0, refused: {} });
  expect(r.paced).toMatchObject({ sent: 500, delivered: 500, lost: 0, refused: {} });
  const after = await settled();
  expect(after.relayed! - before.relayed!).toBe(2500);
  expect(after.joins! - before.joins!).toBe(100);
  expect(after.connections! - before.connections!).toBe(100);
  expect(after).toMatchObject({ sockets: 0, rooms: 0, peers: 0, malformed: 0, rateLimited: 0, dropped: 0 });
});

it('10,000 hostile messages: each answered as expected, counters add up, no state left, a good pair still relays', async () => {
  const before = sig.stats();
  const t = await fuzzSignaling({ url, messages: 10_000, concurrency: 16, seed: 7 });
  expect(t.surpriseExamples).toEqual([]);
  expect(t.surprises).toBe(0);
  expect(t.sent).toBe(10_000);
  // Every kind of session and hostile family ran.
  expect(Object.values(t.sessions).every((n) => n > 0)).toBe(true);
  for (const family of ['binary-frame', 'random-text', 'json-wrong-shape', 'truncated', 'damaged-field', 'extra-field', 'huge-string',
    'deep-nesting', 'bad-signal-data', 'not-an-object', 'invalid-utf8', 'oversized', 'signal-room-not-joined', 'signal-absent-peer',
    'signal-to-partner', 'join-taken-id', 'leave-joined', 'leave-not-joined', 'flood-signal']) {
    expect(t.families[family], family).toBeGreaterThan(0);
  }
  expect(t.replies['too-many-rooms']).toBeGreaterThan(0);

  const s = await settled();
  const delta = (k: string): number => s[k]! - before[k]!;
  expect(delta('malformed')).toBe(t.replies.malformed);
  expect(delta('rateLimited')).toBe(t.replies['rate-limited'] ?? 0);
  expect(delta('closedForAbuse')).toBe(t.closes[1008]);
  expect(delta('socketErrors')).toBe((t.closes[1002] ?? 0) + (t.closes[1007] ?? 0) + (t.closes[1009] ?? 0));
  expect(delta('connections')).toBe(t.upgraded);
  expect(delta('relayed')).toBe(t.relaysReceived);
  expect(t.closes[1002]).toBeGreaterThan(0); // forbidden frames below WebSocket were refused by ws
  expect(t.httpStatuses[404]).toBeGreaterThan(0);
  // Bounded memory, in the terms the server can be held to: every socket, room and peer is gone.
  expect(s).toMatchObject({ sockets: 0, rooms: 0, peers: 0 });

  expect(await checkPair(url)).toBe('relayed both ways');
  const health = await fetch(`http://127.0.0.1:${port}/healthz`);
  expect(health.status).toBe(200);
  expect(await health.json()).toMatchObject({ ok: true });
});

it('the socket closes of the fuzz run left the server accepting new sockets', async () => {
  const ws = new WebSocket(url);
  const hello = await new Promise<string>((resolve, reject) => {
    ws.once('message', (d) => resolve(d.toString()));
    ws.once('error', reject);
  });
  expect(JSON.parse(hello)).toMatchObject({ type: 'hello', v: 1 });
  ws.close();
});
