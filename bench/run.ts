/**
 * The benchmark suite's driver (`npm run bench`; BENCHMARKS.md says what each
 * number means). In one run it:
 *   1. builds the bench page (bench/vite.config.ts: bench/page/ → bench/dist/)
 *      and, if dist/ is missing, the app (`npx vite build`);
 *   2. measures the app's cold start in headless Chromium (navigation → first
 *      visible content, JS transferred, shipped model bytes);
 *   3. runs the fixed, seeded workloads of bench/workloads.ts in the bench
 *      page's module worker on every tfjs backend Chromium offers (webgpu,
 *      webgl, wasm, cpu), then in Node (wasm, cpu) — each under a time budget;
 *   4. runs bench/torch_ref.py (PyTorch on the CPU, same model and workloads)
 *      when `python3 -c 'import torch'` works;
 *   5. prints the tables and the targets, and writes bench/results.json.
 *
 * Usage: npx tsx bench/run.ts [--only chromium-wasm,node-wasm,...] [--quick]
 *        [--no-torch] [--no-cold] [--isolated] [--out bench/results.json]
 *
 * --isolated serves the bench page with the cross-origin isolation headers
 * (COOP/COEP), so Chromium's wasm runs on threads, one per logical core.
 */
import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Browser } from 'playwright-core';
import { build } from 'vite';
import { CHROMIUM_ARGS } from '../tests/browser/chromium-args';
import { serveStatic } from '../tests/browser/server';
import { SHAPES, median, type Plan, type WorkloadResult, type WorkloadSpec } from './workloads';

const ROOT = path.resolve(import.meta.dirname, '..');
const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const quick = args.includes('--quick');
const only = opt('only', '')
  .split(',')
  .filter((s) => s.length > 0);
const outFile = path.resolve(ROOT, opt('out', 'bench/results.json'));
const log = (msg: string) => process.stderr.write(`${msg}\n`);

// --- environments and their plans ---

type EnvName =
  | 'chromium-webgpu'
  | 'chromium-webgl'
  | 'chromium-wasm'
  | 'chromium-cpu'
  | 'node-wasm'
  | 'node-cpu'
  | 'pytorch-cpu';

const ALL: WorkloadSpec[] = [
  { name: 'sft', size: 'micro' },
  { name: 'sft', size: 'nano' },
  { name: 'sample-cache', size: 'nano' },
  { name: 'sample-nocache', size: 'nano' },
  { name: 'k-pass', size: 'nano' },
  { name: 'rm-step', size: 'nano' },
  { name: 'rrhf', size: 'nano' },
  { name: 'ppo', size: 'nano' },
  { name: 'sample-cache', size: 'micro' },
  { name: 'sample-nocache', size: 'micro' },
];

interface EnvPlan {
  env: Exclude<EnvName, 'pytorch-cpu'>;
  plan: Plan;
  /** The driver abandons the environment this long after the plan's deadline. */
  graceMs: number;
}

/** Kernel comparisons, planned only where the kernels exist (webgpu). */
const KERNEL_WORKLOADS: WorkloadSpec[] = [
  { name: 'attention', size: 'nano' },
  { name: 'attention', size: 'micro' },
];

const pick = (...ids: string[]): WorkloadSpec[] =>
  ids.map((id) => [...ALL, ...KERNEL_WORKLOADS].find((w) => `${w.name}/${w.size}` === id)!);

/**
 * Budgets keep the whole run under ~15 minutes on a 2-core machine. wasm (the
 * backend that wins without a GPU) runs everything with the most repetitions.
 * WebGPU on a fallback adapter (SwiftShader, software) and the cpu backends
 * run a short list, cheapest first, and report a lone cold run where the
 * warm-up already took longer than their per-workload budget. webgl compiles a
 * shader per new shape (PITFALLS.md, trap 10): the full re-forward baseline (a
 * new sequence length every token) costs a minute of compilation there and is
 * left out, as is PPO (≈ 40 s an iteration); RRHF comes last and the deadline
 * decides.
 */
function plans(): EnvPlan[] {
  const q = (x: number) => (quick ? x / 3 : x);
  const p = (
    env: EnvPlan['env'],
    backend: string,
    reps: [min: number, max: number],
    budgetS: { workload: number; deadline: number; grace: number; coldOnlyOver?: number },
    workloads: WorkloadSpec[],
  ): EnvPlan => ({
    env,
    plan: {
      backend,
      workloads,
      minReps: quick ? 1 : reps[0],
      maxReps: quick ? Math.min(reps[1], 2) : reps[1],
      workloadBudgetMs: q(budgetS.workload) * 1000,
      deadlineMs: q(budgetS.deadline) * 1000,
      ...(budgetS.coldOnlyOver ? { coldOnlyOverMs: budgetS.coldOnlyOver * 1000 } : {}),
    },
    graceMs: budgetS.grace * 1000,
  });
  const budget = (workload: number, deadline: number, grace: number, coldOnlyOver?: number) => ({
    workload,
    deadline,
    grace,
    coldOnlyOver,
  });
  return [
    p('chromium-wasm', 'wasm', [3, 9], budget(15, 150, 60), ALL),
    p(
      'chromium-webgl',
      'webgl',
      [2, 5],
      budget(8, 100, 45, 20),
      pick(
        'sft/micro',
        'sft/nano',
        'sample-cache/nano',
        'sample-cache/micro',
        'k-pass/nano',
        'rm-step/nano',
        'rrhf/nano',
      ),
    ),
    p(
      'chromium-webgpu',
      'webgpu',
      [1, 3],
      budget(6, 130, 45, 8),
      pick(
        'attention/nano',
        'attention/micro',
        'sft/micro',
        'sft/nano',
        'sample-cache/micro',
        'k-pass/nano',
        'sample-cache/nano',
      ),
    ),
    p(
      'chromium-cpu',
      'cpu',
      [1, 3],
      budget(6, 70, 40, 8),
      pick(
        'sft/micro',
        'sample-cache/micro',
        'sample-cache/nano',
        'sample-nocache/micro',
        'k-pass/nano',
        'sft/nano',
      ),
    ),
    p('node-wasm', 'wasm', [3, 9], budget(15, 150, 60), ALL),
    p(
      'node-cpu',
      'cpu',
      [1, 3],
      budget(5, 45, 40, 8),
      pick('sft/micro', 'sample-cache/micro', 'sample-cache/nano', 'sft/nano'),
    ),
  ].filter((e) => only.length === 0 || only.includes(e.env));
}

