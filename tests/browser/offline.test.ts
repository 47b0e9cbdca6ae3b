// Offline use under a real `vite preview` server, in a real Chromium on the
// built app: one visit, the service worker takes control, the server stops,
// and the playground still loads, with its model and its workers, and still
// installs (web app manifest and icons).
//
// vite preview (unlike the harness's static server) answers with `Vary:
// Origin`; a module script is requested with an Origin header, so a worker
// that cached the files without one and matches strictly finds nothing and
// the offline page stays blank. The harness's openApp only admits its own
// servers, and its contexts are incognito, where Chromium never calls a page
// installable; so this file opens its own browser profile and keeps the
// harness's rules: a screenshot per test, and any console error, page error or
// request off the server fails the test.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM_ARGS } from './chromium-args';
import { DIST, PageLog, RESULTS_DIR, attachLog, findChromium } from './harness';

const ROOT = path.resolve(import.meta.dirname, '../..');
const VITE = path.join(ROOT, 'node_modules/vite/bin/vite.js');
const LONG = 120_000;

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

interface Preview {
  url: string;
  stop: () => Promise<void>;
}

/** `vite preview` of DIST in a child process, on a free loopback port. */
async function startPreview(): Promise<Preview> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  const child: ChildProcess = spawn(
    process.execPath,
    [
      VITE,
      'preview',
      '--outDir',
      DIST,
      '--host',
      '127.0.0.1',
      '--port',
      String(port),
      '--strictPort',
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const t0 = Date.now();
  for (;;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited:\n${output}`);
    const ok = await fetch(url).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, stop };
    if (Date.now() - t0 > 60_000) {
      await stop();
      throw new Error(`vite preview did not answer on ${url} within 60 s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every file of the build the worker must precache: all but the corpora, source maps and the worker's own scripts. */
function expectedPrecache(): string[] {
  return readdirSync(DIST, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map(
      (e) => '/' + path.relative(DIST, path.join(e.parentPath, e.name)).split(path.sep).join('/'),
    )
    .filter((p) => !/^\/corpus\/|\.map$|^\/sw[^/]*\.js$|^\/workbox-[^/]*\.js$/.test(p))
    .sort();
}

let preview: Preview | undefined;
const opened: { page: Page; log: PageLog; context: BrowserContext; profile: string }[] = [];

beforeAll(async () => {
  if (!existsSync(path.join(DIST, 'index.html'))) {
    throw new Error(
      `${DIST}/index.html is missing: run \`vite build\` first (npm run test:browser)`,
    );
  }
  preview = await startPreview();
});

afterEach(async (ctx) => {
  const problems: string[] = [];
  mkdirSync(RESULTS_DIR, { recursive: true });
  for (const { page, log, context, profile } of opened.splice(0)) {
    const name = `offline--${ctx.task.name}`.replace(/[^a-z0-9._-]+/gi, '-').slice(0, 120);
    await page.screenshot({ path: path.join(RESULTS_DIR, `${name}.png`), fullPage: true });
    for (const w of log.warnings) console.warn(`[browser ${w.source} warning] ${w.text}`);
    for (const e of log.errors) problems.push(`[${e.source} ${e.type}] ${e.text} ${e.url ?? ''}`);
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
  expect(problems, 'console errors, page errors or requests off the server').toEqual([]);
});

afterAll(async () => {
  await preview?.stop();
});

async function openPage(
  url: string,
): Promise<{ page: Page; log: PageLog; context: BrowserContext }> {
  if (!preview) throw new Error('openPage called outside a test');
  // A fresh profile on disk: a normal (not incognito) window, as a reader has.
  const profile = mkdtempSync(path.join(tmpdir(), 'rlhf-offline-'));
  const noWebgpu = process.env.BROWSER_NO_WEBGPU === '1';
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: findChromium(),
    headless: true,
    args: CHROMIUM_ARGS.filter((a) => !(noWebgpu && a === '--enable-unsafe-webgpu')),
    viewport: { width: 1100, height: 800 },
  });
  const log = new PageLog();
  const origin = new URL(preview.url).origin;
  await context.route(
    (u) => u.origin !== origin && u.protocol !== 'blob:' && u.protocol !== 'data:',
    async (route) => {
      log.entries.push({ source: 'page', type: 'offsite', text: route.request().url() });
      await route.abort('blockedbyclient');
    },
  );
  const page = context.pages()[0] ?? (await context.newPage());
  attachLog(page, log);
  opened.push({ page, log, context, profile });
  await page.goto(url);
  return { page, log, context };
}

const modelReady = (page: Page) =>
  page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });

describe('offline under vite preview', () => {
  it('reloads with the server gone: app, model and workers, then installs', async () => {
    const { url } = preview!;
    // A cache as the worker of earlier releases left it: the new worker deletes it.
    const { page, log, context } = await openPage(`${url}icons/icon-192.png`);
    await page.evaluate(async () => {
      const legacy = await caches.open('rlhf-playground-0123456789abcdef');
      await legacy.put('/', new Response('stale'));
    });
    await page.goto(`${url}?backend=wasm&model=micro`);
    await modelReady(page);
    // Precaching is done once the worker activates and claims the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r));
      }
    });

    // Online, a page comes from the network first (through the worker), so a
    // new version shows; the precache only answers when the network fails.
    const fromWorker: string[] = [];
    context.on('request', (r) => {
      if (r.serviceWorker()) fromWorker.push(r.url());
    });
    await page.reload();
    await page.locator('[data-testid=stage-start]').waitFor({ timeout: 30_000 });
    expect(fromWorker).toContain(`${url}?backend=wasm&model=micro`);

    await preview!.stop();
    await expect(fetch(url)).rejects.toThrow(); // really offline
    const workersBefore = log.entries.filter((e) => e.type === 'started').length;
    await page.reload();
    await page.locator('[data-testid=stage-start]').waitFor({ timeout: 30_000 });
    await modelReady(page);
    expect(await page.locator('[data-testid=model-status]').textContent()).toMatch(
      /models\/en-micro\.safetensors/,
    );
    expect(log.entries.filter((e) => e.type === 'started').length).toBeGreaterThan(workersBefore);
    // The policy worker runs: the base model writes a sample.
    const sample = page.locator('[data-testid=base-sample]');
    await sample.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
    expect(
      ((await page.locator('[data-testid=base-sample-text]').textContent()) ?? '').trim(),
    ).not.toBe('');

    // A query never seen online (settings only) gets the same cached page.
    await page.goto(`${url}?backend=wasm&model=micro&theme=dark`);
    await page.locator('[data-testid=stage-start]').waitFor({ timeout: 30_000 });
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    await modelReady(page);

    // The precache holds every shipped file but the corpora, once each, with
    // no entry per query string.
    const cached = await page.evaluate(async () => {
      const entries: { cache: string; url: string }[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const r of await cache.keys()) entries.push({ cache: name, url: r.url });
      }
      return entries;
    });
    for (const { cache, url: u } of cached) {
      expect(cache).toMatch(/^rlhf-playground-/);
      expect([...new URL(u).searchParams.keys()].filter((k) => k !== '__WB_REVISION__')).toEqual(
        [],
      );
    }
    expect(cached.map((e) => new URL(e.url).pathname).sort()).toEqual(expectedPrecache());

    // Installable: the manifest parses, with 192 and 512 icons and a maskable one
    // that load (from the cache: the server is gone).
    const cdp = await page.context().newCDPSession(page);
    const {
      url: manifestUrl,
      errors,
      data,
    } = (await cdp.send('Page.getAppManifest')) as {
      url: string;
      errors: { message: string }[];
      data?: string;
    };
    expect(errors).toEqual([]);
    expect(new URL(manifestUrl).pathname).toBe('/manifest.webmanifest');
    const manifest = JSON.parse(data ?? '{}') as {
      name: string;
      short_name: string;
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    expect(manifest).toMatchObject({
      name: 'RLHF Playground',
      short_name: 'RLHF',
      start_url: './',
      display: 'standalone',
    });
    const icons = manifest.icons.map((i) => ({ ...i, src: new URL(i.src, manifestUrl).href }));
    expect(icons.map((i) => `${i.sizes} ${i.purpose ?? 'any'}`).sort()).toEqual([
      '192x192 any',
      '512x512 any',
      '512x512 maskable',
    ]);
    const sizes = await page.evaluate(
      async (srcs) => {
        const out: string[] = [];
        for (const src of srcs) {
          const blob = await (await fetch(src)).blob();
          const bitmap = await createImageBitmap(blob);
          out.push(`${blob.type} ${bitmap.width}x${bitmap.height}`);
        }
        return out;
      },
      icons.map((i) => i.src),
    );
    expect(sizes).toEqual(icons.map((i) => `image/png ${i.sizes}`));
    const { installabilityErrors } = (await cdp.send('Page.getInstallabilityErrors')) as {
      installabilityErrors: { errorId: string }[];
    };
    expect(installabilityErrors).toEqual([]);
  });
});
