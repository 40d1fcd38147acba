/**
 * Vite (app build and dev server) and Vitest configuration. `vite build` makes the production app
 * in dist/; `vite build --mode test` makes dist-test/, the same app plus the browser harness page
 * (test/browser/harness.html) that Playwright tests drive. The harness never reaches dist/.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';
import { defineConfig } from 'vitest/config';

const PROCESS_SHIM_ID = 'virtual:bric-process-shim';

/**
 * simple-peer and its readable-stream expect Node's `process` (only `nextTick` and `env` are used
 * in a browser). Rather than a global polyfill, the bundler injects an import of this tiny module
 * into exactly the modules that mention `process`.
 */
function processShim(): Plugin {
  return {
    name: 'bric-process-shim',
    resolveId: (id) => (id === PROCESS_SHIM_ID ? `\0${PROCESS_SHIM_ID}` : undefined),
    load: (id) => (id === `\0${PROCESS_SHIM_ID}`
      ? `const process = { env: {}, browser: true, version: '', versions: {}, argv: [],
          nextTick(fn, ...args) { queueMicrotask(() => fn(...args)); } };
         export default process;`
      : undefined),
  };
}

const inject = { process: PROCESS_SHIM_ID };
const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), processShim()],
  // simple-peer's dependencies read `global`; in a page that is globalThis.
  define: { global: 'globalThis' },
  worker: { format: 'es' },
  optimizeDeps: { rolldownOptions: { transform: { inject } } },
  build: {
    target: 'es2022',
    outDir: mode === 'test' ? 'dist-test' : 'dist',
    emptyOutDir: true,
    rolldownOptions: {
      transform: { inject },
      input: {
        main: fromRoot('./index.html'),
        ...(mode === 'test' ? { harness: fromRoot('./test/browser/harness.html') } : {}),
      },
    },
  },
  test: {
    include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
  },
}));