interface EnvOutcome {
  env: EnvName;
  status: 'ok' | 'unavailable' | 'timed out' | 'failed';
  note?: string;
  info?: Record<string, unknown>;
  results: WorkloadResult[];
  wallS?: number;
  /** 1-minute load average when the environment started: the machine is shared. */
  loadAverage1m?: number;
}

interface Event {
  type: 'ready' | 'start' | 'result' | 'done' | 'fatal';
  info?: Record<string, unknown>;
  spec?: WorkloadSpec;
  result?: WorkloadResult;
  error?: string;
}

/** Collects a plan's events until `done`, a fatal error, or the hard time limit. */
class Collector {
  readonly outcome: EnvOutcome;
  private running: WorkloadSpec | null = null;
  private finish: () => void = () => {};
  readonly finished: Promise<void>;

  constructor(
    env: EnvName,
    private readonly plan: Plan,
  ) {
    this.outcome = { env, status: 'ok', results: [] };
    this.finished = new Promise((resolve) => (this.finish = resolve));
  }

  handle(e: Event): void {
    if (e.type === 'ready') this.outcome.info = e.info;
    else if (e.type === 'start' && e.spec) this.running = e.spec;
    else if (e.type === 'result' && e.result) {
      this.running = null;
      this.outcome.results.push(e.result);
      log(`  ${this.outcome.env} ${describe(e.result)}`);
    } else if (e.type === 'done') this.finish();
    else if (e.type === 'fatal') {
      this.outcome.status = /unavailable|failed/.test(e.error ?? '') ? 'unavailable' : 'failed';
      this.outcome.note = e.error;
      log(`  ${this.outcome.env}: ${e.error}`);
      this.finish();
    }
  }

  /** Marks what did not finish when the driver gave up on the environment. */
  abandon(reason: string): void {
    if (this.outcome.status === 'ok') this.outcome.status = 'timed out';
    const seen = new Set(this.outcome.results.map((r) => `${r.name}/${r.size}`));
    for (const spec of this.plan.workloads) {
      if (seen.has(`${spec.name}/${spec.size}`)) continue;
      const running = this.running?.name === spec.name && this.running.size === spec.size;
      this.outcome.results.push({ ...spec, skipped: running ? reason : 'not reached' });
    }
    this.finish();
  }
}

function describe(r: WorkloadResult): string {
  const id = `${r.name}/${r.size}`;
  if (r.skipped) return `${id}: skipped (${r.skipped})`;
  if (r.error) return `${id}: ERROR ${r.error}`;
  const extra = r.tokensPerSec ? `, ${Math.round(r.tokensPerSec)} tok/s` : '';
  const kernels = r.kernels !== undefined ? `, ${r.kernels} kernels` : '';
  return `${id}: ${fmt(r.ms)} ms median of ${r.reps}${extra}${kernels}`;
}

async function withTimeout(c: Collector, limitMs: number, onTimeout: () => Promise<void>) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      c.abandon(`stopped by the driver after ${Math.round(limitMs / 1000)} s`);
      void onTimeout().then(resolve, resolve);
    }, limitMs);
  });
  await Promise.race([c.finished, timeout]);
  clearTimeout(timer);
}

// --- Chromium ---

function chromiumPath(): string | null {
  const p = process.env.CHROME_PATH ?? '/usr/bin/chromium';
  return existsSync(p) ? p : null;
}

async function runInChromium(browser: Browser, url: string, e: EnvPlan): Promise<EnvOutcome> {
  const c = new Collector(e.env, e.plan);
  c.outcome.loadAverage1m = os.loadavg()[0];
  const context = await browser.newContext();
  const t0 = Date.now();
  try {
    const page = await context.newPage();
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') {
        log(`  [${e.env} console ${msg.type()}] ${msg.text().slice(0, 300)}`);
      }
    });
    page.on('pageerror', (err) => log(`  [${e.env} pageerror] ${err.message}`));
    page.on('crash', () => c.handle({ type: 'fatal', error: 'the page crashed' }));
    await page.exposeFunction('benchReport', (json: string) => c.handle(JSON.parse(json) as Event));
    await page.goto(url);
    await page.evaluate((plan) => {
      (window as unknown as { startBench: (p: Plan) => void }).startBench(plan);
    }, e.plan);
    await withTimeout(c, e.plan.deadlineMs + e.graceMs, async () => {});
  } catch (err) {
    c.outcome.status = 'failed';
    c.outcome.note = err instanceof Error ? err.message : String(err);
  } finally {
    await context.close().catch(() => {});
  }
  c.outcome.wallS = (Date.now() - t0) / 1000;
  return c.outcome;
}

// --- Node ---

