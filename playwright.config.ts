/**
 * Playwright: real Chromium (Debian's, never a downloaded one) against the real server
 * (`signaling/main.ts`) serving the test build, which adds the browser harness (test/e2e/fixtures.ts).
 * Launch flags and the microphone permission come from ../shared/NOTES.md: together they make
 * Chromium offer 127.0.0.1 host candidates, so peers connect inside a loopback-only namespace.
 */
import { defineConfig } from '@playwright/test';

const PORT = Number(process.env.BRIC_TEST_PORT ?? 8131);
const BASE_URL = `http://127.0.0.1:${PORT}`;

export default defineConfig({
  testDir: 'test',
  testMatch: ['e2e/**/*.spec.ts', 'browser/**/*.spec.ts'],
  // One worker: every test shares one server, and tabs opened without a fragment all join its
  // default grid, so two grid tests at once would see each other's nodes (peer-count 19, not 9).
  // The machine has 2 cores and multi-tab WebRTC tests are CPU-bound: little is lost.
  workers: 1,
  fullyParallel: false,
  forbidOnly: !!process.env.CI,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: 'list',
  use: {
    baseURL: BASE_URL,
    headless: true,
    // With --allow-loopback-in-peer-connection, this is what makes Chromium offer a 127.0.0.1 ICE
    // host candidate (no getUserMedia call needed).
    permissions: ['microphone'],
    actionTimeout: 10_000,
    navigationTimeout: 20_000,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      // No --disable-features here: Chromium keeps only the last one and would drop Playwright's.
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--allow-loopback-in-peer-connection',
      ],
    },
  },
  webServer: {
    // The real server; BRIC_MODE=test serves dist-test/ (the app plus the browser harness) and
    // builds it first when it is missing or older than the sources.
    command: `"${process.execPath}" node_modules/tsx/dist/cli.mjs signaling/main.ts`,
    url: `${BASE_URL}/healthz`,
    env: { PORT: String(PORT), HOST: '127.0.0.1', BRIC_MODE: 'test', ...(process.env.BRIC_DIST_DIR === undefined ? {} : { BRIC_DIST_DIR: process.env.BRIC_DIST_DIR }) },
    reuseExistingServer: false,
    timeout: 180_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});
