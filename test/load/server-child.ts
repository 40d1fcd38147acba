/**
 * The server side of `npm run load`, run as its own process (forked with an IPC channel by
 * ./signaling-load.ts): the real signaling server (attachSignaling, default limits) on
 * 127.0.0.1 port 0 with `/healthz`. Answers the parent's requests for samples: the server's
 * counters, RSS, peak RSS (VmHWM from /proc, resettable through clear_refs), heap and CPU time.
 * Exits when told to, when the parent goes away, or after 15 minutes whatever happens.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { attachSignaling } from '../../signaling/server.js';

export interface ServerSample {
  stats: Record<string, number>;
  rssBytes: number;
  /** Peak RSS since start or the last reset-peak (Linux VmHWM); the current RSS elsewhere. */
  peakRssBytes: number;
  heapUsedBytes: number;
  /** Memory of ArrayBuffers and Buffers (socket data lives there, outside the heap). */
  arrayBuffersBytes: number;
  cpuMs: number;
}

export type ParentRequest = { type: 'sample'; gc?: boolean } | { type: 'reset-peak' } | { type: 'stop' };
export type ChildReply = { type: 'ready'; port: number } | ({ type: 'sample' } & ServerSample) | { type: 'peak-reset'; ok: boolean };

function statusKiB(field: string): number | undefined {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined; // not Linux
  }
}

function sample(sig: ReturnType<typeof attachSignaling>): ServerSample {
  const mem = process.memoryUsage();
  const cpu = process.cpuUsage();
  return {
    stats: sig.stats(),
    rssBytes: mem.rss,
    peakRssBytes: statusKiB('VmHWM') ?? mem.rss,
    heapUsedBytes: mem.heapUsed,
    arrayBuffersBytes: mem.arrayBuffers,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('server-child.ts is started by signaling-load.ts with an IPC channel');
  const reply = (m: ChildReply): void => void process.send!(m);
  const server = http.createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      return void res.end(JSON.stringify({ ok: true, ...sig.stats() }));
    }
    res.writeHead(404).end();
  });
  const sig = attachSignaling(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));

  const stop = (): void => {
    void sig.close().finally(() => {
      server.closeAllConnections();
      server.close(() => process.exit(0));
    });
    setTimeout(() => process.exit(0), 3000).unref();
  };
  setTimeout(() => process.exit(3), 15 * 60_000).unref();
  process.on('disconnect', stop);
  process.on('message', (m: ParentRequest) => {
    if (m.type === 'stop') return stop();
    if (m.type === 'reset-peak') {
      // Writing 5 to clear_refs resets VmHWM to the current RSS (Linux ≥ 4.0, proc(5)).
      let ok = true;
      try {
        writeFileSync('/proc/self/clear_refs', '5');
      } catch {
        ok = false;
      }
      return reply({ type: 'peak-reset', ok });
    }
    if (m.gc) (globalThis as { gc?: () => void }).gc?.();
    reply({ type: 'sample', ...sample(sig) });
  });
  reply({ type: 'ready', port: (server.address() as AddressInfo).port });
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