async function runInNode(e: EnvPlan): Promise<EnvOutcome> {
  const c = new Collector(e.env, e.plan);
  c.outcome.loadAverage1m = os.loadavg()[0];
  const t0 = Date.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'bench/node-run.ts'), JSON.stringify(e.plan)],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl);
      buffer = buffer.slice(nl + 1);
      if (line.startsWith('BENCH ')) c.handle(JSON.parse(line.slice(6)) as Event);
    }
  });
  child.stderr.on('data', (chunk: Buffer) => {
    const text = chunk.toString().trim();
    // Not npm's config warning, nor tfjs's advice to install tfjs-node (the cpu backend).
    if (text && !/nodedir|tfjs-node|^=+$/m.test(text)) {
      log(`  [${e.env} stderr] ${text.slice(0, 300)}`);
    }
  });
  child.on('exit', (code) => {
    if (code !== 0 && c.outcome.status === 'ok') {
      c.handle({ type: 'fatal', error: `node exited with code ${code}` });
    }
    c.handle({ type: 'done' });
  });
  await withTimeout(c, e.plan.deadlineMs + e.graceMs, async () => {
    child.kill('SIGKILL');
  });
  c.outcome.wallS = (Date.now() - t0) / 1000;
  return c.outcome;
}

// --- PyTorch ---

const OPENBLAS_DIR = '/usr/lib/x86_64-linux-gnu/openblas-openmp';

function findTorchPython(): string | null {
  for (const py of ['/usr/bin/python3', 'python3']) {
    const r = spawnSync(py, ['-c', 'import torch'], { stdio: 'ignore', env: torchEnv() });
    if (r.status === 0) return py;
  }
  return null;
}

/** PITFALLS.md, trap 11: Debian's torch is fast only with OpenBLAS on the library path. */
function torchEnv(): NodeJS.ProcessEnv {
  if (!existsSync(OPENBLAS_DIR)) return process.env;
  const prev = process.env.LD_LIBRARY_PATH;
  return { ...process.env, LD_LIBRARY_PATH: prev ? `${OPENBLAS_DIR}:${prev}` : OPENBLAS_DIR };
}

function runTorch(): EnvOutcome {
  const env: EnvName = 'pytorch-cpu';
  const py = findTorchPython();
  if (!py) {
    return {
      env,
      status: 'unavailable',
      note: 'no python3 with torch (see BENCHMARKS.md to install it)',
      results: [],
    };
  }
  const t0 = Date.now();
  const loadAverage1m = os.loadavg()[0];
  const r = spawnSync(
    py,
    [path.join(ROOT, 'bench/torch_ref.py'), '--reps', quick ? '2' : '7', '--budget', '15'],
    { cwd: ROOT, env: torchEnv(), encoding: 'utf8', timeout: 240_000 },
  );
  if (r.status !== 0) {
    return { env, status: 'failed', note: (r.stderr || String(r.error)).slice(-500), results: [] };
  }
  const out = JSON.parse(r.stdout) as { info: Record<string, unknown>; results: WorkloadResult[] };
  for (const res of out.results) log(`  ${env} ${describe(res)}`);
  return {
    env,
    status: 'ok',
    info: { ...out.info, python: py, ldLibraryPath: torchEnv().LD_LIBRARY_PATH ?? null },
    results: out.results,
    wallS: (Date.now() - t0) / 1000,
    loadAverage1m,
  };
}

// --- cold start of the app ---

interface Transferred {
  file: string;
  bytes: number;
  gzip: number;
}

interface ColdRun {
  firstContentfulPaintMs: number | null;
  firstContentMs: number | null;
  /** The Start page's first model sample on screen (its `first-sample` mark). */
  firstSampleMs: number | null;
  loadMs: number;
  /** .js and .wasm bodies served in the first-load window (workers and service worker too). */
  files: Transferred[];
}

/** The page thread while the workers train SFT in the built app. */
interface PageDuringTraining {
  backend: string;
  model: string;
  steps: number;
  trainingMs: number;
  /** Long tasks (> 50 ms, the browser's definition) on the page thread, ms each. */
  longTasks: number[];
  /** The longest gap between animation frames, ms. */
  maxFrameGapMs: number;
  frames: number;
}

interface ColdStart {
  runs: ColdRun[];
  /** Null when the run could not be driven (it says why in `pageError`). */
  duringTraining: PageDuringTraining | null;
  pageError?: string;
  firstVisibleMs: number | null;
  firstContentfulPaintMs: number | null;
  /** Navigation → the first sample the model wrote, on screen. */
  firstSampleMs: number | null;
  loadMs: number;
  /** The last run's JS files; the sums below are medians over the runs. */
  requestedJs: Transferred[];
  requestedJsGzip: number;
  requestedJsBytes: number;
  requestedWasmGzip: number;
  allJsGzip: number;
  allJsBytes: number;
  models: { file: string; bytes: number }[];
  modelBytes: number;
}

/** What the page, its workers and its service worker fetch this long after navigation counts. */
const FIRST_LOAD_WINDOW_MS = 5000;

/** Records `window.__firstContent` = performance.now() at the first frame where #app has text. */
const FIRST_CONTENT_SCRIPT = `(() => {
  const frame = () => {
    if (document.getElementById('app')?.textContent?.trim()) {
      window.__firstContent = performance.now();
    } else {
      requestAnimationFrame(frame);
    }
  };
  requestAnimationFrame(frame);
})();`;

const gzipSize = (file: string) => gzipSync(readFileSync(file)).length;

