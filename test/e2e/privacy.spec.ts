/**
 * Privacy against the signaling server (issue 7): a second copy of the real server runs with the
 * test-mode capture (BRIC_SIGNAL_CAPTURE: every HTTP request line and header, WebSocket upgrade and
 * message it receives). Seven tabs form a private grid, one uploads, a second browser restores
 * from the readcap link; then nothing the server received holds the cap, its key, UEB hash or
 * storage index, the grid secret, the person's secrets or node seeds, or a sample of plaintext or
 * share bytes (raw, hex, base64 or base32). The link keeps the cap in the fragment, and the server
 * sends a strict CSP and Referrer-Policy: no-referrer.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { base32Encode, bytesToHex } from '../../src/core/bytes.js';
import { parseCap } from '../../src/core/cap/parse.js';
import { deriveStorageIndex } from '../../src/core/cap/storage-index.js';
import type { ChkReadCap } from '../../src/core/cap/types.js';
import type { CaptureRecord } from '../../signaling/capture.js';
import { expect, test } from './fixtures.js';
import { openGrid, privateGridPath, randomFile, restoreThroughUi, uploadThroughUi } from './grid-helpers.js';

/** Starts signaling/main.ts over the build the suite's server already made; resolves with its URL. */
async function captureServer(capturePath: string): Promise<{ base: string; child: ChildProcess }> {
  const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'signaling/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', BRIC_MODE: 'test', BRIC_SKIP_BUILD: '1', BRIC_SIGNAL_CAPTURE: capturePath },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const base = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /serving on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) resolve(m[1]!);
    });
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`the capture server exited (${code}): ${out}`)));
  });
  return { base, child };
}

/** Every form a secret could travel in. */
function forms(bytes: Uint8Array): string[] {
  const b = Buffer.from(bytes);
  return [bytesToHex(bytes), b.toString('base64').replace(/=+$/, ''), b.toString('base64url'), base32Encode(bytes), base32Encode(bytes).toUpperCase()];
}

/** Windows of `size` bytes at a few offsets spread over `data`. */
function samples(data: Uint8Array, size = 24, count = 6): Uint8Array[] {
  return Array.from({ length: count }, (_, i) => data.subarray(Math.floor(((data.length - size) * i) / (count - 1)), Math.floor(((data.length - size) * i) / (count - 1)) + size));
}

