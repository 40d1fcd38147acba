/**
 * `npm start`: builds the app when dist/ is missing or stale, then serves on ONE port the built
 * app (./http.ts), `GET /healthz`, and the signaling WebSocket at `/signal` (./server.ts).
 * PORT (default 8080) and HOST (default 127.0.0.1) come from the environment; BRIC_MODE=test
 * serves the test build (dist-test/, with the browser harness) instead. ICE servers for peers come from
 * BRIC_ICE_SERVERS, BRIC_TURN_URL + BRIC_TURN_SECRET (+ BRIC_TURN_TTL): see ./turn.ts. Who may connect
 * (./gate.ts): BRIC_ALLOWED_ORIGINS (comma-separated, besides the server's own), BRIC_MAX_SOCKETS_PER_IP,
 * BRIC_TRUST_PROXY=1 behind a reverse proxy. Test mode only: BRIC_SIGNAL_CAPTURE=<file> (./capture.ts).
 */
import { readdir, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fileCapture, requestText, type Capture } from './capture.js';
import { createStaticHandler, setSecurityHeaders } from './http.js';
import { attachSignaling } from './server.js';
import { iceConfigFromEnv } from './turn.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const TEST_MODE = process.env.BRIC_MODE === 'test';
/** Must match build.outDir in vite.config.ts for each mode. */
const DIST = process.env.BRIC_DIST_DIR !== undefined ? join(ROOT, process.env.BRIC_DIST_DIR) : join(ROOT, TEST_MODE ? 'dist-test' : 'dist');
const PORT = Number(process.env.PORT ?? 8080);
const HOST = process.env.HOST ?? '127.0.0.1';

/** Admission and capture settings from the environment (a bad one stops the start with its reason). */
function gateFromEnv(env: NodeJS.ProcessEnv): { allowedOrigins: string[]; maxSocketsPerIp?: number; trustProxy: boolean; capture?: Capture } {
  const allowedOrigins = (env.BRIC_ALLOWED_ORIGINS ?? '').split(',').map((o) => o.trim()).filter((o) => o.length > 0);
  for (const o of allowedOrigins) if (o !== '*' && URL.parse(o)?.origin !== o) throw new RangeError(`BRIC_ALLOWED_ORIGINS: "${o}" is not an origin like https://app.example`);
  const max = env.BRIC_MAX_SOCKETS_PER_IP;
  if (max !== undefined && !/^[1-9]\d{0,6}$/.test(max)) throw new RangeError(`BRIC_MAX_SOCKETS_PER_IP must be a whole number ≥ 1, got "${max}"`);
  const capturePath = env.BRIC_SIGNAL_CAPTURE;
  if (capturePath !== undefined && env.BRIC_MODE !== 'test') throw new Error('BRIC_SIGNAL_CAPTURE records what clients send: it works only with BRIC_MODE=test, never in production');
  return {
    allowedOrigins,
    ...(max === undefined ? {} : { maxSocketsPerIp: Number(max) }),
    trustProxy: env.BRIC_TRUST_PROXY === '1',
    ...(capturePath === undefined || capturePath === '' ? {} : { capture: fileCapture(capturePath) }),
  };
}

/** Everything a build reads; a newer file than the built index.html means a rebuild. */
const BUILD_INPUTS = ['index.html', 'src', 'public', 'vite.config.ts', 'svelte.config.js', 'package.json', 'package-lock.json',
  ...(TEST_MODE ? ['test/browser'] : [])];

async function newestMtime(path: string): Promise<number> {
  const s = await stat(path).catch(() => undefined);
  if (s === undefined) return 0;
  if (!s.isDirectory()) return s.mtimeMs;
  let newest = s.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

async function ensureBuilt(): Promise<void> {
  const built = await stat(join(DIST, 'index.html')).catch(() => undefined);
  // A second server over a build another one just checked (test/e2e/privacy.spec.ts): never rebuild under it.
  if (built !== undefined && process.env.BRIC_SKIP_BUILD === '1') return;
  let reason: string | undefined;
  if (built === undefined) {
    reason = `${DIST} is missing`;
  } else {
    const times = await Promise.all(BUILD_INPUTS.map((p) => newestMtime(join(ROOT, p))));
    if (Math.max(...times) > built.mtimeMs) reason = `the sources changed since ${DIST} was built`;
  }
  if (reason === undefined) return;
  console.log(`Building the app with Vite (${reason}) …`);
  // Vite is loaded only when a build is needed: serving an up-to-date dist/ stays light.
  const { build } = await import('vite');
  await build({ root: ROOT, mode: TEST_MODE ? 'test' : 'production', logLevel: 'warn' });
}

async function main(): Promise<void> {
  if (!Number.isInteger(PORT) || PORT < 0 || PORT > 65535) throw new RangeError(`PORT must be a port number, got "${process.env.PORT}"`);
  const ice = iceConfigFromEnv(process.env); // a bad setting stops the start with its reason
  const gate = gateFromEnv(process.env);
  await ensureBuilt();

  const serveStatic = createStaticHandler(DIST);
  const server = createServer((req, res) => {
    gate.capture?.({ kind: 'http', from: req.socket.remoteAddress ?? '', text: requestText(req) });
    setSecurityHeaders(res);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/healthz') {
      const body = JSON.stringify({ ok: true, ...signaling.stats() });
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    serveStatic(req, res).catch((err: unknown) => {
      console.error('static serving failed:', err);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });

  const signaling = attachSignaling(server, { log: (line) => console.log(line), iceServers: ice.iceServers, ...gate });
  if (ice.summary !== null) console.log(ice.summary);
  if (gate.capture !== undefined) console.log(`test mode: capturing everything received to ${process.env.BRIC_SIGNAL_CAPTURE}`);

  server.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EADDRINUSE') console.error(`Port ${PORT} on ${HOST} is already in use; set PORT to another one.`);
    else console.error(`The server failed: ${err.message}`);
    process.exit(1);
  });

  await new Promise<void>((ready) => server.listen(PORT, HOST, ready));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : PORT;
  const shownHost = HOST.includes(':') ? `[${HOST}]` : HOST;
  console.log(`bric is serving on http://${shownHost}:${port}/ (signaling at /signal)`);

  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping`);
    // Open WebSockets and keep-alive sockets would hold close() open; end them, but never hang.
    setTimeout(() => process.exit(0), 3000).unref();
    void signaling.close().catch(() => {});
    server.close(() => process.exit(0));
    server.closeAllConnections();
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