async function coldStart(browser: Browser): Promise<ColdStart> {
  // Serve a snapshot: dist/ may be rebuilt (by others' builds) while the bench runs.
  const dist = mkdtempSync(path.join(os.tmpdir(), 'rlhf-bench-dist-'));
  cpSync(path.join(ROOT, 'dist'), dist, { recursive: true });
  const server = await serveStatic(dist);
  const origin = new URL(server.url).origin;
  const sizes = new Map<string, Transferred>();
  const sizeOf = (urlPath: string): Transferred | null => {
    const file = path.join(dist, decodeURIComponent(urlPath));
    if (!existsSync(file) || !statSync(file).isFile()) return null;
    if (!sizes.has(urlPath)) {
      sizes.set(urlPath, { file: urlPath, bytes: statSync(file).size, gzip: gzipSize(file) });
    }
    return sizes.get(urlPath)!;
  };
  const runs: ColdRun[] = [];
  let duringTraining: PageDuringTraining | null = null;
  let pageError: string | undefined;
  try {
    for (let i = 0; i < (quick ? 1 : 3); i++) {
      const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
      // First text inside #app, timed from the start of navigation. A string, not a
      // function: tsx's transform wraps named functions in a helper the page lacks.
      await context.addInitScript(FIRST_CONTENT_SCRIPT);
      // Requests of the page, its workers and its service worker (context-wide).
      const requested = new Set<string>();
      context.on('request', (req) => {
        const u = new URL(req.url());
        if (u.origin === origin && /\.(js|wasm)$/.test(u.pathname)) requested.add(u.pathname);
      });
      const page = await context.newPage();
      await page.goto(server.url, { waitUntil: 'load' });
      await page
        .waitForFunction(
          () =>
            (window as unknown as { __firstContent?: number }).__firstContent !== undefined &&
            performance.getEntriesByName('first-contentful-paint').length > 0,
          undefined,
          { timeout: 20_000 },
        )
        .catch(() => {});
      // The Start page streams a sample from the base model once it is loaded;
      // it marks `first-sample` in the frame after the first text shows.
      await page
        .waitForFunction(() => performance.getEntriesByName('first-sample').length > 0, undefined, {
          timeout: 60_000,
        })
        .catch(() => {});
      await page.waitForTimeout(FIRST_LOAD_WINDOW_MS);
      await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
      const timing = await page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const fcp = performance.getEntriesByName('first-contentful-paint')[0];
        const sample = performance.getEntriesByName('first-sample')[0];
        return {
          firstContentfulPaintMs: fcp ? fcp.startTime : null,
          firstContentMs: (window as unknown as { __firstContent?: number }).__firstContent ?? null,
          firstSampleMs: sample ? sample.startTime : null,
          loadMs: nav ? nav.loadEventEnd : 0,
        };
      });
      const files = [...requested].map(sizeOf).filter((f): f is Transferred => f !== null);
      runs.push({ ...timing, files });
      await context.close();
    }
    try {
      duringTraining = await pageDuringTraining(browser, server.url);
    } catch (e) {
      pageError = e instanceof Error ? e.message : String(e);
    }
  } finally {
    await server.close();
  }
  const assets = path.join(dist, 'assets');
  const allJs = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => sizeOf(`/assets/${f}`)!);
  rmSync(dist, { recursive: true, force: true });
  const sum = (files: Transferred[], ext: string, key: 'bytes' | 'gzip') =>
    files.filter((f) => f.file.endsWith(ext)).reduce((n, f) => n + f[key], 0);
  const modelsDir = path.join(ROOT, 'public/models');
  const models = existsSync(modelsDir)
    ? readdirSync(modelsDir)
        .filter((f) => f.endsWith('.safetensors'))
        .map((f) => ({ file: `public/models/${f}`, bytes: statSync(path.join(modelsDir, f)).size }))
    : [];
  const med = (xs: (number | null)[]) => {
    const v = xs.filter((x): x is number => x !== null);
    return v.length ? median(v) : null;
  };
  const fcp = med(runs.map((r) => r.firstContentfulPaintMs));
  const content = med(runs.map((r) => r.firstContentMs));
  return {
    runs,
    duringTraining,
    ...(pageError ? { pageError } : {}),
    // First visible content: the first paint with content, and not before #app has text.
    firstVisibleMs: fcp !== null && content !== null ? Math.max(fcp, content) : (fcp ?? content),
    firstContentfulPaintMs: fcp,
    firstSampleMs: med(runs.map((r) => r.firstSampleMs)),
    loadMs: median(runs.map((r) => r.loadMs)),
    requestedJs: runs[runs.length - 1].files.filter((f) => f.file.endsWith('.js')),
    requestedJsGzip: median(runs.map((r) => sum(r.files, '.js', 'gzip'))),
    requestedJsBytes: median(runs.map((r) => sum(r.files, '.js', 'bytes'))),
    requestedWasmGzip: median(runs.map((r) => sum(r.files, '.wasm', 'gzip'))),
    allJsGzip: sum(allJs, '.js', 'gzip'),
    allJsBytes: sum(allJs, '.js', 'bytes'),
    models,
    modelBytes: models.reduce((n, m) => n + m.bytes, 0),
  };
}

const SFT_STEPS_WATCHED = 40;

/**
 * The page thread while SFT trains in the workers: the built app on wasm with
 * the micro model, Demonstrate stage, 40 SFT steps, with every
 * long task and the longest gap between animation frames recorded. (The
 * playground's end-to-end test bounds the same thing while PPO and RRHF train.)
 */
async function pageDuringTraining(browser: Browser, url: string): Promise<PageDuringTraining> {
  const context = await browser.newContext({ viewport: { width: 1100, height: 800 } });
  try {
    const page = await context.newPage();
    const q = new URLSearchParams({ backend: 'wasm', model: 'micro', stage: 'demonstrate' });
    await page.goto(`${url}?${q}#sft.steps=${SFT_STEPS_WATCHED}`);
    await page.locator('main[data-model=ready]').waitFor({ timeout: 60_000 });
    await page.evaluate(`(() => {
      const w = window;
      w.__longTasks = [];
      w.__frames = { n: 0, last: performance.now(), maxGap: 0 };
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(e.duration);
      }).observe({ type: 'longtask' });
      const frame = (t) => {
        const f = w.__frames;
        f.maxGap = Math.max(f.maxGap, t - f.last);
        f.last = t;
        f.n++;
        requestAnimationFrame(frame);
      };
      requestAnimationFrame(frame);
    })()`);
    const t0 = Date.now();
    await page.click('button[aria-label="Train SFT"]');
    await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: 180_000 });
    const trainingMs = Date.now() - t0;
    const r = (await page.evaluate(
      '({ longTasks: window.__longTasks, frames: window.__frames })',
    )) as { longTasks: number[]; frames: { n: number; maxGap: number } };
    const steps = Number(await page.getAttribute('[data-testid=run-sft]', 'data-step'));
    return {
      backend: 'wasm',
      model: 'micro',
      steps,
      trainingMs,
      longTasks: r.longTasks.map((d) => Math.round(d)),
      maxFrameGapMs: Math.round(r.frames.maxGap),
      frames: r.frames.n,
    };
  } finally {
    await context.close();
  }
}

