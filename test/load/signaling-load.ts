/**
 * `npm run load [-- --sockets N --rooms N --fuzz N --seed N]`: the signaling server under load and
 * attack, from a second process on loopback. Forks the real server (./server-child.ts), then from
 * this process: 1,000 sockets in 100 rooms relay signals (messages/s, p50/p99 relay latency, the
 * server's peak RSS and CPU per relay); then ≥ 100,000 hostile messages (./fuzzer.ts); then checks
 * the server is alive, healthy, has let go of every socket and room, and still relays for a fresh
 * pair. Prints a table and, last, one JSON line; exits non-zero if any check failed. Bounded: a
 * fixed number of messages, a 15-minute cap, and it stops the server itself.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fuzzSignaling } from './fuzzer.js';
import { checkPair } from './pair.js';
import type { ChildReply, ParentRequest, ServerSample } from './server-child.js';
import { runSwarm } from './swarm.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const MiB = 1024 * 1024;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${name} must be a positive integer`);
  return v;
}

const SOCKETS = arg('sockets', 1000);
const ROOMS = arg('rooms', 100);
const FUZZ = arg('fuzz', 100_000);
const SEED = arg('seed', 1);

/**
 * Each socket is a file descriptor in this process and in the server (ulimit -n). Node raises its
 * own soft limit to the hard limit when it starts, so only the hard limit can stop a run, and only
 * root can raise that: say so plainly rather than fail midway with EMFILE.
 */
function checkFileLimit(): void {
  const needed = SOCKETS + 512;
  const m = /^Max open files\s+(\d+|unlimited)\s+(\d+|unlimited)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
  const soft = m?.[1] === 'unlimited' ? Infinity : Number(m?.[1] ?? Infinity);
  if (soft >= needed) return;
  throw new Error(`${SOCKETS} sockets need ${needed} open files, but this process may open ${soft} (ulimit -n; Node already raised it to the hard limit). Raise the hard limit as root (ulimit -Hn ${needed}, or LimitNOFILE / nofile in limits.conf) or run with --sockets ${Math.max(1, soft - 512)}.`);
}

class ServerProcess {
  private readonly child: ChildProcess;
  private readonly waiters: Array<{ resolve: (m: ChildReply) => void; reject: (e: Error) => void }> = [];
  exited: string | null = null;

