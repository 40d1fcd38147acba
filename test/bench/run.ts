/**
 * `npm run bench [-- filter…]`: runs every test/bench/*.bench.ts in name order (or those whose
 * name contains one of the filters), each exporting `run(report)`; prints one table (ratio =
 * value/anchor where an anchor is given) and, last, one line of JSON with every figure.
 */
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { derive } from './_derived.js';

export interface BenchRow {
  section: string;
  name: string;
  value: number;
  unit: string;
  anchor?: number;
  note?: string;
}
type Report = (row: BenchRow) => void;
interface BenchModule { run(report: Report): Promise<void> }
interface Result extends BenchRow { ratio?: number }

const HERE = dirname(fileURLToPath(import.meta.url));

function formatNumber(n: number | undefined): string {
  if (n === undefined) return '';
  if (!Number.isFinite(n)) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return n.toExponential(3);
  return Number(n.toPrecision(4)).toString();
}

function printTable(results: Result[]): void {
  const header = ['section', 'name', 'value', 'unit', 'anchor', 'ratio'];
  const rows = results.map((r) => [r.section, r.name, formatNumber(r.value), r.unit, formatNumber(r.anchor), formatNumber(r.ratio)]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const numeric = new Set([2, 4, 5]);
  const line = (cells: string[]): string =>
    cells.map((c, i) => (numeric.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const row of rows) console.log(line(row));
  const notes = results.filter((r) => r.note !== undefined && r.note !== '');
  if (notes.length > 0) {
    console.log('');
    for (const r of notes) console.log(`note: ${r.section} / ${r.name}: ${r.note}`);
  }
}

async function main(): Promise<void> {
  const filters = process.argv.slice(2);
  const files = readdirSync(HERE)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
    .sort();
  if (files.length === 0) {
    console.error(filters.length === 0 ? 'No test/bench/*.bench.ts files.' : `No bench file matches ${filters.join(', ')}.`);
    process.exit(1);
  }

  const results: Result[] = [];
  const failures: { file: string; error: string }[] = [];
  for (const file of files) {
    const started = performance.now();
    console.error(`running ${file} …`);
    const report: Report = (row) => {
      if (typeof row.value !== 'number' || !Number.isFinite(row.value)) {
        throw new TypeError(`${file} reported a non-finite value for "${row.section} / ${row.name}"`);
      }
      const ratio = row.anchor !== undefined && row.anchor !== 0 ? row.value / row.anchor : undefined;
      results.push({ ...row, ...(ratio !== undefined ? { ratio } : {}) });
    };
    try {
      const mod = (await import(pathToFileURL(join(HERE, file)).href)) as Partial<BenchModule>;
      if (typeof mod.run !== 'function') throw new TypeError(`${file} does not export run(report)`);
      await mod.run(report);
      console.error(`  done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      failures.push({ file, error });
      console.error(`  FAILED: ${error}`);
    }
  }

  for (const row of derive(results)) results.push({ ...row, ...(row.anchor !== undefined ? { ratio: row.value / row.anchor } : {}) });
  console.log('');
  printTable(results);
  for (const f of failures) console.log(`FAILED: ${f.file}: ${f.error}`);
  console.log(JSON.stringify({ results, failures }));
  if (failures.length > 0) process.exitCode = 1;
}

await main();
