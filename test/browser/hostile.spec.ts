/**
 * Hostile storage peers over real WebRTC in Chromium (issue 7): a farm tab hosts five storage
 * nodes, two of which lie after the upload; the client tab's downloads stay exact, both liars are
 * avoided after the reputation threshold, and the next download asks them nothing.
 */
import { createHash } from 'node:crypto';
import { expect, test } from '../e2e/fixtures.js';
import type { Mode } from './harness/hostile.js';

const secretOf = (name: string): string => createHash('sha256').update(name).digest('hex');
const THRESHOLD = 3; // REPUTATION_FAULT_THRESHOLD

const CASES: [Mode, Mode][] = [
  ['corrupt-blocks', 'phantom-shares'],
  ['slow-loris', 'hang-up'],
];

for (const [first, second] of CASES) {
  test(`two peers lie (${first}, ${second}): downloads stay exact, the liars are avoided, then never asked`, async ({ newPerson, uniqueName, consoleErrors }) => {
    test.setTimeout(90_000);
    consoleErrors.allow(/./); // the hostile tab's hung-up links log their closing; what counts is asserted below
    const secretHex = secretOf(uniqueName('hostile'));
    const farm = await (await newPerson('farm')).openHarness();
    const alice = await (await newPerson('alice')).openHarness();
    const nodes = await farm.evaluate((s) => window.bricHarness.hostile.hostNodes({ secretHex: s, count: 5 }), secretHex);
    await alice.evaluate((s) => window.bricHarness.hostile.startClient({ secretHex: s, k: 2, happy: 3, n: 5, requestTimeoutMs: 2_000 }), secretHex);
    await alice.evaluate(() => window.bricHarness.hostile.waitForServers(5));
    const file = await alice.evaluate(() => window.bricHarness.hostile.upload(300_000, 7));

    const liars = nodes.slice(0, 2);
    const honest = nodes.slice(2);
    await farm.evaluate(([a, b, m1, m2]) => {
      window.bricHarness.hostile.setMode(a!, m1 as Mode);
      window.bricHarness.hostile.setMode(b!, m2 as Mode);
    }, [liars[0], liars[1], first, second]);
    // Honest nodes answer listShares later, so the liars are picked first on every download.
    await farm.evaluate((ids) => ids.forEach((id) => window.bricHarness.hostile.setMode(id, 'honest', 400)), honest);

    for (let i = 0; i < THRESHOLD; i++) {
      expect(await alice.evaluate((f) => window.bricHarness.hostile.download(f), file)).toEqual({ exact: true });
    }
    const rep = await alice.evaluate((ids) => window.bricHarness.hostile.reputationOf(ids), nodes);
    expect(rep.avoided.sort(), JSON.stringify(rep.records)).toEqual([...liars].sort());
    for (const r of rep.records.slice(2)) expect(r.recent).toBe(0);

    const before = await farm.evaluate((ids) => ids.map((id) => window.bricHarness.hostile.callsOf(id)), liars);
    expect(await alice.evaluate((f) => window.bricHarness.hostile.download(f), file)).toEqual({ exact: true });
    expect(await farm.evaluate((ids) => ids.map((id) => window.bricHarness.hostile.callsOf(id)), liars)).toEqual(before);
  });
}
