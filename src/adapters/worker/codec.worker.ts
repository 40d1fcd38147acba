/**
 * The codec worker: a thin shell (Tahoe's codec.py + defer_to_thread) that hands each request to
 * the core segment functions and transfers the big buffers back. No logic lives here.
 * @module
 */
import { handleRequest } from './dispatch.js';
import type { WorkerRequest } from './protocol.js';
import { webSha256 } from './web-sha256.js';

interface WorkerScope {
  onmessage: ((ev: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(message: unknown, transfer: Transferable[]): void;
}

const scope = self as unknown as WorkerScope;

scope.onmessage = (ev) => {
  void handleRequest(ev.data, webSha256).then(({ response, transfer }) => scope.postMessage(response, transfer));
};
