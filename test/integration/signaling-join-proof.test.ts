/**
 * Signed joins against peer-id squatting (src/core/wire/join-proof.ts, signaling/server.ts): a node
 * that proves it owns its peer id puts out a socket squatting it; an unproven join never takes the
 * id from a proven holder; a proof for another id, room or socket is refused; and the browser's
 * SignalingClient, given its node key, proves every join by itself.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { SignalingClient, type SignalingEvent, type WebSocketLike } from '../../src/adapters/rtc/signaling-client.js';
import { proveJoin } from '../../src/core/wire/join-proof.js';
import { deriveNodeKey } from '../../src/core/wire/node-key.js';
import { attachSignaling } from '../../signaling/server.js';

const ROOM = 'b'.repeat(52);
const OTHER_ROOM = 'c'.repeat(52);
const owner = deriveNodeKey(new Uint8Array(32).fill(1));
const stranger = deriveNodeKey(new Uint8Array(32).fill(2));

let server: http.Server;
let sig: ReturnType<typeof attachSignaling>;
let port = 0;
const sockets: WebSocket[] = [];
const clients: SignalingClient[] = [];

async function start(): Promise<void> {
  server = http.createServer((_req, res) => res.end('ok'));
  sig = attachSignaling(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
}

/** A raw socket, after its hello (whose nonce proofs sign). */
async function open(): Promise<{ ws: WebSocket; nonce: string }> {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/signal`);
  sockets.push(ws);
  const hello = await new Promise<Record<string, unknown>>((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));
  return { ws, nonce: hello.nonce as string };
}

function next(ws: WebSocket): Promise<Record<string, unknown>> {
  return new Promise((resolve) => ws.once('message', (d) => resolve(JSON.parse(d.toString()) as Record<string, unknown>)));
}

const join = (ws: WebSocket, extra: { key?: string; sig?: string } = {}, peer = owner.peerId, room = ROOM): void =>
  ws.send(JSON.stringify({ type: 'join', room, peer, ...extra }));

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  for (const ws of sockets.splice(0)) ws.terminate();
  await sig.close();
  await new Promise((r) => server.close(r));
});

describe('signed joins', () => {
  it('the owner of a peer id puts out the socket squatting it, and the room hears the owner', async () => {
    await start();
    const squatter = await open();
    join(squatter.ws);
    expect((await next(squatter.ws)).type).toBe('joined');
    const member = await open();
    join(member.ws, {}, 'm'.repeat(26));
    expect(await next(member.ws)).toMatchObject({ type: 'joined', peers: [owner.peerId] });

    const real = await open();
    const squatterHears = next(squatter.ws);
    const memberHears = [next(member.ws), new Promise<Record<string, unknown>>((r) => member.ws.once('message', () => member.ws.once('message', (d) => r(JSON.parse(d.toString()) as Record<string, unknown>))))];
    join(real.ws, proveJoin(owner, real.nonce, ROOM));
    expect(await next(real.ws)).toMatchObject({ type: 'joined', peers: ['m'.repeat(26)] });
    expect(await squatterHears).toMatchObject({ type: 'error', code: 'peer-id-taken' });
    expect(await memberHears[0]).toMatchObject({ type: 'peer-left', peer: owner.peerId });
    expect(await memberHears[1]).toMatchObject({ type: 'peer-joined', peer: owner.peerId });

    // The squatter cannot take it back without the key.
    join(squatter.ws);
    expect(await next(squatter.ws)).toMatchObject({ type: 'error', code: 'peer-id-taken' });
  });

  it('refuses a proof made for another socket, room or peer id, or by another key', async () => {
    await start();
    const a = await open();
    const b = await open();
    join(a.ws, proveJoin(owner, b.nonce, ROOM)); // another socket's nonce (a replay)
    expect(await next(a.ws)).toMatchObject({ type: 'error', code: 'bad-proof' });
    join(a.ws, proveJoin(owner, a.nonce, OTHER_ROOM));
    expect(await next(a.ws)).toMatchObject({ type: 'error', code: 'bad-proof' });
    join(a.ws, proveJoin(stranger, a.nonce, ROOM)); // a valid signature, but the key names another id
    expect(await next(a.ws)).toMatchObject({ type: 'error', code: 'bad-proof' });
    join(a.ws, { key: proveJoin(owner, a.nonce, ROOM).key, sig: 'a'.repeat(103) });
    expect(await next(a.ws)).toMatchObject({ type: 'error', code: 'bad-proof' });
    join(a.ws, proveJoin(owner, a.nonce, ROOM));
    expect((await next(a.ws)).type).toBe('joined');
  });

  it('the SignalingClient with a node key proves its joins, and so gets its id back from a squatter', async () => {
    await start();
    const squatter = await open();
    join(squatter.ws);
    expect((await next(squatter.ws)).type).toBe('joined');
    const client = new SignalingClient({ url: `ws://127.0.0.1:${port}/signal`, peerId: owner.peerId, nodeKey: owner, WebSocket: WebSocket as unknown as new (url: string) => WebSocketLike });
    clients.push(client);
    const joined = new Promise<SignalingEvent>((resolve) => client.on((e) => e.type === 'joined' && resolve(e)));
    client.join(ROOM);
    expect(await joined).toMatchObject({ type: 'joined', room: ROOM, peers: [] });
    expect(() => new SignalingClient({ url: 'ws://127.0.0.1:1/signal', peerId: stranger.peerId, nodeKey: owner })).toThrow(/peer id of "nodeKey"/);
  });
});
