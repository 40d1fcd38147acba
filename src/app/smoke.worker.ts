/** Placeholder worker for the smoke test: answers `{ ping }` with `{ pong }`, proving module workers run. */
addEventListener('message', (event: MessageEvent<{ ping: number }>) => {
  postMessage({ pong: event.data.ping });
});
