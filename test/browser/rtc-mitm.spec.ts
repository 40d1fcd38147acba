/**
 * A man in the middle on the signaling path, in real Chromium (loopback-only namespace): each page's
 * /signal WebSocket goes through a relay in this test (Playwright's routeWebSocket) that passes
 * everything on to the real server, except that it tampers with offers or answers on their way: it
 * rewrites the DTLS fingerprint, swaps in its own key and signature, or strips the signature. Peers
 * with node keys refuse every tampered SDP with an SdpSignatureError and never connect; through an
 * honest relay the same pages connect and move data.
 */
import type { Page, WebSocketRoute } from '@playwright/test';
import { createHash } from 'node:crypto';
import { hexToBytes } from '../../src/core/bytes.js';
import { deriveNodeKey } from '../../src/core/wire/node-key.js';
import { signSdp } from '../../src/core/wire/signed-sdp.js';
import { expect, test } from '../e2e/fixtures.js';

const hex = (label: string): string => createHash('sha256').update(label).digest('hex');
const mallory = deriveNodeKey(hexToBytes(hex('mallory seed')));

type Tamper = 'none' | 'rewrite-fingerprint' | 'swap-key' | 'strip-signature';
interface Relay { tampered: number; relayed: number }

/** Flips one hex digit of every a=fingerprint line: what a relay terminating DTLS itself would need to do. */
function rewriteFingerprint(sdp: string): string {
  return sdp.replace(/^(a=fingerprint:\S+ )([0-9A-F])/gm, (_m, head: string, d: string) => head + (d === 'A' ? 'B' : 'A'));
}

/**
 * Routes the page's signaling socket through a relay that applies `tamper` to SDP of type `which`
 * on its way from the server to the page.
 */
async function relayThrough(page: Page, tamper: Tamper, which: 'offer' | 'answer'): Promise<Relay> {
  const counts: Relay = { tampered: 0, relayed: 0 };
  await page.routeWebSocket(/\/signal$/, (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    ws.onMessage((m) => server.send(m));
    server.onMessage((m) => {
      const msg = JSON.parse(String(m)) as { type: string; room: string; from: string; data: Record<string, unknown> };
      if (msg.type === 'signal' && msg.data.type === which && tamper !== 'none') {
        const d = msg.data as { sid: string; type: 'offer' | 'answer'; sdp: string; key?: string; sig?: string };
        if (tamper === 'rewrite-fingerprint') d.sdp = rewriteFingerprint(d.sdp);
        if (tamper === 'strip-signature') (delete d.key, delete d.sig);
        if (tamper === 'swap-key') {
          // The relay's own key over its own fingerprint: a valid signature, but not by the sender's key.
          d.sdp = rewriteFingerprint(d.sdp);
          const to = pageIds.get(page) ?? '';
          Object.assign(d, signSdp(mallory, { room: msg.room, from: mallory.peerId, to, sid: d.sid, type: d.type, sdp: d.sdp }));
        }
        counts.tampered++;
        return ws.send(JSON.stringify(msg));
      }
      counts.relayed++;
      ws.send(typeof m === 'string' ? m : m.toString());
    });
  });
  return counts;
}

const pageIds = new Map<Page, string>();

async function pair(newPerson: (name?: string) => Promise<{ openHarness(): Promise<Page> }>, secret: string, tamper: Tamper, which: 'offer' | 'answer') {
  const alice = await (await newPerson('alice')).openHarness();
  const bob = await (await newPerson('bob')).openHarness();
  const relays = [await relayThrough(alice, tamper, which), await relayThrough(bob, tamper, which)];
  const secretHex = hex(secret);
  const join = (page: Page, seed: string): Promise<string> =>
    page.evaluate((o) => window.bricHarness['rtc-net'].join(o), { secretHex, seedHex: hex(seed), connectTimeoutMs: 8_000 });
  const a = await join(alice, `${secret} alice`);
  const b = await join(bob, `${secret} bob`);
  pageIds.set(alice, a);
  pageIds.set(bob, b);
  expect(a).toBe(deriveNodeKey(hexToBytes(hex(`${secret} alice`))).peerId); // the peer id is bound to the key
  await alice.evaluate((p) => window.bricHarness['rtc-net'].waitForPeer(p), b);
  return { alice, bob, a, b, relays };
}

