/**
 * Who may open a signaling WebSocket: an Origin check (a browser on another site must not use its
 * visitors' tabs against this server) and a cap on sockets per client address (one machine cannot
 * take every slot). Decided at the HTTP upgrade, before any WebSocket exists (ws README
 * "Client authentication": answer and destroy in 'upgrade').
 */
import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

export interface GateInit {
  /**
   * Origins allowed besides the server's own (the Origin whose host is the request's Host): full
   * origins like `https://app.example`, or '*' for any. A request without Origin is not a browser's
   * page and is let through (it could send any Origin it liked). @default []
   */
  allowedOrigins: readonly string[];
  /** WebSockets open at once per client address (IPv6: per /64). @default SIGNAL_MAX_SOCKETS_PER_IP */
  maxSocketsPerIp: number;
  /**
   * Loopback clients count too. Off by default: on 127.0.0.1 the clients are this machine's own
   * (npm start, the tests, the load test's 1,000 sockets); behind a reverse proxy set trustProxy.
   * @default false
   */
  limitLoopback: boolean;
  /** Take the client address from the last X-Forwarded-For entry (the proxy's view). @default false */
  trustProxy: boolean;
}

export type Verdict = { ok: true; address: string } | { ok: false; status: 403 | 429; reason: string };

export interface Gate {
  /** Whether this upgrade may go on; when it may, call `opened(address)` once the socket exists. */
  admit(req: IncomingMessage): Verdict;
  opened(address: string): void;
  closed(address: string): void;
  /** Sockets counted per address now (for stats and tests). */
  readonly addresses: number;
}

export function createGate(init: GateInit): Gate {
  const open = new Map<string, number>();
  const allowed = new Set(init.allowedOrigins.map((o) => o.toLowerCase()));
  return {
    admit(req) {
      const origin = req.headers.origin;
      if (origin !== undefined && !originAllowed(origin, req.headers.host, allowed)) {
        return { ok: false, status: 403, reason: `the origin ${origin.slice(0, 100)} may not use this signaling server` };
      }
      const address = clientAddress(req, init.trustProxy);
      if (!init.limitLoopback && isLoopback(address)) return { ok: true, address };
      if ((open.get(address) ?? 0) >= init.maxSocketsPerIp) {
        return { ok: false, status: 429, reason: `more than ${init.maxSocketsPerIp} connections from one address` };
      }
      return { ok: true, address };
    },
    opened(address) {
      if (!init.limitLoopback && isLoopback(address)) return;
      open.set(address, (open.get(address) ?? 0) + 1);
    },
    closed(address) {
      const n = open.get(address);
      if (n === undefined) return;
      if (n <= 1) open.delete(address);
      else open.set(address, n - 1);
    },
    get addresses() {
      return open.size;
    },
  };
}

/** Same origin (its host is the Host the request was sent to), listed, or a loopback page talking to a loopback server (dev servers on another port). */
export function originAllowed(origin: string, host: string | undefined, allowed: ReadonlySet<string>): boolean {
  if (allowed.has('*') || allowed.has(origin.toLowerCase())) return true;
  const url = URL.parse(origin);
  if (url === null || (url.protocol !== 'http:' && url.protocol !== 'https:')) return false;
  if (host !== undefined && url.host.toLowerCase() === host.toLowerCase()) return true;
  const hostName = host === undefined ? undefined : URL.parse(`http://${host}`)?.hostname;
  return hostName !== undefined && isLoopbackName(url.hostname) && isLoopbackName(hostName);
}

/** The address limits count by: the socket's peer (or the proxy's last X-Forwarded-For hop), IPv6 cut to its /64. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  let address = req.socket.remoteAddress ?? 'unknown';
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const last = (Array.isArray(forwarded) ? forwarded.join(',') : (forwarded ?? '')).split(',').pop()?.trim();
    if (last !== undefined && isIP(last) !== 0) address = last;
  }
  if (address.startsWith('::ffff:') && isIP(address.slice(7)) === 4) return address.slice(7);
  if (isIP(address) === 6 && address !== '::1') return `${expandV6(address).slice(0, 4).join(':')}::/64`;
  return address;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1';
}

function isLoopbackName(name: string): boolean {
  return name === 'localhost' || name.startsWith('127.') || name === '[::1]' || name === '::1';
}

/** The eight 4-digit groups of an IPv6 address (`::` expanded). */
function expandV6(address: string): string[] {
  const [head = '', tail = ''] = address.split('%')[0]!.split('::');
  const a = head === '' ? [] : head.split(':');
  const b = address.includes('::') ? (tail === '' ? [] : tail.split(':')) : [];
  const groups = [...a, ...Array<string>(Math.max(0, 8 - a.length - b.length)).fill('0'), ...b];
  return groups.map((g) => g.padStart(4, '0').toLowerCase());
}
