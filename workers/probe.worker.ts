// Backend probe: a few Adam steps of a tiny GPT on one tfjs backend, timed.
// The page runs one of these per candidate backend, each in a fresh worker
// (tfjs backends are per realm), to choose a backend by measurement and to
// check that all backends compute the same loss.
import * as tf from '@tensorflow/tfjs';
import { expose } from 'comlink';
import { createGPT } from '../src/core/model/gpt';
import { lmLoss } from '../src/core/model/lm-losses';
import type { GPTConfig } from '../src/core/model/config';
import { mulberry32 } from '../src/core/random';
import { checkAttention, type AttentionCheck } from '../src/core/ops/attention-check';
import {
  BackendUnavailableError,
  initBackend,
  type AdapterReport,
  type BackendName,
} from './backend';

export const PROBE_CONFIG: GPTConfig = {
  vocabSize: 64,
  blockSize: 32,
  nLayer: 2,
  nHead: 4,
  nEmbd: 64,
};
const BATCH = 16;

export interface ProbeOptions {
  seed: number;
  /** Training steps; the first is a warm-up (kernel compilation) and is not timed. */
  steps?: number;
}

export interface ProbeResult {
  backend: BackendName;
  /** The backend started and every step gave a finite loss. */
  ok: boolean;
  /** False when the backend cannot run here at all (e.g. no WebGPU adapter). */
  available: boolean;
  error?: string;
  adapter?: AdapterReport;
  firstLoss: number;
  losses: number[];
  /** Mean over the steps after the first; NaN with fewer than 2 steps. */
  msPerStep: number;
  /** tf.memory().numTensors after cleanup minus before; must be 0. */
  leakedTensors: number;
  /** Self-attention on this backend against float64 (attention-check.ts). */
  attention?: AttentionCheck;
}

/** BATCH × blockSize token ids from a seeded generator: identical on every backend. */
function randomIds(seed: number): tf.Tensor2D {
  const rng = mulberry32(seed);
  const { vocabSize, blockSize } = PROBE_CONFIG;
  const ids = Int32Array.from({ length: BATCH * blockSize }, () => Math.floor(rng() * vocabSize));
  return tf.tensor2d(ids, [BATCH, blockSize], 'int32');
}

async function probe(backend: BackendName, opts: ProbeOptions): Promise<ProbeResult> {
  const steps = opts.steps ?? 3;
  const result: ProbeResult = {
    backend,
    ok: false,
    available: false,
    firstLoss: NaN,
    losses: [],
    msPerStep: NaN,
    leakedTensors: 0,
  };
  try {
    const info = await initBackend(backend);
    result.available = true;
    if (info.adapter) result.adapter = info.adapter;
  } catch (e) {
    result.error = e instanceof BackendUnavailableError ? e.message : `${String(e)}`;
    return result;
  }

  const before = tf.memory().numTensors;
  try {
    result.attention = await checkAttention();
  } catch (e) {
    result.error = `attention check: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
    return result;
  }
  const model = createGPT(PROBE_CONFIG, opts.seed);
  const ids = randomIds(opts.seed + 1);
  // Epsilon explicit: the default follows the backend (1e-4 on 16-bit WebGL).
  const optimizer = tf.train.adam(1e-3, 0.9, 0.999, 1e-8);
  try {
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      const loss = optimizer.minimize(() => lmLoss(model, ids), true, model.variables);
      if (!loss) throw new Error('optimizer.minimize returned no loss');
      // Reading the loss waits for the step to finish (GPU work is async).
      const [value] = await loss.data();
      loss.dispose();
      times.push(performance.now() - t0);
      result.losses.push(value);
    }
    result.firstLoss = result.losses[0] ?? NaN;
    const timed = times.slice(1);
    result.msPerStep = timed.length ? timed.reduce((a, b) => a + b, 0) / timed.length : NaN;
    result.ok = result.losses.length > 0 && result.losses.every(Number.isFinite);
    if (!result.ok) result.error = `non-finite loss: ${result.losses.join(', ')}`;
  } catch (e) {
    result.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  } finally {
    optimizer.dispose();
    model.dispose();
    ids.dispose();
    result.leakedTensors = tf.memory().numTensors - before;
  }
  return result;
}

const api = { probe };
export type ProbeApi = typeof api;
expose(api);
