/**
 * ICE servers as configuration of the signaling server (ARCHITECTURE.md §5 "Reach"): fixed STUN/TURN
 * entries, and TURN with coturn's time-limited credentials (the TURN REST API of
 * draft-uberti-behave-turn-rest, coturn's --use-auth-secret): username = "<expiry unix time>:<peer id>",
 * credential = base64(HMAC-SHA1(shared secret, username)). The server hands them out in `hello`
 * (fixed entries) and in `joined` (plus TURN credentials for the peer id that joined).
 */
import { createHmac } from 'node:crypto';
import { SIGNAL_MAX_ICE_SERVERS } from '../src/core/limits.js';
import { parseIceServers, type IceServer } from '../src/core/wire/signal.js';

/** Lifetime of minted TURN credentials: coturn refuses them after expiry (a tab re-joins, and so renews, on every reconnect). */
export const TURN_DEFAULT_TTL_SECONDS = 24 * 60 * 60;

export interface TurnRestConfig {
  /** turn: or turns: URLs of the coturn server(s) sharing one secret. */
  urls: string[];
  /** coturn's static-auth-secret. */
  secret: string;
  ttlSeconds: number;
}

/** coturn REST credentials for `user` valid until `expiresAt` (Unix seconds). */
export function turnRestCredentials(secret: string, user: string, expiresAt: number): { username: string; credential: string } {
  const username = `${Math.floor(expiresAt)}:${user}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}

/**
 * The `iceServers` option of attachSignaling: the fixed servers for `hello` (peer null), and for a
 * peer that joined, the same plus TURN with credentials naming it.
 */
export function iceServersFor(fixed: IceServer[], turn: TurnRestConfig | undefined, now: () => number = Date.now): (peer: string | null) => IceServer[] {
  if (!turn) return () => fixed;
  return (peer) => {
    if (peer === null) return fixed;
    return [...fixed, { urls: turn.urls, ...turnRestCredentials(turn.secret, peer, now() / 1000 + turn.ttlSeconds) }];
  };
}

/**
 * Reads the ICE configuration from the environment (signaling/main.ts):
 *   BRIC_ICE_SERVERS  JSON list of RTCIceServer entries handed out as they are (STUN, or TURN with fixed credentials)
 *   BRIC_TURN_URL     comma-separated turn:/turns: URLs of a coturn using --use-auth-secret …
 *   BRIC_TURN_SECRET  … and its static-auth-secret (required with BRIC_TURN_URL)
 *   BRIC_TURN_TTL     lifetime of the credentials in seconds (default 86400)
 * Throws an Error that names the variable and what is wrong with it.
 */
export function iceConfigFromEnv(env: Record<string, string | undefined>): { iceServers: IceServer[] | ((peer: string | null) => IceServer[]); summary: string | null } {
  let fixed: IceServer[] = [];
  if (env.BRIC_ICE_SERVERS !== undefined && env.BRIC_ICE_SERVERS.trim() !== '') {
    let value: unknown;
    try {
      value = JSON.parse(env.BRIC_ICE_SERVERS);
    } catch {
      throw new Error('BRIC_ICE_SERVERS is not valid JSON: give a list such as [{"urls":"stun:stun.example.org:3478"}]');
    }
    try {
      fixed = parseIceServers(value);
    } catch (err) {
      throw new Error(`BRIC_ICE_SERVERS is not a list of ICE servers: ${(err as Error).message}`);
    }
  }
  let turn: TurnRestConfig | undefined;
  const url = env.BRIC_TURN_URL?.trim();
  if (url) {
    const urls = url.split(',').map((u) => u.trim()).filter((u) => u !== '');
    const secret = env.BRIC_TURN_SECRET ?? '';
    if (secret === '') throw new Error('BRIC_TURN_URL is set but BRIC_TURN_SECRET is not: give coturn\'s static-auth-secret');
    const ttlSeconds = env.BRIC_TURN_TTL === undefined ? TURN_DEFAULT_TTL_SECONDS : Number(env.BRIC_TURN_TTL);
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 60 || ttlSeconds > 7 * 24 * 3600) throw new Error('BRIC_TURN_TTL must be whole seconds between 60 and 604800');
    turn = { urls, secret, ttlSeconds };
    // The same checks a client applies to what it is given, with a sample credential.
    try {
      parseIceServers([...fixed, { urls, ...turnRestCredentials(secret, 'a'.repeat(26), 0) }]);
    } catch (err) {
      throw new Error(`BRIC_TURN_URL is not usable: ${(err as Error).message}`);
    }
    if (!urls.every((u) => /^turns?:/.test(u))) throw new Error('BRIC_TURN_URL must hold turn: or turns: URLs');
  } else if (env.BRIC_TURN_SECRET) {
    throw new Error('BRIC_TURN_SECRET is set but BRIC_TURN_URL is not: give the coturn server\'s turn: URL');
  }
  if (fixed.length + (turn ? 1 : 0) > SIGNAL_MAX_ICE_SERVERS) throw new Error(`at most ${SIGNAL_MAX_ICE_SERVERS} ICE servers in all`);
  const parts = [
    ...(fixed.length > 0 ? [`${fixed.length} ICE server(s) from BRIC_ICE_SERVERS`] : []),
    ...(turn ? [`TURN ${turn.urls.join(', ')} with credentials valid ${turn.ttlSeconds} s`] : []),
  ];
  // Without TURN a plain list: `hello` carries it and `joined` stays as it was.
  return { iceServers: turn ? iceServersFor(fixed, turn) : fixed, summary: parts.length > 0 ? `ICE: ${parts.join('; ')}` : null };
}
