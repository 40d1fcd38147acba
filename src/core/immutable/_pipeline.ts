/**
 * Keeps up to `depth` segment tasks in flight and hands their results out in segment order: the
 * reads, CPU work and writes of neighbouring segments overlap, and memory stays bounded.
 * @module
 */

/**
 * Yields [i, start(i)'s result] for i = from … to−1 in order, with start(i + depth) already
 * running while the consumer handles i. Leaving the loop early (break, throw) or a failed task
 * waits for the tasks still running, so nothing is left unobserved.
 */
export async function* pipelined<T>(
  from: number,
  to: number,
  depth: number,
  start: (i: number) => Promise<T>,
): AsyncGenerator<[number, T]> {
  const inflight = new Map<number, Promise<T>>();
  let next = from;
  const launch = (): void => {
    if (next >= to) return;
    const p = start(next);
    p.catch(() => {}); // observed below, in order; this only keeps an early failure from going unhandled
    inflight.set(next, p);
    next++;
  };
  try {
    while (next < to && inflight.size < depth) launch();
    for (let i = from; i < to; i++) {
      const result = await inflight.get(i)!;
      inflight.delete(i);
      launch();
      yield [i, result];
    }
  } finally {
    await Promise.allSettled(inflight.values());
  }
}
