// Backend selection, run inside a worker (tfjs backends are per realm): an
// override if it can be honoured, else the cached choice for this device, else
// a short measured training step on each plausible candidate, fastest wins.
// The rules themselves (order, decision, wording) live in backend-decision.ts.
//
// Candidates are measured one after another in this worker, and the ones that
// lose are released (a WebGPU device, a WebGL context) before training starts.
// Software candidates (a fallback WebGPU adapter, a SwiftShader WebGL) are not
// measured when wasm works: they have been far slower everywhere, and their
// shader compilation alone would hold a first visit up for seconds. Where wasm
// fails they go last, and stop after one step once it is clearly slower than
// the best first step.
import { errorMessage } from '../src/core/errors';
import { SftTrainer, createGPT, largestError, verifyFusedAttention } from '../src/core';
import {
  initBackend,
  isSoftwareRenderer,
  releaseBackend,
  webglRenderer,
  wasmThreads,
  webgpuAdapter,
  type AdapterReport,
  type BackendInfo,
  type BackendName,
} from './backend';
import { readChoice, writeChoice } from './backend-cache';
import {
  CANDIDATES,
  CLEARLY_SLOW,
  LABELS,
  cacheKey,
  decide,
  measurementOrder,
  modelSizeFor,
  MEASURE_CONFIG,
  measureBatch,
  type AdapterSummary,
  type BackendReport,
  type CandidateResult,
} from './backend-decision';

const TIMED_STEPS = 2;

export interface SelectOptions {
  /** A backend asked for by the URL (or by the page for a restarted worker). */
  override?: BackendName | null;
  /** Who asked for the override, for the report ("?backend=", "a restart"). */
  requestedBy?: string;
  useCache?: boolean;
}

const safely = <T>(fn: () => T): T | null => {
  try {
    return fn();
  } catch {
    return null;
  }
};

/** Times SFT steps on `backend`; the first (kernel compilation) apart from the rest. */
async function measure(
  backend: BackendName,
  software: boolean,
  softwareNote: string,
  cutAfterMs: number | null,
): Promise<CandidateResult> {
  const base = { backend, msPerStep: null, firstStepMs: null, timedSteps: 0, software };
  try {
    await initBackend(backend);
  } catch (e) {
    return { ...base, status: 'unavailable', note: errorMessage(e), detail: errorMessage(e) };
  }
  const model = createGPT(MEASURE_CONFIG, 1);
  const trainer = new SftTrainer(model, { lr: 1e-3 });
  const batch = measureBatch();
  try {
    let t0 = performance.now();
    await trainer.step(batch);
    const first = performance.now() - t0;
    if (cutAfterMs !== null && first > cutAfterMs) {
      const note = `${softwareNote}; stopped after the first step, over ${CLEARLY_SLOW}× the best first step`;
      return { ...base, status: 'measured', msPerStep: first, firstStepMs: first, note };
    }
    const times: number[] = [];
    for (let i = 0; i < TIMED_STEPS; i++) {
      t0 = performance.now();
      await trainer.step(batch);
      times.push(performance.now() - t0);
    }
    const msPerStep = times.reduce((a, b) => a + b, 0) / times.length;
    return {
      ...base,
      status: 'measured',
      msPerStep,
      firstStepMs: first,
      timedSteps: TIMED_STEPS,
      note: softwareNote,
    };
  } catch (e) {
    return { ...base, status: 'failed', note: errorMessage(e), detail: errorMessage(e) };
  } finally {
    trainer.dispose();
    model.dispose();
  }
}

function summarise(a: AdapterReport | null): AdapterSummary | null {
  return a
    ? { vendor: a.vendor, architecture: a.architecture, isFallback: a.isFallbackAdapter }
    : null;
}

/** The backends that run on software rendering here: a fallback WebGPU adapter, a software WebGL renderer. */
function softwareBackends(
  adapter: AdapterReport | null,
  renderer: string | null,
): Partial<Record<BackendName, boolean>> {
  return {
    webgpu: adapter?.isFallbackAdapter === true,
    webgl: renderer !== null && isSoftwareRenderer(renderer),
  };
}

/** Measures the candidates and picks one; leaves the winner initialised. */
async function measureAll(adapter: AdapterReport | null, renderer: string | null) {
  const software = softwareBackends(adapter, renderer);
  // The software renderer or fallback adapter by name; the English note says what it is.
  const names: Partial<Record<BackendName, string>> = {
    webgpu: software.webgpu ? adapter?.architecture || adapter?.vendor : undefined,
    webgl: software.webgl
      ? (/swiftshader|llvmpipe/i.exec(renderer ?? '')?.[0] ?? renderer ?? undefined)
      : undefined,
  };
  const notes: Partial<Record<BackendName, string>> = {
    webgpu: software.webgpu ? `fallback adapter: ${names.webgpu}` : '',
    webgl: software.webgl ? `software renderer: ${names.webgl}` : '',
  };
  const results: CandidateResult[] = [];
  const skipped = (
    backend: BackendName,
    note: string,
    skip: 'cpu' | 'software',
  ): CandidateResult => ({
    backend,
    status: 'skipped',
    msPerStep: null,
    firstStepMs: null,
    timedSteps: 0,
    software: Boolean(software[backend]),
    note,
    skip,
    ...(names[backend] ? { detail: names[backend] } : {}),
  });
  for (const b of measurementOrder(software)) {
    const wasmWorks = results.some((r) => r.backend === 'wasm' && r.status === 'measured');
    if (b === 'cpu' && wasmWorks) {
      results.push(
        skipped(b, 'not measured: wasm works and is faster than cpu wherever both run', 'cpu'),
      );
      continue;
    }
    if (software[b] && wasmWorks) {
      // A first visit would wait ~10 s for SwiftShader to compile its shaders,
      // to learn what every measurement so far says: software WebGPU and WebGL
      // train 6–350× slower than wasm (BENCHMARKS.md). ?probe= still measures them.
      const note = `${notes[b]}; not measured: software rendering trains far slower than wasm (?probe=${b} measures it)`;
      results.push(skipped(b, note, 'software'));
      continue;
    }
    const firsts = results.flatMap((r) => (r.firstStepMs === null ? [] : [r.firstStepMs]));
    const cut = software[b] && firsts.length ? CLEARLY_SLOW * Math.min(...firsts) : null;
    const measured = await measure(b, Boolean(software[b]), notes[b] ?? '', cut);
    results.push(names[b] && !measured.detail ? { ...measured, detail: names[b] } : measured);
  }
  const { backend, reason } = decide(results);
  for (const b of ['webgpu', 'webgl'] as const) if (b !== backend) releaseBackend(b);
  const info = await initBackend(backend);
  results.sort((x, y) => CANDIDATES.indexOf(x.backend) - CANDIDATES.indexOf(y.backend));
  return { info, results, reason };
}

