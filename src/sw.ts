/**
 * The service worker, built into /sw.js by vite-plugin-pwa (injectManifest). It precaches the app
 * shell (the built files of this version, listed into `self.__WB_MANIFEST` at build time) and
 * answers every navigation with the cached index.html, so the app and a readcap link (`/#…`) open
 * with no network. It caches nothing else: shares live in IndexedDB and travel over WebRTC, and a
 * cap sits in the URL fragment, which no request carries. A new version waits for the page's word.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { isSkipWaitingMessage, NAVIGATION_DENYLIST } from './adapters/pwa/protocol.js';

/** The parts of ServiceWorkerGlobalScope used here (the project's lib is DOM, not WebWorker). */
interface ServiceWorkerScope {
  readonly __WB_MANIFEST: Array<PrecacheEntry | string>;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
declare const self: ServiceWorkerScope;

precacheAndRoute(self.__WB_MANIFEST);
// Precaches of earlier workbox versions' formats are deleted; this version's own old entries are
// dropped by precacheAndRoute when it activates.
cleanupOutdatedCaches();

registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [...NAVIGATION_DENYLIST] }));

// The first version takes the open tabs at once, so their later requests (workers, lazy chunks)
// come from the cache too; a later version waits until the person applies it (update prompt), so
// no tab is switched to new code under an upload in progress.
clientsClaim();

self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting();
});
