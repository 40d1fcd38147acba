/**
 * The service worker, built into /sw.js by vite-plugin-pwa (injectManifest). It precaches the app
 * shell (the built files of this version, listed into `self.__WB_MANIFEST` at build time) and
 * answers every navigation with the cached index.html, so the app and a readcap link (`/#…`) open
 * with no network. It caches nothing else: shares live in IndexedDB and travel over WebRTC, and a
 * cap sits in the URL fragment, which no request carries. It also streams what the page restores:
 * downloads (sw-routes.ts) and media ranges. A new version waits for the page's word.
 */
import { clientsClaim } from 'workbox-core';
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching';
import { NavigationRoute, registerRoute } from 'workbox-routing';
import { isDownloadOffer, isSkipWaitingMessage, NAVIGATION_DENYLIST } from './adapters/pwa/protocol.js';
import { acceptDownloadOffer, answerDownload, answerMedia, isDownloadUrl, isMediaUrl, type WorkerClients } from './adapters/pwa/sw-routes.js';

/** The parts of ServiceWorkerGlobalScope used here (the project's lib is DOM, not WebWorker). */
interface ServiceWorkerScope {
  readonly __WB_MANIFEST: Array<PrecacheEntry | string>;
  readonly clients: WorkerClients;
  skipWaiting(): Promise<void>;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}
declare const self: ServiceWorkerScope;

precacheAndRoute(self.__WB_MANIFEST);
// Precaches of earlier workbox versions' formats are deleted; this version's own old entries are
// dropped by precacheAndRoute when it activates.
cleanupOutdatedCaches();

// Streamed downloads and media ranges come from the page, never from the network or the cache.
registerRoute(({ url }) => isDownloadUrl(url), ({ url }) => Promise.resolve(answerDownload(url)));
registerRoute(({ url }) => isMediaUrl(url), ({ url, request, event }) => answerMedia(url, request, (event as { clientId?: string }).clientId ?? '', self.clients));

registerRoute(new NavigationRoute(createHandlerBoundToURL('/index.html'), { denylist: [...NAVIGATION_DENYLIST] }));

// The first version takes the open tabs at once, so their later requests (workers, lazy chunks)
// come from the cache too; a later version waits until the person applies it (update prompt), so
// no tab is switched to new code under an upload in progress.
clientsClaim();

self.addEventListener('message', (event) => {
  if (isSkipWaitingMessage(event.data)) void self.skipWaiting();
  else if (isDownloadOffer(event.data)) acceptDownloadOffer(event.data, event.ports);
});
