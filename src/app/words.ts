/**
 * Errors in a person's words for the UI: the message of a named bric error, with a short lead
 * saying what failed; never a stack trace, never "[object Object]".
 * @module
 */
import { formatBytes } from '../core/grid/errors.js';

const MAX_MESSAGE_CHARS = 600;

/** The text to show for `error`, after `lead` (e.g. "Upload failed"). */
export function describeError(error: unknown, lead: string): string {
  const name = error instanceof Error ? error.name : '';
  let message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong';
  if (name === 'AbortError' || name === 'TimeoutError') message = 'it was cancelled or took too long';
  if (name === 'QuotaExceededError') message = 'the browser’s storage for this site is full (its quota): free some space or lower this node’s capacity';
  if (name === 'NotEnoughSharesError') {
    // "found 2 of the 3 shares needed; dropped: …": the count is what a person needs.
    const head = message.split(';')[0] ?? message;
    message = `not enough shares are online: ${head}`;
  }
  if (name === 'UploadUnhappinessError') {
    message = `${message}. More peers help: open bric in more tabs or on other devices, free space on full ones, or lower “happy” in Settings`;
  }
  // The grid's own messages already begin with "Upload failed: …".
  if (message.startsWith(`${lead}:`)) message = message.slice(lead.length + 1).trim();
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
  return `${lead}: ${message}`;
}

/** A size for people: 12.3 MB, 900 kB, 17 bytes (powers of 1000, as the browser shows them). */
export function showSize(bytes: number): string {
  return formatBytes(bytes);
}

/**
 * A capacity as the settings field shows it: exact, in the largest unit that divides it (500M,
 * 2GiB, 1234567), so saving the field unchanged never changes the capacity.
 */
export function capacityText(bytes: number): string {
  const units: ReadonlyArray<readonly [string, number]> = [
    ['T', 1e12], ['TiB', 2 ** 40], ['G', 1e9], ['GiB', 2 ** 30], ['M', 1e6], ['MiB', 2 ** 20], ['K', 1e3], ['KiB', 2 ** 10],
  ];
  for (const [unit, size] of units) if (bytes >= size && bytes % size === 0) return `${bytes / size}${unit}`;
  return String(bytes);
}

/** A peer's name for people: its nickname, else "node" and the start of its id. */
export function peerLabel(p: { id: string; nickname?: string | undefined }): string {
  return p.nickname !== undefined && p.nickname.length > 0 ? p.nickname : `node ${p.id.slice(0, 6)}`;
}
