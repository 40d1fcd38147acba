/**
 * Shared Playwright fixtures for test/e2e and test/browser: people (one browser context each),
 * the browser harness, and console-error capture. Import `test` and `expect` from here.
 *
 * ## Running your core/adapter code in a real Chromium page: the browser harness
 *
 * 1. Write test/browser/harness/<name>.ts (e.g. `share-store.ts`). Export plain functions that run
 *    your code in the page. Arguments and results cross Playwright's serialisation: use numbers,
 *    strings, booleans, plain objects and arrays (send bytes as number[] or hex), not class instances.
 *    Keep state between calls in module variables if you need it. End the file with
 *      declare global { interface BricHarness { '<name>': typeof import('./<name>.js') } }
 *    so `window.bricHarness.<name>` is typed in your tests (the key MUST be the file name).
 *    Every harness/*.ts is imported eagerly by test/browser/harness.ts, so no other file changes.
 *    Files named harness/_*.ts are not registered: use them for your module's workers or helpers
 *    (e.g. `new Worker(new URL('./_x.worker.ts', import.meta.url), { type: 'module' })`).
 * 2. Write test/browser/<name>.spec.ts:
 *      import { test, expect } from '../e2e/fixtures.js';
 *      test('…', async ({ harnessPage }) => {
 *        const r = await harnessPage.evaluate(() => window.bricHarness.<name>.runContract());
 *        expect(r.failures).toEqual([]);
 *      });
 *    `harnessPage` is a tab open on the harness page; for several people or tabs use
 *    `newPerson()` and `person.openHarness()`.
 * 3. Run only yours: `npx playwright test test/browser/<name>.spec.ts` (as root, inside the
 *    loopback namespace: `unshare --net -- sh -c 'ip link set lo up; exec npx playwright test …'`).
 *
 * How it is built: `vite build --mode test` (vite.config.ts) adds test/browser/harness.html as a
 * second entry and writes dist-test/; Playwright's web server (`BRIC_MODE=test tsx signaling/main.ts`)
 * serves it, rebuilding first when a source under src/, test/browser/ … is newer. The production
 * build (dist/) never contains the harness. The harness page is served from the app's origin
 * (same IndexedDB, same /signal), with the same CSP.
 *
 * ## Other fixtures
 * - `newPerson(name?)`: a fresh browser context (separate in-memory profile: its own IndexedDB)
 *   with the microphone permission that WebRTC on loopback needs (NOTES.md); `person.open(path)`
 *   opens a tab of the app, `person.openHarness()` a harness tab. Pages of one person share storage.
 * - `consoleErrors`: every console error and uncaught page error from every page the fixtures
 *   know (the default `page` too) fails the test at the end, unless allowed:
 *   `consoleErrors.allow(/expected failure/)`. `consoleErrors.seen` lists them.
 * - `uniqueName(prefix)`: a name unique to this test (e.g. a signaling room or grid secret), so a
 *   test never meets peers that an earlier test left behind.
 * Tests run one at a time (playwright.config.ts `workers: 1`) against one server: tabs opened on
 * `/` without a fragment all join that server's default grid.
 */
import { test as base, expect, type BrowserContext, type Page } from '@playwright/test';

export { expect };

export const HARNESS_PATH = '/test/browser/harness.html';

/** Collects console errors and uncaught exceptions from pages. */
export class ConsoleErrors {
  readonly seen: string[] = [];
  private readonly allowed: RegExp[] = [];

  allow(pattern: RegExp): void {
    this.allowed.push(pattern);
  }

  watchContext(context: BrowserContext, label: string): void {
    context.on('page', (page) => this.watchPage(page, label));
    for (const page of context.pages()) this.watchPage(page, label);
  }

  watchPage(page: Page, label: string): void {
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.seen.push(`[${label}] console.error: ${msg.text()}`);
    });
    page.on('pageerror', (err) => this.seen.push(`[${label}] uncaught: ${err.message}`));
  }

  unexpected(): string[] {
    return this.seen.filter((line) => !this.allowed.some((re) => re.test(line)));
  }
}

export interface Person {
  readonly name: string;
  readonly context: BrowserContext;
  /** Opens a new tab of this person on `path` (default '/') and waits for it to load. */
  open(path?: string): Promise<Page>;
  /** Opens a new tab of this person on the harness page, with `window.bricHarness` ready. */
  openHarness(): Promise<Page>;
}

/** Navigates `page` to the harness and waits until every harness module is registered. */
export async function gotoHarness(page: Page): Promise<Page> {
  await page.goto(HARNESS_PATH);
  await page.waitForFunction(() => (window as { bricHarness?: unknown }).bricHarness !== undefined);
  return page;
}

interface Fixtures {
  consoleErrors: ConsoleErrors;
  newPerson: (name?: string) => Promise<Person>;
  harnessPage: Page;
  uniqueName: (prefix: string) => string;
}

export const test = base.extend<Fixtures>({
  consoleErrors: [
    async ({}, use) => {
      const errors = new ConsoleErrors();
      await use(errors);
      const unexpected = errors.unexpected();
      expect(unexpected, 'console errors or uncaught exceptions in the pages').toEqual([]);
    },
    { auto: true },
  ],

  // The default context also reports its console errors.
  context: async ({ context, consoleErrors }, use) => {
    consoleErrors.watchContext(context, 'page');
    await use(context);
  },

  newPerson: async ({ browser, baseURL, consoleErrors }, use) => {
    const contexts: BrowserContext[] = [];
    let count = 0;
    const newPerson = async (name?: string): Promise<Person> => {
      count += 1;
      const label = name ?? `person${count}`;
      // Contexts made by hand do not inherit `use` from the config: repeat what matters here.
      const context = await browser.newContext({ baseURL, permissions: ['microphone'] });
      contexts.push(context);
      consoleErrors.watchContext(context, label);
      const open = async (path = '/'): Promise<Page> => {
        const page = await context.newPage();
        await page.goto(path);
        return page;
      };
      return {
        name: label,
        context,
        open,
        openHarness: async () => gotoHarness(await context.newPage()),
      };
    };
    await use(newPerson);
    await Promise.all(contexts.map((c) => c.close()));
  },

  harnessPage: async ({ page }, use) => {
    await use(await gotoHarness(page));
  },

  uniqueName: async ({}, use, testInfo) => {
    const base36 = (n: number): string => n.toString(36);
    let n = 0;
    await use((prefix) => `${prefix}-${testInfo.workerIndex}-${base36(Date.now())}-${base36(n++)}`);
  },
});
