/**
 * The browser harness: gathers every module in ./harness/*.ts into `window.bricHarness`, keyed by
 * file name, so Playwright tests can run core and adapter code in a real page with
 * `page.evaluate(() => window.bricHarness.<name>.<export>(…))`. Built only by `vite build --mode
 * test` (dist-test/); how to add a module is explained at the top of test/e2e/fixtures.ts.
 */

declare global {
  /**
   * One property per harness module. Each test/browser/harness/<name>.ts adds its own, so tests
   * are type-checked: `declare global { interface BricHarness { <name>: typeof import('./<name>.js') } }`
   */
  interface BricHarness {}
  interface Window {
    bricHarness: BricHarness;
  }
}

// Files starting with `_` are a module's private helpers (workers, shared code): not registered.
const modules = import.meta.glob<Record<string, unknown>>(['./harness/*.ts', '!./harness/_*.ts'], { eager: true });
const registry: Record<string, Record<string, unknown>> = {};
for (const [path, module] of Object.entries(modules)) {
  const name = path.replace(/^\.\/harness\//, '').replace(/\.ts$/, '');
  registry[name] = module;
}
window.bricHarness = registry as unknown as BricHarness;
document.title = 'bric harness ready';

export {};
