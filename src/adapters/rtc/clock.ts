/**
 * The real Clock for the browser and Node (core's Clock port: grid/clock.ts, rpc's RpcClock):
 * performance.now and setTimeout, with sleeps that end early when their signal aborts.
 * @module
 */

export const realClock = {
  now: (): number => performance.now(),
  sleep(ms: number, opts: { signal: AbortSignal }): Promise<void> {
    const { signal } = opts;
    if (signal.aborted) return Promise.reject(signal.reason);
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        clearTimeout(timer);
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  },
};
