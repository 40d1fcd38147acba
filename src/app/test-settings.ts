/**
 * Switches that only a test build reads (`vite build --mode test`): localStorage keys a browser
 * test sets to take a path a headless browser or a short test could not reach otherwise (a save
 * method, a lower streaming or single-pass threshold). A production build never reads them.
 * @module
 */

/** The value a test build keeps under `key` in localStorage; null in production or when unset. */
export function testSetting(key: string): string | null {
  if (import.meta.env.MODE !== 'test') return null;
  try {
    return localStorage.getItem(key);
  } catch {
    return null;
  }
}

/** A whole number ≥ 0 from a test setting, else `fallback`. */
export function testNumber(key: string, fallback: number): number {
  const v = Number(testSetting(key) ?? Number.NaN);
  return Number.isSafeInteger(v) && v >= 0 ? v : fallback;
}