test('through an honest relay, peers with node keys sign, verify and connect', async ({ newPerson, uniqueName }) => {
  test.setTimeout(90_000);
  const { alice, bob, a, b, relays } = await pair(newPerson, uniqueName('honest'), 'none', 'offer');
  expect(await alice.evaluate((p) => window.bricHarness['rtc-net'].dial(p), b)).toBe('ok');
  expect(await alice.evaluate((p) => window.bricHarness['rtc-net'].bigRoundTrip(p, 1, 5), b)).toEqual({ upOk: true, downOk: true });
  expect(await bob.evaluate(() => window.bricHarness['rtc-net'].connected())).toEqual([a]);
  expect(await alice.evaluate(() => window.bricHarness['rtc-net'].refusals())).toEqual([]);
  expect(await bob.evaluate(() => window.bricHarness['rtc-net'].refusals())).toEqual([]);
  expect(relays[0]!.relayed + relays[1]!.relayed).toBeGreaterThan(4); // the relay really was in the path
});

test('with node keys, both dialling at once (glare) still ends in one proven link', async ({ newPerson, uniqueName }) => {
  test.setTimeout(90_000);
  const { alice, bob, a, b } = await pair(newPerson, uniqueName('glare'), 'none', 'offer');
  await bob.evaluate((p) => window.bricHarness['rtc-net'].waitForPeer(p), a);
  const both = await Promise.all([
    alice.evaluate((p) => window.bricHarness['rtc-net'].dial(p), b),
    bob.evaluate((p) => window.bricHarness['rtc-net'].dial(p), a),
  ]);
  expect(both).toEqual(['ok', 'ok']);
  expect(await alice.evaluate(() => window.bricHarness['rtc-net'].connected())).toEqual([b]);
  expect(await bob.evaluate(() => window.bricHarness['rtc-net'].connected())).toEqual([a]);
  expect(await bob.evaluate(() => window.bricHarness['rtc-net'].refusals())).toEqual([]);
});

for (const [tamper, which, words] of [
  ['rewrite-fingerprint', 'offer', /does not match its signature: its SDP or DTLS fingerprint was changed/],
  ['rewrite-fingerprint', 'answer', /does not match its signature: its SDP or DTLS fingerprint was changed/],
  ['swap-key', 'offer', /signed with a key that is not that peer's/],
  ['swap-key', 'answer', /signed with a key that is not that peer's/],
  ['strip-signature', 'offer', /is not signed/],
] as const) {
  test(`a relay that does ${tamper} on the ${which} is refused with a clear error`, async ({ newPerson, uniqueName }) => {
    test.setTimeout(90_000);
    const { alice, bob, a, b, relays } = await pair(newPerson, uniqueName(tamper), tamper, which);
    const dialled = await alice.evaluate((p) => window.bricHarness['rtc-net'].dial(p, 20_000), b);
    expect(relays[0]!.tampered + relays[1]!.tampered).toBeGreaterThan(0);
    if (which === 'answer') {
      // Alice checks Bob's answer: her dial fails at once with the reason.
      expect(dialled).toMatch(/^SdpSignatureError: the answer from peer/);
      expect(dialled).toMatch(words);
      expect(await alice.evaluate(() => window.bricHarness['rtc-net'].refusals())).toEqual([expect.stringMatching(words)]);
    } else {
      // Bob checks Alice's offer and never answers; Alice's dial runs out of time.
      expect(dialled).toMatch(/^PeerTimeoutError/);
      const refusals = await bob.evaluate(() => window.bricHarness['rtc-net'].refusals());
      expect(refusals).toEqual([expect.stringMatching(new RegExp(`^${a}: SdpSignatureError: the offer from peer ${a.slice(0, 8)}`))]);
      expect(refusals[0]).toMatch(words);
    }
    expect(await alice.evaluate(() => window.bricHarness['rtc-net'].connected())).toEqual([]);
    expect(await bob.evaluate(() => window.bricHarness['rtc-net'].connected())).toEqual([]);
  });
}
