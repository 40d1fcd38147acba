/**
 * Invite links (CONTRACT.md "Links"): a tab can start a private grid; its invite link carries the
 * grid's id and secret only in the fragment; a browser that opens it joins that grid, while tabs
 * of the grid it came from never meet its members. (It starts from a private grid of its own, not
 * the default one, so test files running at once on the same server stay apart.)
 */
import { test, expect } from './fixtures.js';
import { privateGridPath } from './grid-helpers.js';

test('a private grid: its invite link joins another browser to it, apart from the grid it came from', async ({ newPerson, baseURL, uniqueName }) => {
  test.setTimeout(120_000);
  const alice = await newPerson('alice');
  const start = privateGridPath(uniqueName('invite'));
  const inDefault = await alice.open(start);
  const founder = await alice.open(start);
  await expect(founder.getByTestId('peer-count')).toHaveText('1', { timeout: 30_000 });

  await founder.getByRole('button', { name: 'Start a new private grid' }).click();
  await expect(founder).toHaveURL(/#grid=grid-[0-9a-f]{6}\.[a-z2-7]{52}$/);
  await expect(founder.getByTestId('peer-count')).toHaveText('0', { timeout: 30_000 });
  const invite = await founder.locator('a.invite').getAttribute('href');
  expect(invite).toBeTruthy();
  const url = new URL(invite ?? '');
  expect(url.origin).toBe(new URL(baseURL ?? '').origin);
  expect(url.pathname).toBe('/');
  expect(url.search).toBe('');

  const bob = await newPerson('bob');
  const guest = await bob.open(invite ?? '');
  await expect(guest.getByTestId('peer-count')).toHaveText('1', { timeout: 30_000 });
  await expect(founder.getByTestId('peer-count')).toHaveText('1', { timeout: 30_000 });
  // The tab left in the first grid lost the founder and never sees the guest.
  await expect(inDefault.getByTestId('peer-count')).toHaveText('0', { timeout: 30_000 });
});
