/**
 * ICE servers as configuration of the signaling server (signaling/turn.ts): coturn REST credentials
 * (known answer computed with Python's hmac), the environment parsing with its error words, and the
 * real server handing fixed servers in `hello` and TURN credentials naming the peer in `joined`,
 * which the signaling client adopts for its next dial.
 */
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { attachSignaling, type Signaling } from '../../signaling/server.js';
import { iceConfigFromEnv, iceServersFor, TURN_DEFAULT_TTL_SECONDS, turnRestCredentials } from '../../signaling/turn.js';
import { SignalingClient, type WebSocketLike } from '../../src/adapters/rtc/signaling-client.js';
import { parseServerMessage } from '../../src/core/wire/signal.js';

const ROOM = 'a'.repeat(52);
const PEER = 'b'.repeat(26);

describe('coturn REST credentials', () => {
  it('match the known answer: base64(HMAC-SHA1(secret, "<expiry>:<user>"))', () => {
    // python3: base64.b64encode(hmac.new(b'north-sea-secret', b'1700000000:' + b'a'*26, hashlib.sha1).digest())
    expect(turnRestCredentials('north-sea-secret', 'a'.repeat(26), 1700000000.9)).toEqual({
      username: '1700000000:aaaaaaaaaaaaaaaaaaaaaaaaaa',
      credential: 'hw/8UWUoqkRzX4tS2LhY9Yu5Y2E=',
    });
  });

  it('hello gets the fixed servers only; a peer gets TURN credentials naming it, expiring after the TTL', () => {
    const fixed = [{ urls: 'stun:stun.example.org:3478' }];
    const f = iceServersFor(fixed, { urls: ['turn:turn.example.org:3478'], secret: 's3cret', ttlSeconds: 600 }, () => 1_000_000_000_000);
    expect(f(null)).toEqual(fixed);
    const [, turn] = f(PEER);
    expect(turn).toEqual({ urls: ['turn:turn.example.org:3478'], username: `1000000600:${PEER}`, credential: createHmac('sha1', 's3cret').update(`1000000600:${PEER}`).digest('base64') });
  });
});

describe('ICE configuration from the environment', () => {
  it('is empty by default, and reads BRIC_ICE_SERVERS and BRIC_TURN_URL/SECRET/TTL', () => {
    expect(iceConfigFromEnv({})).toEqual({ iceServers: [], summary: null });
    const stun = iceConfigFromEnv({ BRIC_ICE_SERVERS: '[{"urls":"stun:stun.example.org:3478"}]' });
    expect(stun.iceServers).toEqual([{ urls: 'stun:stun.example.org:3478' }]);
    const turn = iceConfigFromEnv({ BRIC_TURN_URL: 'turn:t.example.org:3478?transport=udp, turn:t.example.org:3478?transport=tcp', BRIC_TURN_SECRET: 'x', BRIC_TURN_TTL: '3600' });
    if (typeof turn.iceServers !== 'function') throw new Error('expected per-peer servers');
    expect(turn.iceServers(null)).toEqual([]);
    expect(turn.iceServers(PEER)[0]).toMatchObject({ urls: ['turn:t.example.org:3478?transport=udp', 'turn:t.example.org:3478?transport=tcp'], username: expect.stringMatching(new RegExp(`^\\d+:${PEER}$`)) });
    expect(turn.summary).toContain('3600 s');
    expect(TURN_DEFAULT_TTL_SECONDS).toBe(86400);
  });

  it.each([
    [{ BRIC_ICE_SERVERS: '[{urls:' }, /BRIC_ICE_SERVERS is not valid JSON/],
    [{ BRIC_ICE_SERVERS: '[{"urls":"http://evil.example"}]' }, /BRIC_ICE_SERVERS is not a list of ICE servers/],
    [{ BRIC_TURN_URL: 'turn:t.example.org' }, /BRIC_TURN_SECRET is not/],
    [{ BRIC_TURN_SECRET: 'x' }, /BRIC_TURN_URL is not/],
    [{ BRIC_TURN_URL: 'stun:t.example.org', BRIC_TURN_SECRET: 'x' }, /turn: or turns:/],
    [{ BRIC_TURN_URL: 'turn:t.example.org', BRIC_TURN_SECRET: 'x', BRIC_TURN_TTL: '10' }, /BRIC_TURN_TTL/],
  ])('refuses %j in words', (env, words) => {
    expect(() => iceConfigFromEnv(env)).toThrow(words);
  });
});

describe('the server hands ICE servers to peers', () => {
  let server: http.Server;
  let sig: Signaling;
  afterEach(async () => {
    await sig.close();
    await new Promise((r) => server.close(r));
  });

  it('in hello (fixed) and joined (TURN for the peer id), and the client dials with the latest', async () => {
    server = http.createServer();
    const { iceServers } = iceConfigFromEnv({ BRIC_ICE_SERVERS: '[{"urls":"stun:127.0.0.1:3478"}]', BRIC_TURN_URL: 'turn:127.0.0.1:3478', BRIC_TURN_SECRET: 'loopback-secret' });
    sig = attachSignaling(server, { iceServers });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/signal`;

    const raw = new WebSocket(url);
    const messages: unknown[] = [];
    raw.on('message', (d) => messages.push(parseServerMessage(d.toString())));
    await new Promise((r) => raw.once('open', r));
    raw.send(JSON.stringify({ type: 'join', room: ROOM, peer: PEER }));
    await expect.poll(() => messages.length).toBe(2);
    expect(messages[0]).toEqual({ type: 'hello', v: 1, iceServers: [{ urls: 'stun:127.0.0.1:3478' }], nonce: expect.stringMatching(/^[a-z2-7]{26}$/) });
    const joined = messages[1] as { iceServers: Array<{ username?: string; credential?: string }> };
    expect(joined).toMatchObject({ type: 'joined', room: ROOM, peer: PEER, peers: [] });
    const [stun, turn] = joined.iceServers;
    expect(stun).toEqual({ urls: 'stun:127.0.0.1:3478' });
    const [expiry, who] = turn!.username!.split(':');
    expect(who).toBe(PEER);
    expect(Number(expiry) - Date.now() / 1000).toBeGreaterThan(TURN_DEFAULT_TTL_SECONDS - 60);
    expect(turn!.credential).toBe(createHmac('sha1', 'loopback-secret').update(turn!.username!).digest('base64'));
    raw.close();

    const client = new SignalingClient({ url, WebSocket: WebSocket as unknown as new (u: string) => WebSocketLike });
    client.join(ROOM);
    await expect.poll(() => client.iceServers.length).toBe(2);
    expect(client.iceServers[1]).toMatchObject({ urls: ['turn:127.0.0.1:3478'], username: expect.stringMatching(new RegExp(`:${client.peerId}$`)) });
    client.close();
  });
});
