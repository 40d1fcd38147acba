/**
 * Running work over many items a few at a time (uploads of a folder's files): at most `limit`
 * in flight, the first failure aborts the rest and is what the caller sees.
 * @module
 */

export async function forEachLimit<T>(items: readonly T[], limit: number, work: (item: T, signal: AbortSignal) => Promise<void>, signal: AbortSignal): Promise<void> {
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const lane = async (): Promise<void> => {
    while (failure === undefined && next < items.length) {
      both.throwIfAborted();
      const item = items[next++]!;
      try {
        await work(item, both);
      } catch (error) {
        failure ??= { error };
        stop.abort(error);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, lane));
  if (failure !== undefined) throw failure.error;
  signal.throwIfAborted();
}
