// Browser test harness: a real Chromium (playwright-core, no bundled browser)
// opening the built app from a loopback static server. Every test gets a fresh
// context; after each test a screenshot goes to test-results/ and the test
// fails if the page or any of its workers logged a console error or threw.
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import { CHROMIUM_ARGS } from './chromium-args';
import { serveStatic, type StaticServer } from './server';

const ROOT = path.resolve(import.meta.dirname, '../..');
// DIST_DIR: another build folder (e.g. `vite build --outDir dist-b`), so two builds can be tested side by side.
export const DIST = path.resolve(ROOT, process.env.DIST_DIR ?? 'dist');
export const RESULTS_DIR = path.join(ROOT, 'test-results');

export function findChromium(): string {
  const fromEnv = process.env.CHROME_PATH;
  if (fromEnv) {
    if (!existsSync(fromEnv)) throw new Error(`CHROME_PATH=${fromEnv} does not exist`);
    return fromEnv;
  }
  if (existsSync('/usr/bin/chromium')) return '/usr/bin/chromium';
  throw new Error(
    'No Chromium found for the browser tests. Install it (Debian/Ubuntu: ' +
      '`apt-get install -y chromium`) or set CHROME_PATH to a Chromium/Chrome binary.',
  );
}

export interface LogEntry {
  source: 'page' | 'worker';
  // console type ('error', 'warning', ...), 'pageerror', or 'offsite' (a
  // request that left the test server: the app must work offline)
  type: string;
  text: string;
  url?: string;
}

