/**
 * Reach beyond the LAN, proven on loopback: Debian's coturn (`turnserver`) on 127.0.0.1 with a
 * static auth secret (its TURN REST mode), a signaling server of this test configured with that
 * TURN server and secret (signaling/turn.ts), and two Chromium pages whose /signal socket is routed
 * to it. Both force relay-only ICE, so the only candidates are TURN relays: they get credentials
 * naming their peer id, connect, and move multi-MiB rpc payloads both ways through coturn, and
 * getStats shows the selected pair is relay ↔ relay. Skips, saying why, when turnserver is missing.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { attachSignaling, type Signaling } from '../../signaling/server.js';
import { iceServersFor } from '../../signaling/turn.js';
import { expect, test } from '../e2e/fixtures.js';

const TURNSERVER = process.env.TURNSERVER_PATH ?? 'turnserver';
const haveCoturn = spawnSync(TURNSERVER, ['--version'], { encoding: 'utf8' }).status === 0;
const hex = (label: string): string => createHash('sha256').update(label).digest('hex');

/** A port free on 127.0.0.1 now (TCP; coturn takes UDP and TCP on it). */
async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise((r) => s.close(r));
  return port;
}

interface Coturn { process: ChildProcess; port: number; secret: string; log: string[]; dir: string }

/** coturn on loopback only: listening and relaying on 127.0.0.1, no TLS/DTLS, no CLI, REST-secret auth. */
async function startCoturn(): Promise<Coturn> {
  const port = await freePort();
  const secret = randomBytes(16).toString('hex');
  const dir = mkdtempSync(join(tmpdir(), 'bric-coturn-'));
  const minPort = 40000 + Math.floor(Math.random() * 20000);
  const args = [
    '-n', // no configuration file: everything is on this line
    '--listening-ip=127.0.0.1', '--relay-ip=127.0.0.1', `--listening-port=${port}`,
    `--min-port=${minPort}`, `--max-port=${minPort + 200}`,
    '--no-tls', '--no-dtls', '--no-cli',
    '--use-auth-secret', `--static-auth-secret=${secret}`, '--realm=bric.test',
    '--allow-loopback-peers', // both relays are on 127.0.0.1: coturn refuses loopback peers otherwise
    '--no-multicast-peers', `--db=${join(dir, 'turndb')}`, `--pidfile=${join(dir, 'turnserver.pid')}`,
    '--log-file=stdout', '--simple-log', '--verbose',
  ];
  const child = spawn(TURNSERVER, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`turnserver did not open its UDP listener in 10 s:\n${log.join('')}`)), 10_000);
    const onData = (d: Buffer): void => {
      log.push(d.toString());
      if (/UDP listener opened on\s*:\s*127\.0\.0\.1:\d+/.test(log.join(''))) (clearTimeout(timer), resolve());
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`turnserver exited (${code}):\n${log.join('')}`))));
  });
  return { process: child, port, secret, log, dir };
}

/** Routes the page's /signal WebSocket to this test's signaling server (same origin for the page and its CSP). */
async function routeSignaling(page: Page, url: string): Promise<void> {
  await page.routeWebSocket(/\/signal$/, (ws: WebSocketRoute) => {
    const upstream = new WebSocket(url);
    const queued: string[] = [];
    upstream.on('open', () => queued.splice(0).forEach((m) => upstream.send(m)));
    upstream.on('message', (d) => ws.send(d.toString()));
    upstream.on('close', () => ws.close());
    upstream.on('error', () => ws.close());
    ws.onMessage((m) => (upstream.readyState === WebSocket.OPEN ? upstream.send(String(m)) : queued.push(String(m))));
    ws.onClose(() => upstream.close());
  });
}

test.describe('TURN through coturn on loopback', () => {
  test.skip(!haveCoturn, `coturn's turnserver was not found (${TURNSERVER}): install it with "apt-get install -y coturn" to run the TURN test`);

  let coturn: Coturn;
  let server: http.Server;
  let signaling: Signaling;
  let signalUrl: string;

  test.beforeAll(async () => {
    coturn = await startCoturn();
    server = http.createServer();
    const turnUrl = `turn:127.0.0.1:${coturn.port}?transport=udp`;
    signaling = attachSignaling(server, { iceServers: iceServersFor([], { urls: [turnUrl], secret: coturn.secret, ttlSeconds: 600 }) });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    signalUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;
  });

  test.afterAll(async () => {
    await signaling?.close();
    await new Promise((r) => server?.close(r));
    if (coturn) {
      const gone = new Promise((r) => coturn.process.once('exit', r));
      coturn.process.kill('SIGTERM');
      await gone;
      rmSync(coturn.dir, { recursive: true, force: true });
    }
  });

  test('two pages forced to relay-only ICE connect through coturn and move 4 MiB each way', async ({ newPerson, uniqueName }) => {
    test.setTimeout(180_000);
    const alice = await (await newPerson('alice')).openHarness();
    const bob = await (await newPerson('bob')).openHarness();
    await routeSignaling(alice, signalUrl);
    await routeSignaling(bob, signalUrl);
    const secretHex = hex(uniqueName('turn'));
    const join = (page: Page, seed: string): Promise<string> =>
      page.evaluate((o) => window.bricHarness['rtc-net'].join(o), { secretHex, seedHex: hex(seed), iceTransportPolicy: 'relay' as const });
    const a = await join(alice, 'turn alice');
    const b = await join(bob, 'turn bob');
    await alice.evaluate((p) => window.bricHarness['rtc-net'].waitForPeer(p), b);

    // Each got TURN credentials from the signaling server, naming its own peer id.
    const ice = await alice.evaluate(() => window.bricHarness['rtc-net'].iceServers());
    expect(ice).toEqual([{ urls: [`turn:127.0.0.1:${coturn.port}?transport=udp`], username: expect.stringMatching(new RegExp(`^\\d{10}:${a}$`)), credentialLength: 28 }]);

    expect(await alice.evaluate((p) => window.bricHarness['rtc-net'].dial(p, 60_000), b)).toBe('ok');
    expect(await alice.evaluate((p) => window.bricHarness['rtc-net'].selectedCandidates(p), b)).toEqual({ local: 'relay', remote: 'relay' });
    expect(await bob.evaluate((p) => window.bricHarness['rtc-net'].selectedCandidates(p), a)).toEqual({ local: 'relay', remote: 'relay' });
    expect(await alice.evaluate((p) => window.bricHarness['rtc-net'].bigRoundTrip(p, 4, 9), b)).toEqual({ upOk: true, downOk: true });
    expect(await bob.evaluate((p) => window.bricHarness['rtc-net'].bigRoundTrip(p, 2, 4), a)).toEqual({ upOk: true, downOk: true });

    // coturn itself saw both peers allocate with the minted usernames.
    const log = coturn.log.join('');
    for (const peer of [a, b]) expect(log).toMatch(new RegExp(`user <\\d{10}:${peer}>.*ALLOCATE processed, success`));
    await alice.evaluate(() => window.bricHarness['rtc-net'].leave());
    await bob.evaluate(() => window.bricHarness['rtc-net'].leave());
  });
});
