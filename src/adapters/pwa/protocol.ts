/**
 * What the page and the service worker (src/sw.ts) say to each other: the one message that lets a
 * waiting new version take over, and the paths the worker must leave to the network.
 */

/** Posted by the page to a waiting worker when the person chooses to update (workbox's own spelling). */
export const SKIP_WAITING_MESSAGE = { type: 'SKIP_WAITING' } as const;

export function isSkipWaitingMessage(data: unknown): boolean {
  return typeof data === 'object' && data !== null && (data as { type?: unknown }).type === SKIP_WAITING_MESSAGE.type;
}

/** The worker's script URL and scope: the site root, so it controls `/` and every readcap link `/#…`. */
export const SERVICE_WORKER_URL = '/sw.js';
export const SERVICE_WORKER_SCOPE = '/';

/**
 * Navigations that are not the app and must reach the server: the health check, the signaling
 * endpoint, and the browser test harness (test builds only).
 */
export const NAVIGATION_DENYLIST: readonly RegExp[] = [/^\/healthz(?:$|[/?])/, /^\/signal(?:$|[/?])/, /^\/test\//];