// --- tables ---

function fmt(x: number | undefined | null, digits = 0): string {
  if (x === undefined || x === null || !Number.isFinite(x)) return '—';
  if (Math.abs(x) >= 100 || digits === 0) {
    return Math.round(x).toLocaleString('en-US');
  }
  return x.toFixed(digits);
}

type Lookup = (env: EnvName, name: string, size: string) => WorkloadResult | undefined;

function lookupIn(outcomes: EnvOutcome[]): Lookup {
  return (env, name, size) =>
    outcomes.find((o) => o.env === env)?.results.find((r) => r.name === name && r.size === size);
}

interface Row {
  label: string;
  cell: (r: WorkloadResult) => number | undefined;
  name: string;
  size: string;
  digits?: number;
}

const SAMPLING = `${SHAPES.sampling.batch} × ${SHAPES.sampling.newTokens} new tokens`;
const ROWS: Row[] = [
  ...(['nano', 'micro'] as const).flatMap((size): Row[] => [
    { label: `Training ${size}: tokens/s`, name: 'sft', size, cell: (r) => r.tokensPerSec },
    { label: `Training ${size}: ms per step (16 × 128)`, name: 'sft', size, cell: (r) => r.ms },
    { label: `Training ${size}: kernels per step`, name: 'sft', size, cell: (r) => r.kernels },
  ]),
  ...(['nano', 'micro'] as const).flatMap((size): Row[] => [
    {
      label: `Sampling ${size}, KV cache: tokens/s (${SAMPLING})`,
      name: 'sample-cache',
      size,
      cell: (r) => r.tokensPerSec,
    },
    {
      label: `Sampling ${size}, KV cache: kernels per new token`,
      name: 'sample-cache',
      size,
      cell: (r) => (r.kernels === undefined ? undefined : r.kernels / SHAPES.sampling.newTokens),
    },
    {
      label: `Sampling ${size}, full re-forward: tokens/s`,
      name: 'sample-nocache',
      size,
      cell: (r) => r.tokensPerSec,
    },
  ]),
  { label: 'PPO iteration nano: ms', name: 'ppo', size: 'nano', cell: (r) => r.ms },
  ...['sampling', 'reward', 'policy+value+ref forward', 'updates'].map((part): Row => ({
    label: `PPO: ${part}`,
    name: 'ppo',
    size: 'nano',
    cell: (r) => r.breakdown?.[part],
  })),
  {
    label: 'PPO: minibatches skipped (ratio guard), of 16',
    name: 'ppo',
    size: 'nano',
    cell: (r) => r.extra?.minibatchesSkipped,
  },
  { label: 'RRHF iteration nano: ms', name: 'rrhf', size: 'nano', cell: (r) => r.ms },
  ...['sampling', 'reward', 'update'].map((part): Row => ({
    label: `RRHF: ${part}`,
    name: 'rrhf',
    size: 'nano',
    cell: (r) => r.breakdown?.[part],
  })),
  {
    label: 'Reward-model step nano, 8 prompts × K = 4 (6 pairs each): ms',
    name: 'rm-step',
    size: 'nano',
    cell: (r) => r.ms,
  },
  {
    label: 'RM scoring of K = 4 candidates, one pass: ms',
    name: 'k-pass',
    size: 'nano',
    cell: (r) => r.ms,
    digits: 1,
  },
  {
    label: 'RM scoring of K = 4 candidates, K passes: ms',
    name: 'k-pass',
    size: 'nano',
    cell: (r) => r.extra?.kPassesMs,
    digits: 1,
  },
  {
    label: 'one pass vs K passes: speed-up ×',
    name: 'k-pass',
    size: 'nano',
    cell: (r) => r.extra?.speedup,
    digits: 2,
  },
  ...(['nano', 'micro'] as const).flatMap((size): Row[] => [
    {
      label: `Attention ${size}, forward + backward (16 × 128): fused kernels, ms`,
      name: 'attention',
      size,
      cell: (r) => r.ms,
      digits: 1,
    },
    {
      label: `Attention ${size}: the generic op chain, ms`,
      name: 'attention',
      size,
      cell: (r) => r.extra?.genericMs,
      digits: 1,
    },
    {
      label: `Attention ${size}: fused kernels' speed-up ×`,
      name: 'attention',
      size,
      cell: (r) => r.extra?.speedup,
      digits: 2,
    },
  ]),
];

/** Column names, in column order. */
const HEADERS: Record<EnvName, string> = {
  'chromium-wasm': 'Chromium wasm',
  'chromium-webgl': 'Chromium webgl',
  'chromium-webgpu': 'Chromium webgpu',
  'chromium-cpu': 'Chromium cpu',
  'node-wasm': 'Node wasm',
  'node-cpu': 'Node cpu',
  'pytorch-cpu': 'PyTorch CPU',
};

function cellText(r: WorkloadResult | undefined, row: Row): string {
  if (!r) return '';
  if (r.error) return 'error';
  if (r.skipped)
    return r.skipped === 'not reached' || /budget/.test(r.skipped) ? 'skip' : 'timeout';
  return fmt(row.cell(r), row.digits ?? 0) + (r.coldOnly ? '*' : '');
}

