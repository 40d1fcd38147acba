/**
 * Raw WebRTC data-channel throughput between real Chromium tabs on loopback, through RtcPeerLink
 * (src/adapters/rtc/peer-link.ts: simple-peer plus our backpressure), dialled via the real
 * signaling server: one tab to one at several frame sizes, one tab to 9 at once, 3 tabs to one,
 * and rpc (chunked requests) over the same kind of link. MB/s are 10^6 bytes of payload per
 * second; anchors are NOTES.md's two-page figures. As root it runs itself in a loopback-only namespace.
 * @module
 */
import { randomBytes } from 'node:crypto';
import type { Page } from '@playwright/test';
import { launchChromium, runAsChild, runBrowserBench, startServer, type BrowserBench, type Report, type Row } from './_browser.js';

const CHILD_FLAG = '--bric-rtc-bench-child';
const PORT = Number(process.env.BRIC_BENCH_PORT ?? 8152);
const BASE = `http://127.0.0.1:${PORT}`;
/** The server script; BRIC_MODE=test makes signaling/main.ts serve the build with the harness. */
const SERVER_SCRIPT = process.env.BRIC_BENCH_SERVER ?? 'signaling/main.ts';
const SECTION = 'webrtc data channel (loopback)';
const MiB = 1024 * 1024;
/** NOTES.md: two pages, 30 MB/s with 16 KiB messages, 48–52 MB/s with 64–256 KiB. */
const ANCHOR_16K = 30;
const ANCHOR_BIG = 50;

const BENCH: BrowserBench = { name: 'rtc', url: import.meta.url, childFlag: CHILD_FLAG, measure };

export async function run(report: Report): Promise<void> {
  await runBrowserBench(BENCH, report);
}

const mbps = (bytes: number, ms: number): number => bytes / 1e6 / (ms / 1000);

