/**
 * Registers the service worker (src/sw.ts, served as /sw.js) and tells the UI, through a tiny
 * Svelte-compatible store, when a new version of the app is waiting; `applyUpdate()` lets it take
 * over and reloads this tab into it. Production builds always register; test builds only when a
 * test opts in (localStorage `bric-sw` = `on`), so other browser tests run without a worker.
 */
import { SERVICE_WORKER_SCOPE, SERVICE_WORKER_URL, SKIP_WAITING_MESSAGE } from './protocol.js';

/**
 * - `none`: nothing to do (no worker, or this tab runs the newest version);
 * - `waiting`: a new version is installed and waits for the person's word;
 * - `applying`: it was told to take over; this tab reloads as soon as it has;
 * - `reload-needed`: another tab applied a new version; this tab still runs the old page.
 */
export type UpdateState = 'none' | 'waiting' | 'applying' | 'reload-needed';

export interface PwaStatus {
  readonly update: UpdateState;
  /** True once a worker is active: the app shell is cached and opens with no network. */
  readonly offlineReady: boolean;
}

/** localStorage key a test build reads before registering (see the module comment). */
export const TEST_OPT_IN_KEY = 'bric-sw';

/** Tabs stay open for days as storage nodes: look for a new version this often, besides each load. */
const UPDATE_CHECK_INTERVAL_MS = 60 * 60 * 1000;

type Subscriber = (status: PwaStatus) => void;

let status: PwaStatus = { update: 'none', offlineReady: false };
const subscribers = new Set<Subscriber>();

function setStatus(next: Partial<PwaStatus>): void {
  status = { ...status, ...next };
  for (const run of subscribers) run(status);
}

/** The store contract Svelte's `$pwaStatus` syntax expects: call at once, then on every change. */
export const pwaStatus = {
  subscribe(run: Subscriber): () => void {
    run(status);
    subscribers.add(run);
    return () => {
      subscribers.delete(run);
    };
  },
};

let started = false;
let registration: ServiceWorkerRegistration | undefined;
let reloading = false;

function reloadOnce(): void {
  if (reloading) return;
  reloading = true;
  location.reload();
}

function wanted(): boolean {
  if (!('serviceWorker' in navigator) || !import.meta.env.PROD) return false; // the dev server serves no /sw.js
  if (import.meta.env.MODE !== 'test') return true;
  try {
    return localStorage.getItem(TEST_OPT_IN_KEY) === 'on';
  } catch {
    return false;
  }
}

/** A worker that finished installing while an older one is active waits for the person's word. */
function watchInstalling(reg: ServiceWorkerRegistration): void {
  const worker = reg.installing;
  if (worker === null) return;
  worker.addEventListener('statechange', () => {
    if (worker.state === 'installed' && reg.waiting === worker && reg.active !== null) {
      if (status.update !== 'applying') setStatus({ update: 'waiting' });
    } else if (worker.state === 'activated') {
      setStatus({ offlineReady: true });
    }
  });
}

async function register(): Promise<void> {
  const container = navigator.serviceWorker;
  let hadController = container.controller !== null;
  container.addEventListener('controllerchange', () => {
    // The first version claiming this page is not an update; any later change is.
    if (!hadController) {
      hadController = true;
      return;
    }
    if (status.update === 'applying') reloadOnce();
    else setStatus({ update: 'reload-needed' });
  });

  // updateViaCache 'none': the browser checks sw.js itself with the server, never its HTTP cache.
  const reg = await container.register(SERVICE_WORKER_URL, { scope: SERVICE_WORKER_SCOPE, updateViaCache: 'none' });
  registration = reg;
  if (reg.active !== null) setStatus({ offlineReady: true });
  // A version that was already waiting when this page loaded (installed by an earlier visit).
  if (reg.waiting !== null && reg.active !== null) setStatus({ update: 'waiting' });
  watchInstalling(reg);
  reg.addEventListener('updatefound', () => watchInstalling(reg));

  setInterval(() => {
    reg.update().catch(() => undefined); // offline or server away: the next check tries again
  }, UPDATE_CHECK_INTERVAL_MS);
}

/** Registers the service worker once per page; later calls do nothing. Never throws. */
export function startServiceWorker(): void {
  if (started) return;
  started = true;
  if (!wanted()) return;
  register().catch((err: unknown) => {
    // Without a worker the app still runs online; only offline opening and updates are lost.
    console.warn('bric: the service worker could not be registered:', err instanceof Error ? err.message : err);
  });
}

/** Lets the waiting version take over; this tab reloads into it once it has. */
export function applyUpdate(): void {
  const waiting = registration?.waiting ?? null;
  if (waiting === null) {
    // Nothing waits any more (another tab applied it first): the newest version is a reload away.
    reloadOnce();
    return;
  }
  setStatus({ update: 'applying' });
  // An uncontrolled tab (opened with a hard reload) sees no controllerchange: reload on activation.
  waiting.addEventListener('statechange', () => {
    if (waiting.state === 'activated') reloadOnce();
  });
  waiting.postMessage(SKIP_WAITING_MESSAGE);
}

/** Reloads this tab (for `reload-needed`: another tab already switched to the new version). */
export function reloadIntoNewVersion(): void {
  reloadOnce();
}
