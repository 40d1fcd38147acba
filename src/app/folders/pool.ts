/**
 * Running work over many items a few at a time (uploads of a folder's files): at most `limit`
 * in flight, never two of one `keyOf` at once, and the first failure aborts the rest and is what
 * the caller sees. Files of one size share a key: two identical files are one storage index under
 * convergent encryption, and two uploads allocating one storage index at once refuse each other.
 * @module
 */

export async function forEachLimit<T>(
  items: readonly T[],
  limit: number,
  work: (item: T, signal: AbortSignal) => Promise<void>,
  signal: AbortSignal,
  keyOf: (item: T) => unknown = () => Symbol(),
): Promise<void> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  const waiting = [...items];
  const busy = new Set<unknown>();
  let failure: { error: unknown } | undefined;
  const sleepers: (() => void)[] = [];
  const lane = async (): Promise<void> => {
    while (failure === undefined && waiting.length > 0) {
      both.throwIfAborted();
      const at = waiting.findIndex((item) => !busy.has(keyOf(item)));
      if (at < 0) {
        // Every waiting item shares a key with one in flight: wait for a lane to finish.
        await new Promise<void>((resolve) => sleepers.push(resolve));
        continue;
      }
      const item = waiting.splice(at, 1)[0]!;
      const key = keyOf(item);
      busy.add(key);
      try {
        await work(item, both);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      } finally {
        busy.delete(key);
        for (const wake of sleepers.splice(0)) wake();
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
  signal.throwIfAborted();
}
