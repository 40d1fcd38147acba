/** Smoke-test worker: answers `{ ping }` with `{ pong }`, proving module workers run under the app's CSP. */
addEventListener('message', (event: MessageEvent<{ ping: number }>) => {
  postMessage({ pong: event.data.ping });
});