const LEGEND =
  'Medians of repeated runs after one warm-up. * = a single cold run (the warm-up, with ' +
  'shader compilation), reported because the warm-up alone exceeded the backend’s per-workload ' +
  'budget: an upper bound. skip = not reached within the backend’s time budget; timeout = ' +
  'stopped by the driver; empty = not planned for that backend (bench/run.ts, plans()). ' +
  '† = fallback adapter (software).';

function pageText(cold: ColdStart): string {
  const d = cold.duringTraining;
  if (!d) return `\n\nPage thread during training: not measured (${cold.pageError ?? 'no run'}).`;
  const total = d.longTasks.reduce((a, b) => a + b, 0);
  return (
    `\n\nPage thread while ${d.steps} SFT steps trained in the workers (${d.model}, ` +
    `${d.backend}, ${fmt(d.trainingMs / 1000, 1)} s): ${d.longTasks.length} long tasks ` +
    `(> 50 ms)` +
    (d.longTasks.length
      ? `, longest ${fmt(Math.max(...d.longTasks))} ms, ${fmt(total)} ms in all`
      : '') +
    `; ${fmt(d.frames)} frames, longest gap between frames ${fmt(d.maxFrameGapMs)} ms.`
  );
}

function markdownTable(header: string[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  const sep = header.map((_, i) => (i === 0 ? '---' : '---:'));
  return [line(header), line(sep), ...rows.map(line)].join('\n');
}

function mainTable(outcomes: EnvOutcome[]): string {
  const envs = outcomes.filter((o) => o.results.length > 0);
  const find = lookupIn(outcomes);
  const header = [
    'workload (median)',
    ...envs.map((o) => {
      const fallback = (o.info?.adapter as { isFallbackAdapter?: boolean } | undefined)
        ?.isFallbackAdapter;
      return HEADERS[o.env] + (fallback ? ' †' : '');
    }),
  ];
  const rows = ROWS.filter((row) => envs.some((o) => find(o.env, row.name, row.size)));
  return markdownTable(
    header,
    rows.map((row) => [
      row.label,
      ...envs.map((o) => cellText(find(o.env, row.name, row.size), row)),
    ]),
  );
}

/** The Chromium backend the app would pick: the fastest nano training step. */
function bestChromium(outcomes: EnvOutcome[]): EnvName | null {
  const find = lookupIn(outcomes);
  let best: EnvName | null = null;
  let bestMs = Infinity;
  for (const env of [
    'chromium-webgpu',
    'chromium-webgl',
    'chromium-wasm',
    'chromium-cpu',
  ] as const) {
    const ms = find(env, 'sft', 'nano')?.ms;
    if (ms !== undefined && ms < bestMs) [best, bestMs] = [env, ms];
  }
  return best;
}

function ratioTable(outcomes: EnvOutcome[], base: EnvName): string {
  const find = lookupIn(outcomes);
  const envs = outcomes.filter((o) => o.results.some((r) => r.ms !== undefined));
  const items: [string, string, string][] = [
    ['Training nano', 'sft', 'nano'],
    ['Training micro', 'sft', 'micro'],
    ['Sampling nano, KV cache', 'sample-cache', 'nano'],
    ['Sampling nano, full re-forward', 'sample-nocache', 'nano'],
    ['Sampling micro, KV cache', 'sample-cache', 'micro'],
    ['RM step nano', 'rm-step', 'nano'],
    ['RRHF iteration nano', 'rrhf', 'nano'],
    ['PPO iteration nano', 'ppo', 'nano'],
  ];
  const rows = items
    .filter(([, n, s]) => find(base, n, s)?.ms !== undefined)
    .map(([label, n, s]) => {
      const b = find(base, n, s)!.ms!;
      return [
        label,
        ...envs.map((o) => {
          const ms = find(o.env, n, s)?.ms;
          return ms === undefined ? '' : `${(ms / b).toFixed(2)}×`;
        }),
      ];
    });
  return markdownTable([`time ÷ ${HEADERS[base]}`, ...envs.map((o) => HEADERS[o.env])], rows);
}

interface Target {
  target: string;
  measured: string;
  met: boolean | null;
}

function targets(outcomes: EnvOutcome[], cold: ColdStart | null): Target[] {
  const find = lookupIn(outcomes);
  const ours = bestChromium(outcomes);
  const torch = (n: string, s: string) => find('pytorch-cpu', n, s);
  const out: Target[] = [];
  const label = ours ? HEADERS[ours] : 'no Chromium result';
  const o = (n: string, s: string) => (ours ? find(ours, n, s) : undefined);
  const sft = o('sft', 'nano');
  const tSft = torch('sft', 'nano');
  out.push({
    target: 'nano training step ≤ 3.5 × PyTorch-CPU step time',
    measured:
      sft?.ms && tSft?.ms
        ? `${fmt(sft.ms)} ms (${label}) / ${fmt(tSft.ms)} ms = ${(sft.ms / tSft.ms).toFixed(2)}×`
        : 'not measured',
    met: sft?.ms && tSft?.ms ? sft.ms / tSft.ms <= 3.5 : null,
  });
  out.push({
    target: 'nano training step < 2,000 kernels',
    measured:
      sft?.kernels !== undefined ? `${fmt(sft.kernels)} kernels (${label})` : 'not measured',
    met: sft?.kernels !== undefined ? sft.kernels < 2000 : null,
  });
  const cached = o('sample-cache', 'nano');
  const uncached = o('sample-nocache', 'nano');
  const tCached = torch('sample-cache', 'nano');
  out.push({
    target: "KV-cache sampling ≥ 50% of PyTorch-CPU's cached tokens/s (nano)",
    measured:
      cached?.tokensPerSec && tCached?.tokensPerSec
        ? `${fmt(cached.tokensPerSec)} / ${fmt(tCached.tokensPerSec)} tok/s = ` +
          `${((100 * cached.tokensPerSec) / tCached.tokensPerSec).toFixed(1)}%`
        : 'not measured',
    met:
      cached?.tokensPerSec && tCached?.tokensPerSec
        ? cached.tokensPerSec >= 0.5 * tCached.tokensPerSec
        : null,
  });
  out.push({
    target: 'KV-cache sampling ≥ 5 × our full re-forward (nano)',
    measured:
      cached?.tokensPerSec && uncached?.tokensPerSec
        ? `${fmt(cached.tokensPerSec)} / ${fmt(uncached.tokensPerSec)} tok/s = ` +
          `${(cached.tokensPerSec / uncached.tokensPerSec).toFixed(2)}×`
        : 'not measured',
    met:
      cached?.tokensPerSec && uncached?.tokensPerSec
        ? cached.tokensPerSec >= 5 * uncached.tokensPerSec
        : null,
  });
  const k = o('k-pass', 'nano');
  out.push({
    target: 'one forward pass over K candidates ≥ 2 × faster than K passes',
    measured: k?.extra
      ? `${fmt(k.extra.kPassesMs, 1)} ms / ${fmt(k.ms, 1)} ms = ${k.extra.speedup.toFixed(2)}×`
      : 'not measured',
    met: k?.extra ? k.extra.speedup >= 2 : null,
  });
  out.push({
    target: 'first-load JS ≤ 1.5 MB gzip',
    measured: cold
      ? `${(cold.requestedJsGzip / 1e6).toFixed(2)} MB gzip requested at startup ` +
        `(${cold.requestedJs.length} files; all JS in dist: ${(cold.allJsGzip / 1e6).toFixed(2)} MB)`
      : 'not measured',
    met: cold ? cold.requestedJsGzip <= 1.5e6 : null,
  });
  const sampleMs = cold?.firstSampleMs ?? null;
  out.push({
    target: 'first sample visible ≤ 3 s',
    measured:
      sampleMs !== null
        ? `${fmt(sampleMs)} ms (first page content ${fmt(cold?.firstVisibleMs)} ms)`
        : 'not measured',
    met: sampleMs !== null ? sampleMs <= 3000 : null,
  });
  return out;
}

function torchTable(outcomes: EnvOutcome[]): string | null {
  const find = lookupIn(outcomes);
  if (!outcomes.some((o) => o.env === 'pytorch-cpu' && o.results.length > 0)) return null;
  const envs = outcomes.filter((o) => o.env !== 'pytorch-cpu' && o.results.length > 0);
  const items: [string, string, string, boolean][] = [
    ['Training nano (step time)', 'sft', 'nano', true],
    ['Training micro (step time)', 'sft', 'micro', true],
    ['Sampling nano, KV cache (tokens/s)', 'sample-cache', 'nano', false],
    ['Sampling nano, full re-forward (tokens/s)', 'sample-nocache', 'nano', false],
    ['Sampling micro, KV cache (tokens/s)', 'sample-cache', 'micro', false],
    ['Sampling micro, full re-forward (tokens/s)', 'sample-nocache', 'micro', false],
  ];
  const rows = items.map(([label, n, s, time]) => [
    label,
    ...envs.map((o) => {
      const a = find(o.env, n, s);
      const b = find('pytorch-cpu', n, s);
      if (!a?.ms || !b?.ms) return '';
      return time ? `${(a.ms / b.ms).toFixed(2)}×` : `${((100 * b.ms) / a.ms).toFixed(1)}%`;
    }),
  ]);
  return markdownTable(['ours / PyTorch-CPU', ...envs.map((o) => HEADERS[o.env])], rows);
}

/** One line per environment: status, what it ran on, the load it ran under. */
function envNote(o: EnvOutcome): string {
  const parts: string[] = [o.status + (o.note ? ` (${o.note})` : '')];
  const info = o.info ?? {};
  const a = info.adapter as Record<string, unknown> | undefined;
  if (a) {
    parts.push(
      `adapter ${[a.vendor, a.architecture, a.description].filter(Boolean).join(' / ')}` +
        (a.isFallbackAdapter ? ', a fallback adapter (software): short, capped workloads' : ''),
    );
  }
  if (info.wasmSimd !== undefined) {
    parts.push(`SIMD ${info.wasmSimd ? 'on' : 'off'}, threads ${info.wasmThreads ? 'on' : 'off'}`);
  }
  if (info.webglRenderer) parts.push(`renderer ${String(info.webglRenderer)}`);
  if (info.torch) {
    parts.push(
      `torch ${String(info.torch)}, ${String(info.threads)} thread(s), 512³ GEMM ` +
        `${String(info.gemmGflops)} GFLOP/s, LD_LIBRARY_PATH=${String(info.ldLibraryPath)}`,
    );
  }
  if (o.wallS !== undefined) parts.push(`${Math.round(o.wallS)} s`);
  if (o.loadAverage1m !== undefined) parts.push(`load ${o.loadAverage1m.toFixed(2)} at start`);
  return parts.join('; ');
}

// --- machine ---

function machine(browserVersion: string | null): Record<string, unknown> {
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model ?? 'unknown',
    cores: cpus.length,
    memoryGiB: +(os.totalmem() / 2 ** 30).toFixed(1),
    loadAverage1m: os.loadavg()[0],
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    chromium: browserVersion,
  };
}