/** Everything the page and its workers said, collected while a test runs. */
export class PageLog {
  readonly entries: LogEntry[] = [];
  get errors(): LogEntry[] {
    return this.entries.filter((e) => ['error', 'pageerror', 'offsite'].includes(e.type));
  }
  get warnings(): LogEntry[] {
    return this.entries.filter((e) => e.type === 'warning');
  }
  /** Removes and returns the entries matching `pred` (errors a test provoked on purpose). */
  take(pred: (e: LogEntry) => boolean): LogEntry[] {
    const hits = this.entries.filter(pred);
    for (const h of hits) this.entries.splice(this.entries.indexOf(h), 1);
    return hits;
  }
  /** Resolves when an entry matching `pred` arrives (or is already there). */
  async waitFor(pred: (e: LogEntry) => boolean, timeoutMs = 30_000): Promise<LogEntry> {
    const t0 = Date.now();
    for (;;) {
      const hit = this.entries.find(pred);
      if (hit) return hit;
      if (Date.now() - t0 > timeoutMs) throw new Error('timed out waiting for a log entry');
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

export interface AppPage {
  page: Page;
  log: PageLog;
}

export interface OpenOptions {
  /** Runs on the fresh context before the page loads (e.g. to route or slow a request). */
  beforeLoad?: (context: BrowserContext) => Promise<unknown>;
}

interface Opened extends AppPage {
  context: BrowserContext;
}

/** Collects a page's (and its workers') console messages, errors and worker lifetimes into `log`. */
export function attachLog(page: Page, log: PageLog): void {
  // Measured with playwright-core 1.65 + Chromium 156 (harness.test.ts keeps
  // it true): page 'console' also delivers dedicated workers' console calls,
  // with msg.worker() set, and an uncaught error inside a worker (classic or
  // module) arrives as a 'pageerror'. 'worker' events only mark lifetimes.
  page.on('console', (msg) => {
    const loc = msg.location();
    log.entries.push({
      source: msg.worker() ? 'worker' : 'page',
      type: msg.type(),
      text: msg.text(),
      url: loc.url ? `${loc.url}:${loc.lineNumber}` : undefined,
    });
  });
  page.on('pageerror', (err) => {
    log.entries.push({ source: 'page', type: 'pageerror', text: err.stack ?? err.message });
  });
  page.on('worker', (worker) => {
    log.entries.push({ source: 'worker', type: 'started', text: worker.url() });
    worker.on('close', () => {
      log.entries.push({ source: 'worker', type: 'closed', text: worker.url() });
    });
  });
  page.on('crash', () => log.entries.push({ source: 'page', type: 'pageerror', text: 'crashed' }));
}

function fileSafe(name: string): string {
  return name
    .replace(/[^a-z0-9._-]+/gi, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 120);
}

export interface BrowserOptions {
  /**
   * Also serve dist/ on a second loopback port: another origin, for pages
   * that embed the app cross-origin (the embed API) or for going offline
   * (`closeSecond`) without disturbing the main server.
   */
  secondOrigin?: boolean;
  /**
   * Serve the second server as `localhost` (the app stays on 127.0.0.1): another
   * *site*, so an iframe of the app in its pages is a third-party frame, where
   * Chromium may refuse storage and Web Locks. Implies `secondOrigin`.
   */
  secondSite?: boolean;
  /**
   * Serve the second server with the cross-origin isolation headers
   * (COOP/COEP), as a host that enables threads would. Implies `secondOrigin`.
   */
  isolatedSecond?: boolean;
  /** Extra Chromium flags for this file's browser. */
  chromiumArgs?: string[];
}

/**
 * Registers the hooks of a browser test file and returns `openApp`. Call it
 * once at the top level of the file. `openApp` takes a path on the main
 * server or a full URL on either server.
 */
export function useBrowser(opts: BrowserOptions = {}): {
  openApp: (urlPath?: string, opts?: OpenOptions) => Promise<AppPage>;
  /** The servers' base URLs (with a trailing slash); `second` is null unless asked for. */
  origins: () => { app: string; second: string | null };
  /** Stops the second server: its pages must then work offline. */
  closeSecond: () => Promise<void>;
} {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  let second: StaticServer | undefined;
  const opened: Opened[] = [];

  beforeAll(async () => {
    if (!existsSync(path.join(DIST, 'index.html'))) {
      throw new Error('dist/index.html is missing: run `vite build` first (npm run test:browser)');
    }
    server = await serveStatic(DIST);
    if (opts.secondOrigin || opts.secondSite || opts.isolatedSecond) {
      second = await serveStatic(DIST, { isolated: opts.isolatedSecond });
    }
    // The server listens on 127.0.0.1; Chromium resolves localhost to loopback itself.
    if (second && opts.secondSite) second.url = second.url.replace('//127.0.0.1:', '//localhost:');
    // BROWSER_NO_WEBGPU=1 drops the WebGPU flag: the page then sees no adapter,
    // which exercises the app's (and the tests') no-GPU path.
    const noWebgpu = process.env.BROWSER_NO_WEBGPU === '1';
    browser = await chromium.launch({
      executablePath: findChromium(),
      headless: true,
      args: [
        ...CHROMIUM_ARGS.filter((a) => !(noWebgpu && a === '--enable-unsafe-webgpu')),
        ...(opts.chromiumArgs ?? []),
      ],
    });
  });

  afterEach(async (ctx) => {
    const pages = opened.splice(0);
    const problems: string[] = [];
    mkdirSync(RESULTS_DIR, { recursive: true });
    for (const [i, { page, log, context }] of pages.entries()) {
      const suffix = pages.length > 1 ? `-${i + 1}` : '';
      const file = path.basename(ctx.task.file.name).replace(/\.test\.ts$/, '');
      const shot = path.join(RESULTS_DIR, `${fileSafe(`${file}--${ctx.task.name}`)}${suffix}.png`);
      await page.screenshot({ path: shot, fullPage: true }).catch((e: unknown) => {
        problems.push(`screenshot failed: ${String(e)}`);
      });
      for (const w of log.warnings) console.warn(`[browser ${w.source} warning] ${w.text}`);
      for (const e of log.errors) problems.push(`[${e.source} ${e.type}] ${e.text} ${e.url ?? ''}`);
      await context.close();
    }
    const misses = [...(server?.misses.splice(0) ?? []), ...(second?.misses.splice(0) ?? [])];
    if (misses.length > 0) problems.push(`404s: ${misses.join(', ')}`);
    expect(problems, 'console errors, page errors or missing files').toEqual([]);
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await second?.close();
  });

  async function openApp(urlPath = '', open: OpenOptions = {}): Promise<AppPage> {
    if (!browser || !server) throw new Error('openApp called outside a test (beforeAll not run)');
    const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
    const log = new PageLog();
    // The app must serve everything itself (wasm binaries included), so any
    // request elsewhere is refused and reported, even with a network present.
    const allowed = [server.url, second?.url].filter(Boolean).map((u) => new URL(u!).origin);
    await context.route(
      (url) =>
        !allowed.includes(url.origin) && url.protocol !== 'blob:' && url.protocol !== 'data:',
      async (route) => {
        log.entries.push({ source: 'page', type: 'offsite', text: route.request().url() });
        await route.abort('blockedbyclient');
      },
    );
    await open.beforeLoad?.(context);
    const page = await context.newPage();
    attachLog(page, log);
    opened.push({ page, log, context });
    const href = /^https?:\/\//.test(urlPath)
      ? urlPath
      : new URL(urlPath.replace(/^\//, ''), server.url).href;
    await page.goto(href);
    return { page, log };
  }

  function origins() {
    if (!server) throw new Error('origins() called outside a test (beforeAll not run)');
    return { app: server.url, second: second?.url ?? null };
  }

  async function closeSecond(): Promise<void> {
    await second?.close();
  }

  return { openApp, origins, closeSecond };
}
