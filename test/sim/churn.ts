/**
 * Durability under churn: runs the churn simulator (churn-model.ts) over bric's defaults and
 * around them and prints the results table that README.md "Durability under churn" records.
 *   npx tsx test/sim/churn.ts            the whole table (about a minute)
 *   npx tsx test/sim/churn.ts --seed 7   the same with another seed
 */
import { DEFAULT_HAPPY, DEFAULT_K, DEFAULT_N, REPAIR_CHECK_INTERVAL_MS } from '../../src/core/limits.js';
import { simulateChurn, type ChurnParams, type Lifetime } from './churn-model.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

interface Row {
  readonly label?: string;
  readonly params: Partial<ChurnParams>;
}

const seedArg = process.argv.indexOf('--seed');
const seed = seedArg >= 0 ? Number(process.argv[seedArg + 1]) : 1;
const hours = (l: Lifetime): string =>
  l.kind === 'lognormal' ? `lognormal, median ${fmtMs(l.medianMs)}, σ ${l.sigma}` : `exponential, mean ${fmtMs(l.meanMs)}`;

function fmtMs(ms: number): string {
  return ms >= HOUR ? `${ms / HOUR} h` : `${ms / MINUTE} min`;
}

const TABS_LIVING_HOURS: Lifetime = { kind: 'lognormal', medianMs: 2 * HOUR, sigma: 1 };
const base: ChurnParams = {
  seed,
  k: DEFAULT_K,
  happy: DEFAULT_HAPPY,
  n: DEFAULT_N,
  population: 20,
  lifetime: TABS_LIVING_HOURS,
  files: 200,
  lifetimes: 1000,
  repair: true,
  checkIntervalMs: REPAIR_CHECK_INTERVAL_MS,
};

const rows: Row[] = [
  { params: { repair: false } },
  { params: { checkIntervalMs: MINUTE } },
  { label: 'default', params: {} },
  { params: { checkIntervalMs: 30 * MINUTE } },
  { params: { checkIntervalMs: HOUR } },
  { params: { checkIntervalMs: 4 * HOUR } },
  { params: { checkIntervalMs: HOUR, threshold: DEFAULT_N } },
  { params: { repairDelayMs: 5 * MINUTE } },
  { params: { population: 12 } },
  { params: { population: 12, repair: false } },
  { params: { population: 50 } },
  { params: { population: 50, repair: false } },
  { params: { lifetime: { kind: 'exponential', meanMs: 3 * HOUR } } },
  { params: { lifetime: { kind: 'lognormal', medianMs: 30 * MINUTE, sigma: 1 } } },
  { params: { k: 2, happy: 4, n: 5 } },
  { params: { k: 5, happy: 8, n: 10 } },
];

console.log(`churn simulator: ${base.lifetimes} tab lifetimes after the uploads, ${base.files} files, seed ${seed}\n`);
console.log('| k/happy/N | tabs online | tab lifetime | repair (threshold) | check every | files lost | loss | repairs/file | shares written/file | hours simulated |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const row of rows) {
  const p: ChurnParams = { ...base, ...row.params };
  const r = simulateChurn(p);
  const repair = p.repair ? `on (< ${p.threshold ?? p.happy})${p.repairDelayMs ? `, ${fmtMs(p.repairDelayMs)} to repair` : ''}` : 'off';
  const cells = [
    `${p.k}/${p.happy}/${p.n}`,
    String(p.population),
    hours(p.lifetime),
    repair,
    p.repair ? fmtMs(p.checkIntervalMs) + (row.label === undefined ? '' : ` (${row.label})`) : '–',
    `${r.filesLost} of ${r.filesUploaded}`,
    `${(100 * r.lossFraction).toFixed(1)} %`,
    r.repairs === 0 ? '0' : (r.repairs / r.filesUploaded).toFixed(1),
    r.sharesWrittenPerFile.toFixed(1),
    (r.simulatedMs / HOUR).toFixed(0),
  ];
  console.log(`| ${cells.join(' | ')} |`);
}