// --- main ---

async function main() {
  const started = Date.now();
  const wantChromium = only.length === 0 || only.some((o) => o.startsWith('chromium'));
  const wantCold = !args.includes('--no-cold') && (only.length === 0 || only.includes('cold'));
  const wantTorch =
    !args.includes('--no-torch') && (only.length === 0 || only.includes('pytorch-cpu'));

  const exe = chromiumPath();
  let browser: Browser | null = null;
  if ((wantChromium || wantCold) && exe) {
    browser = await chromium.launch({ executablePath: exe, headless: true, args: CHROMIUM_ARGS });
  } else if (wantChromium || wantCold) {
    log('No Chromium at /usr/bin/chromium (or CHROME_PATH): the browser rows are skipped.');
  }
  const mach = machine(browser?.version() ?? null);
  log(`bench: ${mach.cpu}, ${mach.cores} cores, load ${Number(mach.loadAverage1m).toFixed(2)}`);

  let cold: ColdStart | null = null;
  const outcomes: EnvOutcome[] = [];
  try {
    if (browser && wantCold) {
      if (!existsSync(path.join(ROOT, 'dist/index.html'))) {
        log('dist/ is missing: building the app (npx vite build) ...');
        const r = spawnSync('npx', ['vite', 'build', '--logLevel', 'warn'], {
          cwd: ROOT,
          stdio: 'inherit',
        });
        if (r.status !== 0) throw new Error('npx vite build failed');
      }
      log('cold start of the app ...');
      cold = await coldStart(browser);
      log(
        `  first visible ${fmt(cold.firstVisibleMs)} ms, first sample ` +
          `${fmt(cold.firstSampleMs)} ms, JS at startup ` +
          `${fmt(cold.requestedJsGzip / 1024)} KiB gzip`,
      );
      log(`  ${pageText(cold).trim()}`);
    }

    // PyTorch runs right after Chromium wasm (the usual winner) so that the
    // "ours / PyTorch" ratios compare runs close in time on this shared machine.
    let torchDone = !wantTorch;
    const torchNow = () => {
      if (torchDone) return;
      torchDone = true;
      log('pytorch-cpu (bench/torch_ref.py) ...');
      outcomes.push(runTorch());
    };
    const envPlans = plans();
    if (browser && envPlans.some((e) => e.env.startsWith('chromium'))) {
      log('building the bench page (bench/vite.config.ts) ...');
      await build({ configFile: path.join(ROOT, 'bench/vite.config.ts'), logLevel: 'warn' });
      const server = await serveStatic(path.join(ROOT, 'bench/dist'), {
        isolated: args.includes('--isolated'),
      });
      try {
        for (const e of envPlans.filter((p) => p.env.startsWith('chromium'))) {
          log(`${e.env} ...`);
          outcomes.push(await runInChromium(browser, server.url, e));
          if (e.env === 'chromium-wasm') torchNow();
        }
      } finally {
        await server.close();
      }
    }
    await browser?.close();
    browser = null;
    for (const e of envPlans.filter((p) => p.env.startsWith('node'))) {
      log(`${e.env} ...`);
      outcomes.push(await runInNode(e));
    }
    torchNow();
  } finally {
    await browser?.close();
  }

  const order = Object.keys(HEADERS);
  outcomes.sort((a, b) => order.indexOf(a.env) - order.indexOf(b.env));
  const ours = bestChromium(outcomes);
  const table = mainTable(outcomes);
  const ratios = ours ? ratioTable(outcomes, ours) : null;
  const torchRatios = torchTable(outcomes);
  const tgs = targets(outcomes, cold);
  const notes = outcomes.map((o) => `- ${HEADERS[o.env]}: ${envNote(o)}`);
  const coldText = cold
    ? [
        `Cold start of the app (dist/, headless Chromium, median of ${cold.runs.length}): ` +
          `first sample on screen ${fmt(cold.firstSampleMs)} ms, first visible content ` +
          `${fmt(cold.firstVisibleMs)} ms (first contentful paint ` +
          `${fmt(cold.firstContentfulPaintMs)} ms), load event ${fmt(cold.loadMs)} ms; JS requested ` +
          `at startup ${fmt(cold.requestedJsGzip / 1024)} KiB gzip in ${cold.requestedJs.length} ` +
          `files (${fmt(cold.requestedJsBytes / 1024)} KiB raw), wasm ` +
          `${fmt(cold.requestedWasmGzip / 1024)} KiB gzip; all JS in dist/assets ` +
          `${fmt(cold.allJsGzip / 1024)} KiB gzip; shipped models ` +
          (cold.models.length
            ? `${fmt(cold.modelBytes / 1024)} KiB in ${cold.models.length} files`
            : 'none in public/models yet'),
        pageText(cold),
      ].join('')
    : null;
  const targetTable = markdownTable(
    ['target', 'measured', 'met'],
    tgs.map((t) => [t.target, t.measured, t.met === null ? '—' : t.met ? 'met' : 'not met']),
  );
  const text = [
    `Machine: ${mach.cpu}, ${mach.cores} cores, ${mach.memoryGiB} GiB, ${mach.os}, Node ` +
      `${mach.node}, Chromium ${mach.chromium ?? '—'}; 1-min load average at start ` +
      `${Number(mach.loadAverage1m).toFixed(2)}.`,
    '',
    table,
    '',
    LEGEND,
    '',
    ...(notes.length ? [...notes, ''] : []),
    ...(ratios ? [ratios, ''] : []),
    ...(torchRatios ? [torchRatios, ''] : []),
    ...(coldText ? [coldText, ''] : []),
    `Targets (ours = ${ours ? HEADERS[ours] : '—'}, the fastest Chromium backend):`,
    '',
    targetTable,
  ].join('\n');
  process.stdout.write(`\n${text}\n`);
  const results = {
    date: new Date().toISOString(),
    wallS: (Date.now() - started) / 1000,
    quick,
    machine: mach,
    shapes: SHAPES,
    ours,
    environments: outcomes,
    coldStart: cold,
    targets: tgs,
    markdown: text,
  };
  writeFileSync(outFile, JSON.stringify(results, null, 2) + '\n');
  log(`\nwrote ${path.relative(ROOT, outFile)} (${Math.round((Date.now() - started) / 1000)} s)`);
}

await main();
