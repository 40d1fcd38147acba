/**
 * Figures that need two sections of one run: the grid's upload and restore held against the raw
 * data-channel limits measured minutes apart on the same machine (issue 3's goals: the bytes on the
 * wire during upload at ≥ 80 % of the raw 1 → 9 fan-out; restore against the raw 3 → 1 fan-in).
 * run.ts adds these rows when both sections ran; `npm run bench -- grid rtc` runs exactly those.
 * @module
 */
import { computeShareSize } from '../../src/core/immutable/layout.js';
import { DEFAULT_K, DEFAULT_N, DEFAULT_SEGMENT_BYTES } from '../../src/core/limits.js';
import type { BenchRow } from './run.js';

const MiB = 1024 * 1024;
const GRID = 'grid (10 tabs, 3-of-10)';
const RTC = 'webrtc data channel (loopback)';
/** Issue 3: upload's wire bytes at ≥ 80 % of the raw fan-out. */
const UPLOAD_WIRE_GOAL = 0.8;

export function derive(rows: readonly BenchRow[]): BenchRow[] {
  const find = (section: string, name: string): number | undefined => rows.find((r) => r.section === section && r.name === name)?.value;
  const out: BenchRow[] = [];
  const fanOut = find(RTC, '1 → 9 at once, total');
  const fanIn = find(RTC, '3 → 1 at once, total');
  const bare = find(RTC, 'bare RTCDataChannel 1 → 1, 64 KiB frames');
  for (const [label, size] of [['64 MiB', 64 * MiB], ['1 MiB', MiB]] as const) {
    const up = find(GRID, `upload ${label}`);
    const down = find(GRID, `restore ${label}`);
    // Every share goes out once: N shares of shareSize bytes (blocks, hash trees, UEB) per file.
    const expansion = (DEFAULT_N * computeShareSize({ k: DEFAULT_K, n: DEFAULT_N, segmentSize: DEFAULT_SEGMENT_BYTES }, size)) / size;
    if (up !== undefined && fanOut !== undefined) {
      out.push({
        section: 'grid against the raw limits (same run)',
        name: `upload ${label}: wire rate / raw 1 → 9 fan-out`,
        value: (up * expansion) / fanOut,
        unit: 'fraction',
        anchor: UPLOAD_WIRE_GOAL,
        note: `${(up * expansion).toFixed(2)} MB/s on the wire (${expansion.toFixed(3)} × ${up.toFixed(2)} MB/s of file) against ${fanOut.toFixed(2)} MB/s raw; ratio ≥ 1 meets the goal`,
      });
    }
    if (down !== undefined && fanIn !== undefined) {
      // A restore reads k shares' worth of blocks (plus their hashes): about the file's size.
      const read = (DEFAULT_K * computeShareSize({ k: DEFAULT_K, n: DEFAULT_N, segmentSize: DEFAULT_SEGMENT_BYTES }, size)) / size;
      out.push({
        section: 'grid against the raw limits (same run)',
        name: `restore ${label}: wire rate / raw 3 → 1 fan-in`,
        value: (down * read) / fanIn,
        unit: 'fraction',
        note: `${(down * read).toFixed(2)} MB/s read from peers against ${fanIn.toFixed(2)} MB/s raw`,
      });
    }
  }
  if (bare !== undefined && fanOut !== undefined) {
    // Why the Tahoe ratios cannot be met here: 1.5 × Tahoe's 13 MB/s upload is ~65 MB/s of shares on the wire.
    out.push({
      section: 'grid against the raw limits (same run)',
      name: 'wire needed for 1.5 × Tahoe upload (64 MiB) / bare channel',
      value: (1.5 * 13 * (DEFAULT_N * computeShareSize({ k: DEFAULT_K, n: DEFAULT_N, segmentSize: DEFAULT_SEGMENT_BYTES }, 64 * MiB)) / (64 * MiB)) / bare,
      unit: '×',
      note: `above 1, the upload goal asks for more than one bare RTCDataChannel carries on this machine now (${bare.toFixed(2)} MB/s)`,
    });
  }
  return out;
}
