/**
 * The app's door to the service worker (installable shell, offline start, update prompt): the UI
 * sees the PWA only through here, as it sees everything else through src/app.
 */
export { applyUpdate, pwaStatus, reloadIntoNewVersion, startServiceWorker } from '../adapters/pwa/register.js';
