// The pure half of backend selection: what to measure, in which order, how to
// pick from the measurements and how to explain the pick. No tfjs here, so
// the rules are unit-tested in Node (tests/unit/workers/backend-decision.test.ts).
import { ArgumentError } from '../src/core/errors';
import type { GPTConfig, ModelSize } from '../src/core/model/config';
import { mulberry32 } from '../src/core/random';
import type { Sequence } from '../src/core/train/batch';
import type { BackendName } from './backend';

/** Preference order; also the order tried after a lost device. */
export const CANDIDATES: readonly BackendName[] = ['webgpu', 'webgl', 'wasm', 'cpu'];

export const LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

/** A measurement this many times slower than the best first step is cut short. */
export const CLEARLY_SLOW = 8;
/**
 * Measured ms per step (on MEASURE_CONFIG) up to which nano is the default
 * model. A 2-core laptop measures ~36 ms on wasm (~100 ms while other work
 * loads its cores), where nano's whole default lesson (SFT, reward model, PPO)
 * takes a few minutes; micro would be faster but writes too much garble for a
 * person's taste to show in it (docs/lessons.md). Only far slower machines get
 * micro.
 */
export const NANO_MS_PER_STEP = { gpu: 60, cpu: 200 };

export interface AdapterSummary {
  vendor: string;
  architecture: string;
  isFallback: boolean | null;
}

export interface CandidateResult {
  backend: BackendName;
  status: 'measured' | 'unavailable' | 'failed' | 'skipped';
  /** Mean of the timed steps, or the first step alone when cut short (see `timedSteps`). */
  msPerStep: number | null;
  firstStepMs: number | null;
  /** 0 when only the first step (which includes compiling kernels) ran. */
  timedSteps: number;
  /** A fallback WebGPU adapter or a software WebGL renderer. */
  software: boolean;
  /** English, for logs; the page words a result from the fields around it and `detail`. */
  note: string;
  /** Not measured on purpose: cpu (wasm runs), or a software renderer / fallback adapter. */
  skip?: 'cpu' | 'software';
  /** The software renderer or fallback adapter's name, or the error that stopped it. */
  detail?: string;
}

export interface BackendReport {
  backend: BackendName;
  /** The WebGPU adapter found, whether or not webgpu was chosen; null without one. */
  adapter: AdapterSummary | null;
  msPerStep: Partial<Record<BackendName, number | null>>;
  candidates: CandidateResult[];
  /** Why, in English (logs, the worker lab); the page words it from the fields. */
  reason: string;
  source: 'measured' | 'cache' | 'override';
  override: {
    requested: BackendName;
    honoured: boolean;
    message: string;
    /** Who asked: `?backend=wasm`, an embed's message… */
    by?: string;
    /** Why it could not be honoured. */
    error?: string;
  } | null;
  /**
   * webgpu only: whether attention runs on the fused kernels, which check
   * themselves against float64 first (largest relative error), or why not.
   */
  attention?: { fused: boolean; error: number | null; failure?: string };
  /** The default model size for this backend's speed. */
  modelSize: ModelSize;
  /**
   * wasm only: the threads its kernels run on. 1 unless the page is
   * cross-origin isolated (COOP/COEP headers), which threads need.
   */
  threads?: number;
}

export function isBackendName(s: unknown): s is BackendName {
  return typeof s === 'string' && (CANDIDATES as readonly string[]).includes(s);
}

/** Validates an override coming from a URL or an API call. */
export function parseBackendName(s: unknown): BackendName {
  if (isBackendName(s)) return s;
  throw new ArgumentError(
    'backend',
    `is ${JSON.stringify(s)}; expected one of ${CANDIDATES.join(', ')}`,
  );
}

/**
 * Order of measurement: hardware candidates first, so that the software ones
 * (slow to compile and to run) can be cut short against a known-good time;
 * cpu only when wasm fails (wasm beats cpu wherever both run, PITFALLS.md).
 */
