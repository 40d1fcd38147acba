/**
 * Vite (app build and dev server) and Vitest configuration. `vite build` makes the production app
 * in dist/; `vite build --mode test` makes dist-test/, the same app plus the browser harness page
 * (test/browser/harness.html) that Playwright tests drive. The harness never reaches dist/.
 * Both builds also write the service worker (src/sw.ts → sw.js) with the app shell's precache list.
 */
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';
import type { LogLevel, Plugin } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
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

/**
 * The service worker: our own src/sw.ts (workbox precaching + a navigation fallback), bundled by
 * vite-plugin-pwa, which then writes the list of built files into it. The manifest is the
 * hand-written public/manifest.webmanifest and src/adapters/pwa/register.ts registers the worker,
 * so the plugin generates neither. The precache is the app shell only: the test build's harness
 * page and its own chunks stay out of it.
 */
function serviceWorker(mode: string): Plugin[] {
  let logLevel: LogLevel | undefined;
  return VitePWA({
    strategies: 'injectManifest',
    srcDir: 'src',
    filename: 'sw.ts',
    injectRegister: false,
    manifest: false,
    injectManifest: {
      globPatterns: ['**/*.{html,js,css,svg,png,ico,webmanifest,woff2,wasm}'],
      globIgnores: ['**/*.map', 'sw.js', ...(mode === 'test' ? ['test/**', 'assets/harness-*', 'assets/_*'] : [])],
    },
    devOptions: { enabled: false },
    integration: {
      configureOptions(viteConfig) {
        logLevel = viteConfig.logLevel;
      },
      // The worker's own Vite build: as quiet as the app's (`--logLevel warn` in test/run.ts), and
      // single-file said the way Vite 8's bundler wants (the plugin's `inlineDynamicImports` is
      // deprecated there and warns on every build).
      configureCustomSWViteBuild(config) {
        if (logLevel !== undefined) config.logLevel = logLevel;
        const output = config.build?.rollupOptions?.output;
        if (output !== undefined && !Array.isArray(output) && output.inlineDynamicImports === true) {
          delete output.inlineDynamicImports;
          Object.assign(output, { codeSplitting: false });
        }
      },
    },
  });
}

const fromRoot = (p: string): string => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig(({ mode }) => ({
  plugins: [svelte(), processShim(), serviceWorker(mode)],
  // simple-peer's dependencies read `global`; in a page that is globalThis.
  define: { global: 'globalThis' },
  worker: { format: 'es' },
  optimizeDeps: { rolldownOptions: { transform: { inject } } },
  build: {
    target: 'es2022',
    // BRIC_DIST_DIR: a build of one's own, so several people can run Playwright at once.
    outDir: process.env.BRIC_DIST_DIR ?? (mode === 'test' ? 'dist-test' : 'dist'),
    emptyOutDir: true,
    rolldownOptions: {
      transform: { inject },
      // The service worker's build runs inside the app's closeBundle, so on this busy machine
      // Rolldown's "slow plugin" advice fired on most builds, naming that expected nested build.
      checks: { bundlerTimings: false },
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