  constructor() {
    // tsx as an import hook, resolved from here, so the child runs the TypeScript source as this process does.
    this.child = fork(join(HERE, 'server-child.ts'), [], { execArgv: ['--expose-gc', '--import', import.meta.resolve('tsx')], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.child.on('message', (m: ChildReply) => this.waiters.shift()?.resolve(m));
    this.child.on('exit', (code, signal) => {
      this.exited = signal ?? `exit ${code}`;
      for (const w of this.waiters.splice(0)) w.reject(new Error(`the server process ended (${this.exited})`));
    });
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** The child's next message (messages come one per request, in order). */
  next(): Promise<ChildReply> {
    return new Promise((resolve, reject) => {
      if (this.exited !== null) return reject(new Error(`the server process ended (${this.exited})`));
      this.waiters.push({ resolve, reject });
    });
  }

  async ask(m: ParentRequest): Promise<ChildReply> {
    const reply = this.next();
    this.child.send(m);
    return reply;
  }

  async sample(gc = false): Promise<ServerSample> {
    const r = await this.ask({ type: 'sample', gc });
    if (r.type !== 'sample') throw new Error(`unexpected reply ${r.type}`);
    return r;
  }

  async stop(): Promise<void> {
    if (this.exited !== null) return;
    const gone = new Promise((r) => this.child.once('exit', r));
    this.child.send({ type: 'stop' } satisfies ParentRequest);
    await gone;
  }
}

interface Row { section: string; name: string; value: number; unit: string; note?: string }

function printTable(rows: Row[]): void {
  const fmt = (n: number): string => (Number.isInteger(n) ? String(n) : Number(n.toPrecision(4)).toString());
  const cells = rows.map((r) => [r.section, r.name, fmt(r.value), r.unit]);
  const header = ['section', 'name', 'value', 'unit'];
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const line = (c: string[]): string => c.map((x, i) => (i === 2 ? x.padStart(widths[i]!) : x.padEnd(widths[i]!))).join('  ').trimEnd();
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const c of cells) console.log(line(c));
  for (const r of rows) if (r.note) console.log(`note: ${r.section} / ${r.name}: ${r.note}`);
}

async function main(): Promise<void> {
  try {
    checkFileLimit();
  } catch (err) {
    console.error((err as Error).message);
    process.exitCode = 1;
    return;
  }
  const hardStop = setTimeout(() => {
    console.error('the load run took over 15 minutes: stopping');
    process.exit(2);
  }, 15 * 60_000);
  hardStop.unref();

  const server = new ServerProcess();
  const ready = await server.next();
  if (ready.type !== 'ready') throw new Error('the server process did not start');
  const url = `ws://127.0.0.1:${ready.port}/signal`;
  console.error(`server pid ${server.pid} on ${url}; this client pid ${process.pid}`);
  const rows: Row[] = [];
  const failures: string[] = [];
  const report = (section: string, name: string, value: number, unit: string, note?: string): void => void rows.push({ section, name, value, unit, ...(note ? { note } : {}) });
  const check = (ok: boolean, what: string): void => void (ok || failures.push(what));

  try {
    const base = await server.sample(true);
    const cpu: Record<string, number> = {};
    const swarm = await runSwarm({
      url, sockets: SOCKETS, rooms: ROOMS, log: (l) => console.error(l),
      aroundPhase: async (phase, when) => void (cpu[`${phase}-${when}`] = (await server.sample()).cpuMs),
    });
    const afterLoad = await server.sample();
    const S = 'signaling load';
    report(S, 'sockets open at once', SOCKETS, 'sockets', `${ROOMS} rooms of ${SOCKETS / ROOMS}`);
    report(S, 'open all sockets', swarm.openMs, 'ms');
    report(S, 'join all rooms', swarm.joinMs, 'ms');
    report(S, 'relay burst', swarm.burst.perSecond, 'msg/s', `${swarm.burst.delivered} of ${swarm.burst.sent} relayed, ${swarm.burst.lost} lost, refused ${JSON.stringify(swarm.burst.refused)}`);
    report(S, 'server CPU per relay (burst)', ((cpu['burst-end']! - cpu['burst-start']!) * 1000) / Math.max(1, swarm.burst.delivered), 'µs');
    report(S, 'relay latency p50 (paced)', swarm.paced.latencyMs.p50, 'ms', `${swarm.paced.sent} signals at ${(swarm.paced.sent / 5).toFixed(0)}/s; latency is send→receive, both ends in the client process`);
    report(S, 'relay latency p99 (paced)', swarm.paced.latencyMs.p99, 'ms');
    report(S, 'relay latency max (paced)', swarm.paced.latencyMs.max, 'ms');
    report(S, 'server RSS before', base.rssBytes / MiB, 'MiB');
    report(S, 'server peak RSS (load)', afterLoad.peakRssBytes / MiB, 'MiB', 'VmHWM of the server process');
    check(swarm.burst.lost === 0 && swarm.paced.lost === 0, 'signals were lost under load');
    check(swarm.burst.delivered === swarm.burst.sent && swarm.paced.delivered === swarm.paced.sent, 'the server refused well-behaved signals under load');

    // Two rounds of half the messages each: if memory were not bounded, the second would grow it as the first did.
    const beforeFuzz = await server.sample(true);
    await server.ask({ type: 'reset-peak' });
    const F = 'signaling fuzz';
    let sent = 0;
    let fuzzMs = 0;
    let previous = beforeFuzz;
    for (let round = 1; round <= 2; round++) {
      const t0 = performance.now();
      const messages = round === 1 ? Math.ceil(FUZZ / 2) : Math.floor(FUZZ / 2);
      const tally = await fuzzSignaling({ url, messages, concurrency: 64, seed: SEED * 10 + round, onProgress: (n) => console.error(`fuzz round ${round}: ${n} sent`) });
      fuzzMs += performance.now() - t0;
      sent += tally.sent;
      // The server hears the last closes a moment after the clients.
      let after = await server.sample(true);
      for (let i = 0; i < 100 && after.stats.sockets! > 0; i++) after = await new Promise((r) => setTimeout(r, 50)).then(() => server.sample(true));
      const d = (k: string): number => after.stats[k]! - previous.stats[k]!;
      const counted = [
        d('malformed') === tally.replies.malformed,
        d('rateLimited') === (tally.replies['rate-limited'] ?? 0),
        d('closedForAbuse') === (tally.closes[1008] ?? 0),
        d('socketErrors') === (tally.closes[1002] ?? 0) + (tally.closes[1007] ?? 0) + (tally.closes[1009] ?? 0),
        d('relayed') === tally.relaysReceived,
        d('connections') === tally.upgraded,
      ];
      const left = after.stats.sockets! + after.stats.rooms! + after.stats.peers!;
      report(F, `round ${round}: hostile messages`, tally.sent, 'messages', `${Object.keys(tally.families).length} families; sessions ${JSON.stringify(tally.sessions)}; closes ${JSON.stringify(tally.closes)}`);
      report(F, `round ${round}: sockets opened`, tally.upgraded, 'sockets');
      report(F, `round ${round}: unexpected outcomes`, tally.surprises, 'count', tally.surpriseExamples.slice(0, 3).join(' | '));
      report(F, `round ${round}: server counters = client tally`, counted.every(Boolean) ? 1 : 0, 'ok', 'malformed, rate-limited, 1008/1002/1007/1009 closes, relays, connections');
      report(F, `round ${round}: sockets, rooms, peers left`, left, 'count');
      report(F, `round ${round}: server RSS after (GC)`, after.rssBytes / MiB, 'MiB', `heap ${(after.heapUsedBytes / MiB).toFixed(1)} MiB, buffers ${(after.arrayBuffersBytes / MiB).toFixed(1)} MiB`);
      check(tally.surprises === 0, `round ${round}: ${tally.surprises} unexpected outcomes: ${tally.surpriseExamples.slice(0, 5).join(' | ')}`);
      check(counted.every(Boolean), `round ${round}: the server's counters do not match what the clients saw (${counted.join(', ')})`);
      check(left === 0, `round ${round}: the server kept sockets, rooms or peers after they closed`);
      previous = after;
    }
    const peak = await server.sample();
    report(F, 'rate', (sent / fuzzMs) * 1000, 'msg/s', 'one at a time per socket, each outcome awaited and checked');
    report(F, 'server RSS before (GC)', beforeFuzz.rssBytes / MiB, 'MiB', `heap ${(beforeFuzz.heapUsedBytes / MiB).toFixed(1)} MiB`);
    report(F, 'server peak RSS (fuzz)', peak.peakRssBytes / MiB, 'MiB');

    const pair = await checkPair(url);
    const health = await fetch(`http://127.0.0.1:${ready.port}/healthz`).then(async (r) => ({ status: r.status, body: (await r.json()) as { ok?: boolean } }), (e: Error) => ({ status: 0, body: { error: e.message } as { ok?: boolean } }));
    const H = 'after all';
    report(H, 'server process crashes', server.exited === null ? 0 : 1, 'count');
    report(H, 'healthz', health.status, 'HTTP status');
    report(H, 'fresh pair relays', pair === 'relayed both ways' ? 1 : 0, 'ok', pair);
    check(server.exited === null, `the server process ended: ${server.exited}`);
    check(health.status === 200 && health.body.ok === true, 'healthz is not 200 ok');
    check(pair === 'relayed both ways', `a fresh pair could not relay: ${pair}`);
  } catch (err) {
    failures.push(err instanceof Error ? err.message : String(err));
  } finally {
    await server.stop().catch(() => undefined);
  }
  console.log('');
  printTable(rows);
  for (const f of failures) console.log(`FAILED: ${f}`);
  console.log(JSON.stringify({ results: rows, failures }));
  if (failures.length > 0) process.exitCode = 1;
}

await main();