export function measurementOrder(software: Partial<Record<BackendName, boolean>>): BackendName[] {
  const hw = CANDIDATES.filter((b) => b !== 'cpu' && !software[b]);
  const sw = CANDIDATES.filter((b) => b !== 'cpu' && software[b]);
  return [...hw, 'cpu', ...sw];
}

/** Backends to try after `lost` failed, in preference order, starting with itself. */
export function recoveryOrder(lost: BackendName): BackendName[] {
  const i = CANDIDATES.indexOf(lost);
  return [...CANDIDATES.slice(i), ...CANDIDATES.slice(0, i)];
}

/** The default model for a backend: nano where it trains briskly, else micro. */
export function modelSizeFor(
  backend: BackendName,
  msPerStep: number | null,
  software: boolean,
): ModelSize {
  const gpu = (backend === 'webgpu' || backend === 'webgl') && !software;
  if (msPerStep === null) return gpu && backend === 'webgpu' ? 'nano' : 'micro';
  return msPerStep <= NANO_MS_PER_STEP[gpu ? 'gpu' : 'cpu'] ? 'nano' : 'micro';
}

const ms = (x: number) => `${Math.round(x)} ms`;

function describe(c: CandidateResult, best: CandidateResult | null): string {
  const name = LABELS[c.backend];
  if (c.status !== 'measured' || c.msPerStep === null) return `${name} ${c.status} (${c.note})`;
  const timing =
    c.timedSteps > 0 ? `${ms(c.msPerStep)}/step` : `${ms(c.msPerStep)} for the first step`;
  // A first step (kernel compilation included) is compared with a first step.
  const ref = best && (c.timedSteps > 0 ? best.msPerStep : best.firstStepMs);
  const slower =
    best && best !== c && ref
      ? `, ${(c.msPerStep / ref).toFixed(1)}× slower${c.timedSteps > 0 ? '' : ` than ${LABELS[best.backend]}'s first`}`
      : '';
  return `${name} ${timing}${c.note ? ` (${c.note})` : ''}${slower}`;
}

/** Picks the fastest measured candidate (ties go to the preferred one) and says why. */
export function decide(results: CandidateResult[]): { backend: BackendName; reason: string } {
  const ok = results.filter((r) => r.status === 'measured' && r.msPerStep !== null);
  if (ok.length === 0) {
    const why = results.map((r) => describe(r, null)).join('; ');
    throw new Error(`no tfjs backend could run a training step here: ${why}`);
  }
  const rank = (r: CandidateResult) => CANDIDATES.indexOf(r.backend);
  const best = ok.reduce((a, b) =>
    (b.msPerStep as number) < (a.msPerStep as number) ||
    (b.msPerStep === a.msPerStep && rank(b) < rank(a))
      ? b
      : a,
  );
  const others = results.filter((r) => r !== best).map((r) => describe(r, best));
  const reason =
    `${LABELS[best.backend]} is the fastest here: ${describe(best, null)}` +
    (others.length ? `; ${others.join('; ')}` : '');
  return { backend: best.backend, reason };
}

/** The IndexedDB key of a device: the browser plus what it says about its GPU. */
export function cacheKey(
  userAgent: string,
  adapter: { vendor: string; architecture: string; description: string } | null,
  isFallback: boolean | null,
  glRenderer: string | null,
): string {
  const gpu = adapter
    ? `${adapter.vendor}/${adapter.architecture}/${adapter.description}/fallback=${isFallback}`
    : 'none';
  return `v1 | ${userAgent} | webgpu: ${gpu} | webgl: ${glRenderer ?? 'none'}`;
}

/** The shape of the micro model at a short context: cheap to measure, representative to train. */
export const MEASURE_CONFIG: GPTConfig = {
  vocabSize: 64,
  blockSize: 32,
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
};
export const MEASURE_BATCH = 8;

export function measureBatch(): Sequence[] {
  const rng = mulberry32(7);
  const { vocabSize, blockSize } = MEASURE_CONFIG;
  return Array.from({ length: MEASURE_BATCH }, () => {
    const ids = Array.from({ length: blockSize }, () => 4 + Math.floor(rng() * (vocabSize - 4)));
    return { prompt: ids.slice(0, 1), response: ids.slice(1) };
  });
}
