/**
 * WebRTC for real (Chromium, loopback-only namespace): the PeerLink contract on simple-peer's data
 * channel, and two people whose tabs meet through the real signaling server, prove the grid secret
 * and run rpc with multi-MiB payloads both ways; a tab with the wrong secret is refused.
 */
import { createHash } from 'node:crypto';
import { expect, test } from '../e2e/fixtures.js';

const secretOf = (name: string): string => createHash('sha256').update(name).digest('hex');

test('the PeerLink contract (with rpc over it) passes on a real data channel', async ({ harnessPage }) => {
  test.setTimeout(120_000);
  const result = await harnessPage.evaluate(() => window.bricHarness.rtc.linkContract());
  expect(result.failures).toEqual([]);
  expect(result.passed.length).toBeGreaterThan(5);
});

test('two people meet through the server, prove the grid secret and run rpc both ways', async ({ newPerson, uniqueName }) => {
  test.setTimeout(120_000);
  const secretHex = secretOf(uniqueName('grid'));
  const alice = await (await newPerson('alice')).openHarness();
  const bob = await (await newPerson('bob')).openHarness();
  const a = await alice.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), secretHex);
  const b = await bob.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), secretHex);
  await alice.evaluate((p) => window.bricHarness.rtc.waitForPeer(p), b);
  expect(await alice.evaluate((p) => window.bricHarness.rtc.dial(p), b)).toBe('ok');
  await expect.poll(() => bob.evaluate(() => window.bricHarness.rtc.status().incoming)).toEqual([a]);
  expect(await alice.evaluate((p) => window.bricHarness.rtc.bigRoundTrip(p, 5, 1), b)).toEqual({ upOk: true, downOk: true });
  // Bob uses the same link the other way (no second connection).
  expect(await bob.evaluate((p) => window.bricHarness.rtc.bigRoundTrip(p, 3, 2), a)).toEqual({ upOk: true, downOk: true });
  expect(await bob.evaluate(() => window.bricHarness.rtc.status().connected)).toEqual([a]);
  await alice.evaluate(() => window.bricHarness.rtc.leave());
  await bob.evaluate(() => window.bricHarness.rtc.leave());
});

test('both dialling at once (glare) ends in one proven link', async ({ newPerson, uniqueName }) => {
  const secretHex = secretOf(uniqueName('glare'));
  const alice = await (await newPerson('alice')).openHarness();
  const bob = await (await newPerson('bob')).openHarness();
  const a = await alice.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), secretHex);
  const b = await bob.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), secretHex);
  await alice.evaluate((p) => window.bricHarness.rtc.waitForPeer(p), b);
  await bob.evaluate((p) => window.bricHarness.rtc.waitForPeer(p), a);
  const [fromA, fromB] = await Promise.all([
    alice.evaluate((p) => window.bricHarness.rtc.dial(p), b),
    bob.evaluate((p) => window.bricHarness.rtc.dial(p), a),
  ]);
  expect([fromA, fromB]).toEqual(['ok', 'ok']);
  expect(await alice.evaluate((p) => window.bricHarness.rtc.bigRoundTrip(p, 1, 3), b)).toEqual({ upOk: true, downOk: true });
  expect(await alice.evaluate(() => window.bricHarness.rtc.status().connected)).toEqual([b]);
  expect(await bob.evaluate(() => window.bricHarness.rtc.status().connected)).toEqual([a]);
});

test('a tab that knows the room but not the grid secret is refused by the grid proof', async ({ newPerson, uniqueName }) => {
  const secretHex = secretOf(uniqueName('grid'));
  const wrongHex = secretOf(uniqueName('wrong'));
  const member = await (await newPerson('member')).openHarness();
  const intruder = await (await newPerson('intruder')).openHarness();
  const m = await member.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), secretHex);
  await intruder.evaluate(([s, r]) => window.bricHarness.rtc.joinGrid({ secretHex: s!, roomSecretHex: r! }), [wrongHex, secretHex]);
  await intruder.evaluate((p) => window.bricHarness.rtc.waitForPeer(p), m);
  expect(await intruder.evaluate((p) => window.bricHarness.rtc.dial(p), m)).toMatch(/^GridProofError|PeerClosedError/);
  expect(await member.evaluate(() => window.bricHarness.rtc.status())).toEqual({ connected: [], incoming: [] });
});