test('the signaling server never receives a cap, key, secret, plaintext or share byte during upload, share and restore', async ({ newPerson, uniqueName }, testInfo) => {
  test.setTimeout(120_000);
  const capturePath = testInfo.outputPath('signal-capture.jsonl');
  const { base, child } = await captureServer(capturePath);
  try {
    const file = await randomFile(testInfo, 'private.bin', 200_000);
    const gridPath = privateGridPath(uniqueName('privacy'));
    const alice = await newPerson('alice');
    const pages = await openGrid(alice, 7, { path: `${base}${gridPath}` });
    const link = await uploadThroughUi(pages[0]!, file.path, { timeout: 60_000 });

    // The cap travels only in the fragment, which browsers never send.
    const url = new URL(link);
    expect(url.origin).toBe(base);
    expect(url.pathname).toBe('/');
    expect(url.search).toBe('');
    const capText = /URI:BRIC-CHK1:[a-z2-7]+:[a-z2-7]+:\d+:\d+:\d+/.exec(decodeURIComponent(url.hash))?.[0];
    expect(capText, url.hash).toBeTruthy();

    const bob = await newPerson('bob');
    const restorer = await bob.open(link);
    const restored = await restoreThroughUi(restorer, { timeout: 60_000 });
    expect(restored.sha256).toBe(file.sha256);

    // What the nodes hold: share bytes, the person's secrets, node seeds (raw IndexedDB records).
    const stored = await pages[1]!.evaluate(async () => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const r = indexedDB.open('bric');
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      });
      const all = (store: string) =>
        new Promise<unknown[]>((resolve, reject) => {
          const r = db.transaction(store).objectStore(store).getAll();
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error);
        });
      const bytesOf = (v: unknown): number[][] => (v instanceof Uint8Array ? [Array.from(v)] : []);
      const shares = (await all('shareData')).flatMap((r) => bytesOf((r as { data: unknown }).data)).slice(0, 4);
      const settings = (await all('settings')).flatMap((r) => bytesOf((r as { value: unknown }).value)).filter((b) => b.length >= 16);
      const seeds = (await all('identities')).flatMap((r) => bytesOf((r as { seed: unknown }).seed));
      db.close();
      return { shares, secrets: [...settings, ...seeds] };
    });
    expect(stored.shares.length).toBeGreaterThan(0);
    expect(stored.secrets.length).toBeGreaterThan(0);

    const cap = parseCap(capText!) as ChkReadCap;
    const plaintext = new Uint8Array(await readFile(file.path));
    const gridSecret = gridPath.split('.').pop()!;
    const needles: { what: string; text: string }[] = [
      { what: 'the cap', text: capText! },
      { what: 'the grid secret', text: gridSecret },
      ...[cap.key, cap.uebHash, deriveStorageIndex(cap.key)].flatMap((b, i) => forms(b).map((text) => ({ what: ['key', 'UEB hash', 'storage index'][i]!, text }))),
      ...stored.secrets.flatMap((s, i) => forms(Uint8Array.from(s)).map((text) => ({ what: `stored secret ${i}`, text }))),
      ...[...samples(plaintext), ...stored.shares.flatMap((s) => samples(Uint8Array.from(s)))].flatMap((b, i) => forms(b).map((text) => ({ what: `data sample ${i}`, text }))),
    ];
    const rawNeedles = [...samples(plaintext), ...stored.shares.flatMap((s) => samples(Uint8Array.from(s)))].map((b) => Buffer.from(b));

    // Tabs close first: a server gone under them would have them log failed reconnects.
    await alice.context.close();
    await bob.context.close();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    const records = (await readFile(capturePath, 'utf8'))
      .split('\n')
      .filter((l) => l.length > 0)
      .map((l) => JSON.parse(l) as CaptureRecord);
    // It did see the whole session: page loads, upgrades, joins and relayed SDP.
    expect(records.filter((r) => r.kind === 'http').length).toBeGreaterThan(0);
    expect(records.filter((r) => r.kind === 'upgrade').length).toBeGreaterThanOrEqual(8);
    expect(records.filter((r) => r.kind === 'ws' && r.text?.includes('"sdp"')).length).toBeGreaterThan(0);

    const texts = records.map((r) => r.text ?? '');
    const binaries = records.map((r) => (r.base64 === undefined ? Buffer.from(r.text ?? '', 'utf8') : Buffer.from(r.base64, 'base64')));
    const found = needles.filter((n) => texts.some((t) => t.includes(n.text))).map((n) => n.what);
    expect(found, 'secrets seen by the signaling server').toEqual([]);
    expect(rawNeedles.filter((n) => binaries.some((b) => b.includes(n))).length).toBe(0);
    // No request line carries a fragment or a cap, and no Referer reaches the server.
    for (const r of records.filter((x) => x.kind !== 'ws')) {
      const [line] = r.text!.split('\r\n');
      expect(line).not.toMatch(/#|cap=|URI:/i);
      expect(r.text).not.toMatch(/^referer:/im);
    }
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
  }
});

test('the app is served with a strict Content-Security-Policy and Referrer-Policy: no-referrer', async ({ request }) => {
  for (const path of ['/', '/healthz', '/no/such/page']) {
    const res = await request.get(path);
    const headers = res.headers();
    expect(headers['referrer-policy'], path).toBe('no-referrer');
    const csp = headers['content-security-policy'] ?? '';
    expect(csp, path).toMatch(/default-src 'self'/);
    expect(csp, path).toMatch(/script-src 'self'(;|$)/);
    expect(csp, path).toMatch(/connect-src 'self'(;|$)/);
    expect(csp, path).toMatch(/frame-ancestors 'none'/);
    expect(csp, path).not.toMatch(/unsafe-eval/);
  }
});