async function measure(): Promise<Row[]> {
  const rows: Row[] = [];
  const server = await startServer(SERVER_SCRIPT, PORT, { BRIC_MODE: 'test' });
  const browser = await launchChromium();
  try {
    const context = await browser.newContext({ baseURL: BASE, permissions: ['microphone'] });
    const tabs: Page[] = [];
    for (let i = 0; i < 10; i++) {
      const page = await context.newPage();
      await page.goto('/test/browser/harness.html');
      await page.waitForFunction(() => (window as { bricHarness?: unknown }).bricHarness !== undefined);
      tabs.push(page);
    }
    const secretHex = randomBytes(32).toString('hex');
    const ids: string[] = [];
    for (const t of tabs) ids.push(await t.evaluate((s) => window.bricHarness['rtc-bench'].rawJoin(s), secretHex));
    const [hub, ...others] = tabs as [Page, ...Page[]];
    await hub.evaluate((n) => window.bricHarness['rtc-bench'].rawPeers(n), 9);
    const connectMs = await hub.evaluate((t) => window.bricHarness['rtc-bench'].rawConnect(t), ids.slice(1));
    rows.push({ section: SECTION, name: 'connect 1 tab to 9 at once', value: connectMs, unit: 'ms', note: 'offers, ICE and DTLS through the real server; no grid proof' });

    // The physical limit: a bare RTCDataChannel between two of the tabs (no simple-peer, no bric code).
    {
      const [a, b] = tabs as [Page, Page];
      const offer = await a.evaluate(() => window.bricHarness['rtc-bench'].nativeOffer());
      const answer = await b.evaluate((o) => window.bricHarness['rtc-bench'].nativeAnswer(o), offer);
      await a.evaluate((ans) => window.bricHarness['rtc-bench'].nativeSend(ans, 8 * 1024 * 1024, 65_536, 4 * 1024 * 1024), answer);
      for (const [frame, label] of [[65_536, '64 KiB'], [262_144, '256 KiB']] as const) {
        const bytes = 64 * MiB;
        const ms = await a.evaluate((o) => window.bricHarness['rtc-bench'].nativeSend(null, o.b, o.f, 4 * 1024 * 1024), { b: bytes, f: frame });
        rows.push({ section: SECTION, name: `bare RTCDataChannel 1 → 1, ${label} frames`, value: mbps(bytes, ms), unit: 'MB/s', anchor: ANCHOR_BIG, note: `no simple-peer, no bric code; 4 MiB queued at most; 64 MiB in ${(ms / 1000).toFixed(2)} s` });
      }
      for (const t of [a, b]) await t.evaluate(() => window.bricHarness['rtc-bench'].nativeClose());
    }

    // Warm-up, then one tab to one at three frame sizes.
    await hub.evaluate((o) => window.bricHarness['rtc-bench'].rawSend(o.t, o.b, 65_536), { t: [ids[1]!], b: 8 * MiB });
    for (const [frame, anchor, label] of [[16_384, ANCHOR_16K, '16 KiB'], [65_536, ANCHOR_BIG, '64 KiB'], [262_144, ANCHOR_BIG, '256 KiB']] as const) {
      const bytes = 64 * MiB;
      const ms = await hub.evaluate((o) => window.bricHarness['rtc-bench'].rawSend(o.t, o.b, o.f), { t: [ids[1]!], b: bytes, f: frame });
      rows.push({ section: SECTION, name: `1 → 1, ${label} frames`, value: mbps(bytes, ms), unit: 'MB/s', anchor, note: `64 MiB in ${(ms / 1000).toFixed(2)} s` });
    }

    // One tab to 9 at once (an upload's fan-out).
    {
      const each = 16 * MiB;
      const ms = await hub.evaluate((o) => window.bricHarness['rtc-bench'].rawSend(o.t, o.b, 65_536), { t: ids.slice(1), b: each });
      rows.push({ section: SECTION, name: '1 → 9 at once, total', value: mbps(9 * each, ms), unit: 'MB/s', anchor: ANCHOR_BIG, note: `16 MiB to each of 9 tabs, 64 KiB frames, ${(ms / 1000).toFixed(2)} s` });
      rows.push({ section: SECTION, name: '1 → 9 at once, per receiver', value: mbps(each, ms), unit: 'MB/s', anchor: ANCHOR_BIG });
    }

    // Three tabs to one at once (a download's fan-in).
    {
      const each = 32 * MiB;
      const receiver = ids[0]!;
      const senders = others.slice(0, 3);
      for (const s of senders) await s.evaluate((t) => window.bricHarness['rtc-bench'].rawConnect(t), [receiver]);
      const t0 = performance.now();
      await Promise.all(senders.map((s) => s.evaluate((o) => window.bricHarness['rtc-bench'].rawSend(o.t, o.b, 65_536), { t: [receiver], b: each })));
      const ms = performance.now() - t0;
      rows.push({ section: SECTION, name: '3 → 1 at once, total', value: mbps(3 * each, ms), unit: 'MB/s', anchor: ANCHOR_BIG, note: `32 MiB from each of 3 tabs, 64 KiB frames, ${(ms / 1000).toFixed(2)} s (wall clock incl. Playwright calls)` });
    }
    for (const t of tabs) await t.evaluate(() => window.bricHarness['rtc-bench'].rawLeave());

    // Rpc over a proven link (grid proof, 64 KiB rpc frames, reassembly), as storage uses it.
    {
      const [a, b] = tabs as [Page, Page];
      const rpcSecret = randomBytes(32).toString('hex');
      await a.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), rpcSecret);
      const bId = await b.evaluate((s) => window.bricHarness.rtc.joinGrid({ secretHex: s }), rpcSecret);
      await a.evaluate((p) => window.bricHarness.rtc.waitForPeer(p), bId);
      const dialed = await a.evaluate((p) => window.bricHarness.rtc.dial(p), bId);
      if (dialed !== 'ok') throw new Error(`rpc bench: ${dialed}`);
      await a.evaluate((p) => window.bricHarness.rtc.rpcThroughput(p, 8, 1024, 4), bId);
      for (const [kib, inFlight] of [[1024, 4], [256, 8]] as const) {
        const ms = await a.evaluate((o) => window.bricHarness.rtc.rpcThroughput(o.p, 64, o.k, o.n), { p: bId, k: kib, n: inFlight });
        rows.push({ section: SECTION, name: `rpc 1 → 1, ${kib} KiB requests × ${inFlight} in flight`, value: mbps(64 * MiB, ms), unit: 'MB/s', anchor: ANCHOR_BIG, note: `64 MiB in ${(ms / 1000).toFixed(2)} s` });
      }
    }
  } finally {
    await browser.close().catch(() => undefined);
    server.kill('SIGTERM');
  }
  return rows;
}

runAsChild(BENCH);
