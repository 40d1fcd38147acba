/**
 * Memory while uploading a 1 GiB file in a real Chromium page: the encoder reads the file segment
 * by segment (twice: the convergent key, then the shares), with the codec in the worker pool. Issue
 * 3's bound: heap growth under 256 MiB for a 1 GiB file. Sampled through CDP (V8 heap plus
 * ArrayBuffer backing stores of the page; workers hold one job each and are not counted).
 * `BRIC_BENCH_MEMORY_MIB` sets the size (default 1024).
 * @module
 */
import { launchChromium, peakHeap, runAsChild, runBrowserBench, startServer, type BrowserBench, type Report, type Row } from './_browser.js';

const CHILD_FLAG = '--bric-memory-bench-child';
const PORT = Number(process.env.BRIC_BENCH_MEMORY_PORT ?? 8153);
const MIB = Number(process.env.BRIC_BENCH_MEMORY_MIB ?? 1024);
const SECTION = 'memory (1 real Chromium page)';
/** Issue 3: heap growth below 256 MiB for a 1 GiB file. */
const HEAP_GROWTH_BOUND_MIB = 256;
const MiB = 1024 * 1024;

const BENCH: BrowserBench = { name: 'memory', url: import.meta.url, childFlag: CHILD_FLAG, measure };

export async function run(report: Report): Promise<void> {
  await runBrowserBench(BENCH, report);
}

async function measure(): Promise<Row[]> {
  const server = await startServer('signaling/main.ts', PORT, { BRIC_MODE: 'test' });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ baseURL: `http://127.0.0.1:${PORT}` });
    await page.goto('/test/browser/harness.html');
    await page.waitForFunction(() => (window as { bricHarness?: unknown }).bricHarness !== undefined);
    const { result, peakWithBuffers, before } = await peakHeap(page, () => page.evaluate((m) => window.bricHarness['upload-memory'].encodeLargeFile(m), MIB));
    const growth = (peakWithBuffers - before) / MiB;
    return [
      {
        section: SECTION,
        name: `encode ${MIB} MiB: peak heap growth (JS + ArrayBuffers)`,
        value: growth,
        unit: 'MiB',
        anchor: HEAP_GROWTH_BOUND_MIB,
        note: `ratio < 1 meets the bound; ${(before / MiB).toFixed(1)} MiB before; ${(result.written / MiB).toFixed(0)} MiB of shares in ${(result.ms / 1000).toFixed(1)} s (${(MIB * MiB / 1e6 / (result.ms / 1000)).toFixed(1)} MB/s of file, both passes)`,
      },
    ];
  } finally {
    await browser.close().catch(() => undefined);
    server.kill('SIGTERM');
  }
}

runAsChild(BENCH);
