import type { Browser, BrowserContext, Page } from 'playwright-core';

/**
 * Timings taken inside the page, on its own clock (`performance.now()`, zero at navigation start), so
 * the driver's round trips are not counted. A watcher installed before the page's own scripts polls
 * once per animation frame until the UI shows the answer, then waits for the main thread to be free
 * (the next frame, then a task): "interactive" means the answer is painted and a click would be
 * handled now.
 */
export interface UiUnderTest {
  name: string;
  /** The experiment's runs table. */
  runsUrl: string;
  /** The search box of the runs table; Enter applies what is typed. */
  filterInput: string;
  /** The page with the long metric's chart. */
  chartUrl: string;
  /** Whether the chart is drawn (evaluated in the page). */
  chartDrawn: (metric: string) => boolean;
}

export interface PageTiming {
  /** ms from navigation start. */
  ms: number;
}

interface Watcher {
  until(check: () => boolean, timeoutMs: number): Promise<number>;
  /** Whether a link whose text is `name` is laid out inside the viewport. */
  shown(name: string): boolean;
  enterAt: number | null;
}

interface PageElement {
  textContent: string | null;
  getBoundingClientRect(): { height: number; top: number; bottom: number };
  getAttribute(name: string): string | null;
  querySelector(selector: string): PageElement | null;
}

// The page's globals that the functions below use once sent into the page (the project's tsconfig has
// no DOM library, and these functions never run in Node).
declare const window: { __bench?: Watcher; innerHeight: number };
declare const document: {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  addEventListener(type: 'keydown', listener: (e: { key: string }) => void, capture: boolean): void;
};
declare const localStorage: { clear(): void };
declare const sessionStorage: { clear(): void };
declare function requestAnimationFrame(callback: () => void): number;

/** In-page: MLflow's metric chart (Plotly) has drawn its line. */
export function mlflowChartDrawn(): boolean {
  const line = document.querySelector('.js-plotly-plot path.js-line');
  return (line?.getAttribute('d') ?? '').length > 20;
}

/** In-page: Cairn's chart card for `metric` has a canvas and says how many points it drew. */
export function cairnChartDrawn(metric: string): boolean {
  const card = document.querySelector(`[data-testid="chart-${metric}"]`);
  return !!card && Number(card.getAttribute('data-drawn')) > 0 && !!card.querySelector('canvas');
}

/** Runs in every document before its scripts: the polling watcher and the Enter key's timestamp. */
function installWatcher(): void {
  const idle = () =>
    new Promise<number>((resolve) =>
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now()), 0)),
    );
  const state: Watcher = {
    enterAt: null,
    shown(name: string): boolean {
      for (const a of Array.from(document.querySelectorAll('a'))) {
        if (a.textContent?.trim() !== name) continue;
        const r = a.getBoundingClientRect();
        if (r.height > 0 && r.bottom > 0 && r.top < window.innerHeight) return true;
      }
      return false;
    },
    until(check: () => boolean, timeoutMs: number): Promise<number> {
      const started = performance.now();
      return new Promise<number>((resolve, reject) => {
        const tick = () => {
          let ok = false;
          try {
            ok = check();
          } catch {
            ok = false;
          }
          if (ok) idle().then(resolve);
          else if (performance.now() - started > timeoutMs)
            reject(new Error(`not shown after ${timeoutMs} ms`));
          else requestAnimationFrame(tick);
        };
        tick();
      });
    },
  };
  window.__bench = state;
  document.addEventListener(
    'keydown',
    (e) => {
      if (e.key === 'Enter') state.enterAt = performance.now();
    },
    true,
  );
}

export async function benchContext(browser: Browser): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  // Sent as text. tsx compiles this file keeping function names through a `__name` helper that exists
  // only in Node; the page gets a do-nothing one, for the checks sent later too.
  await context.addInitScript({ content: `globalThis.__name = (f) => f; (${installWatcher.toString()})();` });
  return context;
}

/**
 * Waits, in the page, until `check(arg)` holds; answers the page clock when it held and the main thread
 * was next free. `check` is serialised into the page, so it may use only its argument.
 */
async function waitInPage<A>(
  page: Page,
  check: (arg: A) => boolean,
  arg: A,
  timeoutMs: number,
): Promise<number> {
  return page.evaluate(
    ({ source, arg, timeoutMs }) => {
      // The check is one of this file's functions, sent as its source text.
      const fn = new Function(`return (${source});`)() as (a: unknown) => boolean;
      const bench = window.__bench;
      if (!bench) throw new Error('the benchmark watcher is not installed in this page');
      return bench.until(() => fn(arg), timeoutMs);
    },
    { source: check.toString(), arg: arg as unknown, timeoutMs },
  );
}

export interface RunsTableTiming {
  /** Navigation start → the newest run's row shown and the page free. */
  interactiveMs: number;
  /** Enter in the search box → the newest matching run's row shown, the newest other one gone, and the page free. */
  filterMs: number;
}

/**
 * Leaves the page first, so the next visit loads a new document with its clock at zero: MLflow's
 * pages differ only after the `#`, and going from one to another would otherwise stay in one document.
 */
async function freshDocument(page: Page): Promise<void> {
  await page.goto('about:blank');
}

/** Opens the runs table, then applies `filter` in its search box. */
export async function timeRunsTable(
  page: Page,
  ui: UiUnderTest,
  expect: { newest: string; firstMatch: string; gone: string; filter: string },
  timeoutMs: number,
): Promise<RunsTableTiming> {
  await freshDocument(page);
  await page.goto(ui.runsUrl, { waitUntil: 'commit' });
  const interactiveMs = await waitInPage(
    page,
    (name: string) => window.__bench?.shown(name) === true,
    expect.newest,
    timeoutMs,
  );
  const box = page.locator(ui.filterInput).first();
  await box.fill(expect.filter);
  await box.press('Enter');
  const doneAt = await waitInPage(
    page,
    (e: { firstMatch: string; gone: string }) =>
      window.__bench?.shown(e.firstMatch) === true && !window.__bench.shown(e.gone),
    { firstMatch: expect.firstMatch, gone: expect.gone },
    timeoutMs,
  );
  const enterAt = await page.evaluate(() => window.__bench?.enterAt ?? null);
  if (enterAt === null) throw new Error(`${ui.name}: the Enter key never reached the page`);
  // MLflow's UI remembers the experiment's search in local storage and would open the next visit
  // already filtered; the next visit should start where this one did.
  await page.evaluate(() => {
    localStorage.clear();
    sessionStorage.clear();
  });
  return { interactiveMs, filterMs: doneAt - enterAt };
}

/** Opens the page with the long metric and waits until its chart is drawn. */
export async function timeChart(
  page: Page,
  ui: UiUnderTest,
  metric: string,
  timeoutMs: number,
): Promise<number> {
  await freshDocument(page);
  await page.goto(ui.chartUrl, { waitUntil: 'commit' });
  return waitInPage(page, ui.chartDrawn, metric, timeoutMs);
}
