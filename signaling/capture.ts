/**
 * Test mode only: a record of everything the server receives (HTTP request lines and headers,
 * WebSocket upgrades, every WebSocket message), appended as JSON lines to the file named by
 * BRIC_SIGNAL_CAPTURE, so a privacy test can prove no cap, key or share byte ever reaches it.
 * main.ts refuses to start with it outside BRIC_MODE=test: production never records bodies.
 */
import { appendFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';

export interface CaptureRecord {
  kind: 'http' | 'upgrade' | 'ws';
  /** The client's address. */
  from: string;
  /** Request line and headers (http, upgrade), or a text message (ws). */
  text?: string;
  /** A binary message (ws), base64. */
  base64?: string;
}

export type Capture = (record: CaptureRecord) => void;

/** Appends each record to `path` as one JSON line (synchronously: test mode, and nothing is lost on exit). */
export function fileCapture(path: string): Capture {
  appendFileSync(path, '');
  return (record) => appendFileSync(path, `${JSON.stringify(record)}\n`);
}

/** An HTTP request as received: request line and every header. */
export function requestText(req: IncomingMessage): string {
  const lines = [`${req.method ?? ''} ${req.url ?? ''} HTTP/${req.httpVersion}`];
  for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
  return lines.join('\r\n');
}
