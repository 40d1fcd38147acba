/**
 * Who may use the signaling server (signaling/gate.ts) and the test-mode capture: the Origin
 * check, sockets per client address, the second claimant of a live peer id refused, every
 * received request and message captured when asked, and main.ts refusing capture outside test mode.
 */
import { spawnSync } from 'node:child_process';
import http, { type IncomingMessage } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { CaptureRecord } from '../../signaling/capture.js';
import { clientAddress, originAllowed } from '../../signaling/gate.js';
import { attachSignaling, type SignalingInit } from '../../signaling/server.js';

const ROOM = 'a'.repeat(52);
const peerId = (c: string): string => c.repeat(26);

let server: http.Server;
let sig: ReturnType<typeof attachSignaling>;
let port = 0;
const sockets: WebSocket[] = [];

async function start(init: Partial<SignalingInit> = {}): Promise<void> {
  server = http.createServer((_req, res) => res.end('ok'));
  sig = attachSignaling(server, init);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}

/** Opens a socket; resolves with its first message (hello), or the HTTP status it was refused with. */
function open(headers: Record<string, string> = {}): Promise<{ ws: WebSocket; status: number; first?: Record<string, unknown> }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`, { headers });
  sockets.push(ws);
  return new Promise((resolve) => {
    ws.on('error', () => {});
    ws.on('unexpected-response', (_req, res) => resolve({ ws, status: res.statusCode ?? 0 }));
    ws.once('message', (d) => resolve({ ws, status: 101, first: JSON.parse(d.toString()) as Record<string, unknown> }));
  });
}

function next(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));
}

afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await sig.close();
  await new Promise((r) => server.close(r));
});

describe('signaling admission', () => {
  it('lets in its own origin, listed origins, loopback dev pages and non-browser clients; refuses other sites with 403', async () => {
    await start({ allowedOrigins: ['https://app.example'] });
    expect((await open({ Origin: `http://127.0.0.1:${port}` })).status).toBe(101);
    expect((await open({ Origin: 'https://app.example' })).status).toBe(101);
    expect((await open({ Origin: 'http://localhost:5173' })).status).toBe(101);
    expect((await open()).status).toBe(101);
    expect((await open({ Origin: 'https://evil.example' })).status).toBe(403);
    expect((await open({ Origin: 'null' })).status).toBe(403);
    expect(sig.stats().rejectedUpgrades).toBe(2);
  });

  it('caps sockets per address (429 beyond), and a closed socket frees its place', async () => {
    await start({ maxSocketsPerIp: 3, limitLoopback: true });
    const first = await open();
    await open();
    await open();
    expect((await open()).status).toBe(429);
    first.ws.close();
    await new Promise((r) => first.ws.once('close', r));
    await expect.poll(async () => (await open()).status).toBe(101);
  });

  it('does not count loopback clients by default (npm start, the tests and the load test run there)', async () => {
    await start({ maxSocketsPerIp: 2 });
    for (let i = 0; i < 5; i++) expect((await open()).status).toBe(101);
  });

  it('refuses the second claimant of a live peer id; the id is free again once its holder has gone', async () => {
    await start();
    const holder = await open();
    holder.ws.send(JSON.stringify({ type: 'join', room: ROOM, peer: peerId('a') }));
    expect((await next(holder.ws)).type).toBe('joined');
    const squatter = await open();
    squatter.ws.send(JSON.stringify({ type: 'join', room: ROOM, peer: peerId('a') }));
    expect(await next(squatter.ws)).toMatchObject({ type: 'error', code: 'peer-id-taken' });
    holder.ws.close();
    await new Promise((r) => holder.ws.once('close', r));
    await expect
      .poll(async () => {
        squatter.ws.send(JSON.stringify({ type: 'join', room: ROOM, peer: peerId('a') }));
        return (await next(squatter.ws)).type;
      })
      .toBe('joined');
  });

  it('captures the upgrade and every message received when asked, and nothing otherwise', async () => {
    const records: CaptureRecord[] = [];
    await start({ capture: (r) => records.push(r) });
    const c = await open({ Origin: `http://127.0.0.1:${port}` });
    c.ws.send(JSON.stringify({ type: 'join', room: ROOM, peer: peerId('b') }));
    await next(c.ws);
    c.ws.send(Uint8Array.of(1, 2, 3));
    await next(c.ws);
    expect(records.map((r) => r.kind)).toEqual(['upgrade', 'ws', 'ws']);
    expect(records[0]!.text).toMatch(/^GET \/signal HTTP\/1\.1\r\n/);
    expect(records[1]!.text).toContain(peerId('b'));
    expect(records[2]!.base64).toBe('AQID');
  });

  it('main.ts refuses BRIC_SIGNAL_CAPTURE outside test mode', () => {
    const run = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'signaling/main.ts'], {
      env: { ...process.env, BRIC_MODE: '', BRIC_SIGNAL_CAPTURE: '/tmp/never-written.log', PORT: '0' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('only with BRIC_MODE=test');
  });
});

describe('origins and addresses', () => {
  const req = (remoteAddress: string, headers: Record<string, string> = {}) => ({ socket: { remoteAddress } as Socket, headers }) as unknown as IncomingMessage;

  it('an IPv6 /64 is one address; mapped IPv4 is IPv4; X-Forwarded-For only behind a trusted proxy', () => {
    expect(clientAddress(req('2001:db8:1:2:aaaa::1'), false)).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddress(req('2001:db8:1:2:bbbb::9'), false)).toBe('2001:0db8:0001:0002::/64');
    expect(clientAddress(req('::ffff:10.0.0.7'), false)).toBe('10.0.0.7');
    expect(clientAddress(req('::1'), false)).toBe('::1');
    const proxied = req('127.0.0.1', { 'x-forwarded-for': '6.6.6.6, 203.0.113.9' });
    expect(clientAddress(proxied, false)).toBe('127.0.0.1');
    expect(clientAddress(proxied, true)).toBe('203.0.113.9');
  });

  it('origin rules', () => {
    const none = new Set<string>();
    expect(originAllowed('https://bric.example', 'bric.example', none)).toBe(true);
    expect(originAllowed('https://bric.example.evil', 'bric.example', none)).toBe(false);
    expect(originAllowed('http://localhost:5173', 'localhost:8080', none)).toBe(true);
    expect(originAllowed('http://localhost:5173', 'bric.example', none)).toBe(false);
    expect(originAllowed('chrome-extension://abc', 'bric.example', none)).toBe(false);
    expect(originAllowed('https://any.example', 'bric.example', new Set(['*']))).toBe(true);
  });
});
