/**
 * Errors in a person's words for the UI: the message of a named bric error, with a short lead
 * saying what failed; never a stack trace, never "[object Object]".
 * @module
 */

const MAX_MESSAGE_CHARS = 600;

/** The text to show for `error`, after `lead` (e.g. "Upload failed"). */
export function describeError(error: unknown, lead: string): string {
  const name = error instanceof Error ? error.name : '';
  let message = error instanceof Error ? error.message : typeof error === 'string' ? error : 'something went wrong';
  if (name === 'AbortError' || name === 'TimeoutError') message = 'it was cancelled or took too long';
  if (name === 'NotEnoughSharesError') {
    // "found 2 of the 3 shares needed; dropped: …": the count is what a person needs.
    const head = message.split(';')[0] ?? message;
    message = `not enough shares are online: ${head}`;
  }
  // The grid's own messages already begin with "Upload failed: …".
  if (message.startsWith(`${lead}:`)) message = message.slice(lead.length + 1).trim();
  if (message.length > MAX_MESSAGE_CHARS) message = `${message.slice(0, MAX_MESSAGE_CHARS)}…`;
  return `${lead}: ${message}`;
}