/**
 * Picks and initialises this worker's tfjs backend; the report says what and
 * why. On webgpu the fused attention kernels check themselves against float64
 * first (src/core/ops/attention-check.ts); kernels that fail are switched
 * off, and the report's reason says which path attention takes.
 */
export async function selectBackend(
  opts: SelectOptions = {},
): Promise<{ report: BackendReport; info: BackendInfo }> {
  const chosen = await chooseBackend(opts);
  if (chosen.info.backend === 'wasm') {
    return { ...chosen, report: { ...chosen.report, threads: wasmThreads() } };
  }
  if (chosen.info.backend !== 'webgpu') return chosen;
  let note: string;
  let attention: BackendReport['attention'];
  try {
    const check = await verifyFusedAttention();
    if (!check) return chosen;
    const worst = largestError(check);
    attention = { fused: check.ok, error: worst };
    note = check.ok
      ? `Attention runs on fused WebGPU kernels (checked against float64: largest relative error ${worst.toExponential(1)}).`
      : `The fused attention kernels failed their check against float64 on this GPU (relative error ${worst.toExponential(1)}), so attention runs on the generic ops.`;
  } catch (e) {
    attention = { fused: false, error: null, failure: errorMessage(e) };
    note = `The fused attention kernels failed on this GPU (${errorMessage(e)}), so attention runs on the generic ops.`;
  }
  const reason = `${chosen.report.reason} ${note}`;
  return { ...chosen, report: { ...chosen.report, reason, attention } };
}

async function chooseBackend(
  opts: SelectOptions,
): Promise<{ report: BackendReport; info: BackendInfo }> {
  const adapter = await webgpuAdapter().catch(() => null);
  const summary = summarise(adapter);
  let override: BackendReport['override'] = null;
  if (opts.override) {
    const by = opts.requestedBy ?? `?backend=${opts.override}`;
    try {
      const info = await initBackend(opts.override);
      const renderer = opts.override === 'webgl' ? safely(webglRenderer) : null;
      const software = Boolean(softwareBackends(adapter, renderer)[opts.override]);
      // Only the backend is chosen for the page; the model's size still follows its speed,
      // as it would have had the page chosen this backend itself. Software rendering is not
      // timed (seconds of shader compilation, to learn that micro is the size).
      const timed = software ? null : await measure(opts.override, false, '', null);
      const measured = timed?.status === 'measured' ? timed : null;
      const ms = measured?.msPerStep ?? null;
      const report: BackendReport = {
        backend: opts.override,
        adapter: summary,
        msPerStep: ms === null ? {} : { [opts.override]: ms },
        candidates: measured ? [measured] : [],
        reason:
          ms === null
            ? `${LABELS[opts.override]} was asked for (${by}); not measured${timed ? ` (${timed.note})` : ''}`
            : `${LABELS[opts.override]} was asked for (${by}): ${Math.round(ms)} ms per step`,
        source: 'override',
        override: {
          requested: opts.override,
          honoured: true,
          message: `using ${opts.override} as asked (${by})`,
          by,
        },
        modelSize: modelSizeFor(opts.override, ms, software),
      };
      return { report, info };
    } catch (e) {
      const why = `${by} cannot be honoured: ${errorMessage(e)}. Chose a backend by measurement instead.`;
      override = {
        requested: opts.override,
        honoured: false,
        message: why,
        by,
        error: errorMessage(e),
      };
    }
  }

  const renderer = safely(webglRenderer);
  const key = cacheKey(navigator.userAgent, adapter, adapter?.isFallbackAdapter ?? null, renderer);
  const cached = opts.useCache === false ? null : await readChoice(key);
  if (cached) {
    try {
      const info = await initBackend(cached.backend);
      return { report: { ...cached, source: 'cache', override }, info };
    } catch {
      // The device changed under the same description: measure again.
    }
  }
  const { info, results, reason } = await measureAll(adapter, renderer);
  const msPerStep = Object.fromEntries(results.map((r) => [r.backend, r.msPerStep]));
  const winner = results.find((r) => r.backend === info.backend);
  const report: BackendReport = {
    backend: info.backend,
    adapter: summary,
    msPerStep,
    candidates: results,
    reason,
    source: 'measured',
    override: null,
    modelSize: modelSizeFor(info.backend, winner?.msPerStep ?? null, winner?.software ?? false),
  };
  await writeChoice(key, report);
  return { report: { ...report, override }, info };
}
