/**
 * The fixed, seeded workloads of the benchmark suite (BENCHMARKS.md). The same
 * code runs in the bench page's worker (bench/page/bench.worker.ts, on
 * webgpu/webgl/wasm/cpu in Chromium) and in Node (bench/node-run.ts), so every
 * environment times exactly the same work.
 *
 * Each workload does one untimed warm-up (shader compilation, wasm tiers,
 * Adam's first allocation) and then repeats until it has `maxReps` timings, or
 * at least `minReps` once its budget is spent. The plan's deadline skips the
 * workloads that have not started when it passes, so a slow backend (WebGPU on
 * SwiftShader) reports what it managed rather than stalling the run.
 *
 * Reads from the device are always `await t.data()`: the synchronous reads
 * break WebGPU (PITFALLS.md, trap 1).
 */
import * as tf from '@tensorflow/tfjs';
import {
  MODEL_SIZES,
  PpoTrainer,
  attentionCoreReference,
  fusedAttentionActive,
  fusedCausalAttention,
  RewardModelTrainer,
  RrhfTrainer,
  SftTrainer,
  createGPT,
  mulberry32,
  permutation,
  sample,
  type GPT,
  type ModelSize,
  type RrhfGroup,
  type Sequence,
} from '../src/core/index';

/** Vocabulary of the synthetic data (as bench/node-step.ts): 4 special ids + 68 characters. */
export const VOCAB = 72;
const FIRST_CHAR = 4;

/** The workload shapes, in one place (quoted by BENCHMARKS.md and bench/torch_ref.py). */
export const SHAPES = {
  sft: { batch: 16, seq: 128 },
  sampling: { batch: 4, prompt: 16, newTokens: 64 },
  rl: { prompts: 8, samples: 4, prompt: 16, newTokens: 48, ppoEpochs: 4, miniBatch: 8 },
  rm: { groups: 8, k: 4, prompt: 16, completion: 48 },
  kPass: { k: 4, prompt: 16, completion: 48 },
  attention: { batch: 16, seq: 128 },
} as const;

export const WORKLOADS = [
  'sft',
  'sample-cache',
  'sample-nocache',
  'k-pass',
  'rm-step',
  'rrhf',
  'ppo',
  'attention',
] as const;
export type WorkloadName = (typeof WORKLOADS)[number];

export interface WorkloadSpec {
  name: WorkloadName;
  size: ModelSize;
}

export interface Plan {
  /** The tfjs backend; the caller has made it active. */
  backend: string;
  workloads: WorkloadSpec[];
  maxReps: number;
  minReps: number;
  /** Stop repeating a workload after this many ms of timed runs (once it has minReps). */
  workloadBudgetMs: number;
  /** No workload starts after this many ms from the start of the plan. */
  deadlineMs: number;
  /**
   * When the warm-up alone takes longer than this, report it as the only run
   * (`coldOnly`: an upper bound, compilation included) instead of repeating.
   * For the slow backends, whose warm-up + one run would eat their budget.
   */
  coldOnlyOverMs?: number;
}

export interface WorkloadResult {
  name: WorkloadName;
  size: ModelSize;
  /** Median of the timed runs, ms. */
  ms?: number;
  minMs?: number;
  reps?: number;
  /** Every timed run, ms, in order. */
  runs?: number[];
  /** The untimed warm-up run, ms (includes shader compilation on webgl/webgpu). */
  warmupMs?: number;
  /** The only run is the warm-up (see Plan.coldOnlyOverMs). */
  coldOnly?: boolean;
  /** Throughput derived from the median, where the workload has one. */
  tokensPerSec?: number;
  /** Kernels the engine dispatched in one timed run (see kernel-counter.ts). */
  kernels?: number;
  /** Medians of the parts of one run, ms. */
  breakdown?: Record<string, number>;
  /** Further medians (e.g. the K-passes side of k-pass), ms or ratios. */
  extra?: Record<string, number>;
  /** Why the workload did not run, or did not finish. */
  skipped?: string;
  error?: string;
}

export interface KernelCounter {
  reset(): void;
  count(): number;
}

/** One timed run: its total and optional parts (ms), plus extra measurements. */
interface Run {
  ms: number;
  parts?: Record<string, number>;
  extra?: Record<string, number>;
}

interface Workload {
  /** Tokens a run produces or trains on, for tokens/s; 0 when not meaningful. */
  tokens: number;
  run(rep: number): Promise<Run>;
  dispose(): void;
  /**
   * Each run reports medians of inner repetitions, so even the warm-up run's
   * numbers are warm: never reported as a lone cold run.
   */
  warmInside?: boolean;
}

const now = () => performance.now();

/** What the wasm backend runs with (SIMD, threads), for the report. */
export async function backendFlags(backend: string): Promise<Record<string, boolean>> {
  if (backend !== 'wasm') return {};
  return {
    wasmSimd: Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')),
    wasmThreads: Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT')),
  };
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function randomTokens(n: number, rng: () => number): number[] {
  return Array.from({ length: n }, () => FIRST_CHAR + Math.floor(rng() * (VOCAB - FIRST_CHAR)));
}

function model(size: ModelSize, seed: number, scalarHead = false): GPT {
  return createGPT({ vocabSize: VOCAB, ...MODEL_SIZES[size], scalarHead }, seed);
}

async function timed<T>(f: () => Promise<T>): Promise<[T, number]> {
  const t0 = now();
  const out = await f();
  return [out, now() - t0];
}

// --- the workloads ---

/** One SFT step (Adam, clipping) on 16 × 128 random tokens. */
function sftStep(size: ModelSize): Workload {
  const m = model(size, 1);
  const trainer = new SftTrainer(m, { lr: 1e-3 });
  const rng = mulberry32(2);
  const { batch, seq } = SHAPES.sft;
  const makeBatch = (): Sequence[] =>
    Array.from({ length: batch }, () => {
      const s = randomTokens(seq, rng);
      return { prompt: s.slice(0, 1), response: s.slice(1) };
    });
  return {
    tokens: batch * seq,
    async run() {
      const b = makeBatch();
      const [, ms] = await timed(() => trainer.step(b));
      return { ms };
    },
    dispose() {
      trainer.dispose();
      m.dispose();
    },
  };
}

function samplingPrompts(seed: number, count: number, length: number): number[][] {
  const rng = mulberry32(seed);
  return Array.from({ length: count }, () => randomTokens(length, rng));
}

/** `sample` from core: prefill + KV-cache steps, 4 × 64 new tokens, never stopping early. */
function sampleCached(size: ModelSize): Workload {
  const m = model(size, 1);
  const { batch, prompt, newTokens } = SHAPES.sampling;
  const prompts = samplingPrompts(3, batch, prompt);
  return {
    tokens: batch * newTokens,
    async run(rep) {
      const [, ms] = await timed(() =>
        sample(m, prompts, { maxNewTokens: newTokens, seed: rep, eosId: -1 }),
      );
      return { ms };
    },
    dispose: () => m.dispose(),
  };
}

/**
 * The baseline without a KV cache: a full forward pass over the whole
 * sequence for every new token, with the same per-token work as `sample`
 * otherwise (log-softmax for the token's log-probability, Gumbel-max with
 * seeded JS noise, tokens kept on the device, one read-back at the end).
 * Deliberately here and not in core: nothing in the app should sample this way.
 */
export async function sampleWithoutCache(
  m: GPT,
  prompts: number[][],
  newTokens: number,
  seed: number,
): Promise<{ tokens: Float32Array | Int32Array | Uint8Array }> {
  const B = prompts.length;
  const P = prompts[0].length;
  const V = m.config.vocabSize;
  const rng = mulberry32(seed);
  let ids = tf.tensor2d(prompts.flat(), [B, P], 'int32');
  const logprobs: tf.Tensor1D[] = [];
  try {
    for (let t = 0; t < newTokens; t++) {
      const noise = new Float32Array(B * V);
      for (let i = 0; i < noise.length; i++)
        noise[i] = -Math.log(-Math.log(Math.max(rng(), 1e-20)));
      const T = P + t;
      const prev = ids;
      const out = tf.tidy(() => {
        const { logits } = m.forward(prev);
        const last = logits.slice([0, T - 1, 0], [B, 1, V]).reshape([B, V]) as tf.Tensor2D;
        const token = tf.argMax(tf.add(last, tf.tensor2d(noise, [B, V])), 1).toInt();
        const chosen = tf.oneHot(token, V).toFloat();
        const lp = tf.mul(tf.logSoftmax(last), chosen).sum(1) as tf.Tensor1D;
        return { ids: tf.concat([prev, token.reshape([B, 1])], 1) as tf.Tensor2D, lp };
      });
      ids = out.ids;
      prev.dispose();
      logprobs.push(out.lp);
    }
    const all = tf.tidy(() => tf.stack(logprobs));
    await all.data();
    all.dispose();
    return { tokens: await ids.data() };
  } finally {
    tf.dispose([ids, ...logprobs]);
  }
}

function sampleUncached(size: ModelSize): Workload {
  const m = model(size, 1);
  const { batch, prompt, newTokens } = SHAPES.sampling;
  const prompts = samplingPrompts(3, batch, prompt);
  return {
    tokens: batch * newTokens,
    async run(rep) {
      const [, ms] = await timed(() => sampleWithoutCache(m, prompts, newTokens, rep));
      return { ms };
    },
    dispose: () => m.dispose(),
  };
}

/**
 * Reward-model scoring of one prompt's K candidates: one [K, T] pass vs K
 * [1, T] passes, each with its read-back. Both take a few ms on wasm, so one
 * run alternates them `K_PASS_INNER` times and keeps the median of each.
 */
const K_PASS_INNER = 5;

function kPass(size: ModelSize): Workload {
  const rm = model(size, 5, true);
  const trainer = new RewardModelTrainer(rm, { lr: 1e-4 });
  const { k, prompt, completion } = SHAPES.kPass;
  const rng = mulberry32(6);
  const p = randomTokens(prompt, rng);
  const seqs = Array.from({ length: k }, () => ({
    prompt: p,
    response: randomTokens(completion, rng),
  }));
  return {
    tokens: 0,
    async run() {
      const one: number[] = [];
      const separate: number[] = [];
      for (let i = 0; i < K_PASS_INNER; i++) {
        one.push((await timed(() => trainer.score(seqs)))[1]);
        separate.push(
          (
            await timed(async () => {
              for (const s of seqs) await trainer.score([s]);
            })
          )[1],
        );
      }
      return { ms: median(one), extra: { kPassesMs: median(separate) } };
    },
    dispose() {
      trainer.dispose();
      rm.dispose();
    },
  };
}

/** One pairwise reward-model step: 8 prompts × K = 4 completions, all 6 pairs each. */
function rmStep(size: ModelSize): Workload {
  const rm = model(size, 5, true);
  const trainer = new RewardModelTrainer(rm, { lr: 1e-4 });
  const { groups, k, prompt, completion } = SHAPES.rm;
  const rng = mulberry32(7);
  return {
    tokens: 0,
    async run() {
      const batch = Array.from({ length: groups }, () => ({
        prompt: randomTokens(prompt, rng),
        completions: Array.from({ length: k }, () => randomTokens(completion, rng)),
        ranks: permutation(k, rng),
      }));
      const [, ms] = await timed(() => trainer.step(batch));
      return { ms };
    },
    dispose() {
      trainer.dispose();
      rm.dispose();
    },
  };
}

/** Samples for the RL iterations: 8 prompts × 4 samples × 48 new tokens, one batch of 32. */
function rlPrompts(rng: () => number): number[][] {
  const { prompts, samples, prompt } = SHAPES.rl;
  const distinct = Array.from({ length: prompts }, () => randomTokens(prompt, rng));
  return distinct.flatMap((p) => Array.from({ length: samples }, () => p));
}

/**
 * The shared start of an RL iteration: fresh prompts, sampled (timed as
 * `sampling`), then scored by the reward model in one pass (`reward`).
 */
async function sampleAndScore(
  policy: GPT,
  rmTrainer: RewardModelTrainer,
  rng: () => number,
  seed: number,
) {
  const prompts = rlPrompts(rng);
  const [sampled, sampling] = await timed(() =>
    sample(policy, prompts, { maxNewTokens: SHAPES.rl.newTokens, seed, eosId: -1 }),
  );
  const seqs = prompts.map((p, i) => ({ prompt: p, response: sampled.tokens[i] }));
  const [scores, reward] = await timed(() => rmTrainer.score(seqs));
  return { prompts, responses: sampled.tokens, scores, sampling, reward };
}

/**
 * One RRHF iteration: sample 4 candidates for each of 8 prompts, score them
 * with the reward model (one forward pass), one RRHF update over the 8 groups.
 */
function rrhfIteration(size: ModelSize): Workload {
  const policy = model(size, 1);
  const rm = model(size, 5, true);
  const rmTrainer = new RewardModelTrainer(rm, { lr: 1e-4 });
  const trainer = new RrhfTrainer(policy, { lr: 1e-5 });
  const rng = mulberry32(8);
  const { samples } = SHAPES.rl;
  return {
    tokens: 0,
    async run(rep) {
      const { prompts, responses, scores, sampling, reward } = await sampleAndScore(
        policy,
        rmTrainer,
        rng,
        100 + rep,
      );
      const groups: RrhfGroup[] = [];
      for (let g = 0; g < prompts.length; g += samples) {
        groups.push({
          prompt: prompts[g],
          candidates: responses.slice(g, g + samples),
          scores: scores.slice(g, g + samples),
        });
      }
      const [, update] = await timed(() => trainer.step(groups));
      return { ms: sampling + reward + update, parts: { sampling, reward, update } };
    },
    dispose() {
      trainer.dispose();
      rmTrainer.dispose();
      policy.dispose();
      rm.dispose();
    },
  };
}

type MinibatchHost = { minibatch: (...args: unknown[]) => Promise<unknown> };

/**
 * One PPO iteration: sample 8 prompts × 4 samples × 48 new tokens, score them
 * with the reward model, then PpoTrainer.step: the rollout (policy with value
 * head + frozen reference forward passes, GAE) and 4 epochs of minibatch
 * updates (minibatch 8: 16 updates).
 */
function ppoIteration(size: ModelSize): Workload {
  const policy = model(size, 1, true);
  const ref = model(size, 1);
  const rm = model(size, 5, true);
  const rmTrainer = new RewardModelTrainer(rm, { lr: 1e-4 });
  const { ppoEpochs, miniBatch } = SHAPES.rl;
  const trainer = new PpoTrainer(policy, ref, {
    lr: 1e-5,
    ppoEpochs,
    miniBatchSize: miniBatch,
    seed: 9,
  });
  // The minibatch update is a private step of PpoTrainer.step: time it from
  // outside by wrapping the method; the rest of the step is the rollout
  // (policy, value and reference forward passes + GAE, src/core/train/ppo-rollout.ts).
  let updatesMs = 0;
  const host = trainer as unknown as MinibatchHost;
  const minibatch = host.minibatch.bind(trainer);
  host.minibatch = async (...args) => {
    const t0 = now();
    try {
      return await minibatch(...args);
    } finally {
      updatesMs += now() - t0;
    }
  };
  const rng = mulberry32(10);
  return {
    tokens: 0,
    async run(rep) {
      const { prompts, responses, scores, sampling, reward } = await sampleAndScore(
        policy,
        rmTrainer,
        rng,
        200 + rep,
      );
      updatesMs = 0;
      const [metrics, stepMs] = await timed(() => trainer.step({ prompts, responses, scores }));
      const parts = {
        sampling,
        reward,
        'policy+value+ref forward': stepMs - updatesMs,
        updates: updatesMs,
      };
      // Skipped minibatches (ratio guard) would make `updates` look cheaper: report them.
      const extra = { minibatchesSkipped: metrics['ppo/minibatches_skipped'] };
      return { ms: sampling + reward + stepMs, parts, extra };
    },
    dispose() {
      trainer.dispose();
      rmTrainer.dispose();
      for (const m of [policy, ref, rm]) m.dispose();
    },
  };
}

/**
 * Self-attention's core, forward and backward, at the training shape (16 ×
 * 128 tokens, the model's heads): the fused WebGPU kernels against the
 * generic op chain they replace, alternated 3 times per run (medians). Only
 * where the fused kernels exist (webgpu); the gradient is read back whole.
 */
const ATTENTION_INNER = 3;

function attentionKernels(size: ModelSize): Workload {
  const { nHead, nEmbd } = MODEL_SIZES[size];
  const hs = nEmbd / nHead;
  if (!fusedAttentionActive(hs)) {
    throw new Error(`no fused attention kernels on ${tf.getBackend()} (webgpu only)`);
  }
  const { batch, seq } = SHAPES.attention;
  const rng = mulberry32(7);
  const rand = (n: number) => Float32Array.from({ length: n }, () => rng() * 2 - 1);
  const rows = batch * seq;
  const qkv = tf.tensor2d(rand(rows * 3 * nEmbd), [rows, 3 * nEmbd]);
  const dy = tf.tensor2d(rand(rows * nEmbd), [rows, nEmbd]);
  const causal = new Float32Array(seq * seq).map((_, k) =>
    k % seq > Math.floor(k / seq) ? -1e9 : 0,
  );
  const bias = tf.tensor3d(causal, [1, seq, seq]);
  const once = async (impl: typeof fusedCausalAttention) => {
    const g = tf.tidy(() =>
      tf.grad((x) => tf.sum(tf.mul(impl(x as tf.Tensor2D, bias, nHead), dy)))(qkv),
    );
    await g.data();
    g.dispose();
  };
  return {
    tokens: rows,
    async run() {
      const fused: number[] = [];
      const generic: number[] = [];
      for (let i = 0; i < ATTENTION_INNER; i++) {
        fused.push((await timed(() => once(fusedCausalAttention)))[1]);
        generic.push((await timed(() => once(attentionCoreReference)))[1]);
      }
      return { ms: median(fused), extra: { genericMs: median(generic) } };
    },
    dispose: () => tf.dispose([qkv, dy, bias]),
    warmInside: true,
  };
}

const FACTORIES: Record<WorkloadName, (size: ModelSize) => Workload> = {
  sft: sftStep,
  'sample-cache': sampleCached,
  'sample-nocache': sampleUncached,
  'k-pass': kPass,
  'rm-step': rmStep,
  rrhf: rrhfIteration,
  ppo: ppoIteration,
  attention: attentionKernels,
};

function medians(rows: Record<string, number>[]): Record<string, number> | undefined {
  if (rows.length === 0) return undefined;
  return Object.fromEntries(Object.keys(rows[0]).map((k) => [k, median(rows.map((r) => r[k]))]));
}

async function runOne(
  spec: WorkloadSpec,
  plan: Plan,
  deadline: number,
  counter: KernelCounter | null,
): Promise<WorkloadResult> {
  const w = FACTORIES[spec.name](spec.size);
  try {
    counter?.reset();
    const t0 = now();
    const warmup = await w.run(0);
    const warmupMs = now() - t0;
    const coldOnly =
      !w.warmInside && plan.coldOnlyOverMs !== undefined && warmupMs > plan.coldOnlyOverMs;
    const runs: Run[] = coldOnly ? [warmup] : [];
    let kernels = coldOnly ? counter?.count() : undefined;
    const t1 = now();
    while (!coldOnly && runs.length < plan.maxReps) {
      const spent = now() - t1;
      if (runs.length >= plan.minReps && spent > plan.workloadBudgetMs) break;
      if (runs.length >= 1 && now() > deadline) break;
      counter?.reset();
      runs.push(await w.run(runs.length + 1));
      if (counter && kernels === undefined) kernels = counter.count();
    }
    const ms = median(runs.map((r) => r.ms));
    const partRows = runs.flatMap((r) => (r.parts ? [r.parts] : []));
    const extraRows = runs.flatMap((r) => (r.extra ? [r.extra] : []));
    const result: WorkloadResult = {
      ...spec,
      ms,
      minMs: Math.min(...runs.map((r) => r.ms)),
      reps: runs.length,
      runs: runs.map((r) => r.ms),
      warmupMs,
      ...(coldOnly ? { coldOnly } : {}),
      kernels,
      breakdown: medians(partRows),
      extra: medians(extraRows),
    };
    if (w.tokens > 0) result.tokensPerSec = (w.tokens * 1000) / ms;
    if (spec.name === 'k-pass' && result.extra) {
      result.extra.speedup = result.extra.kPassesMs / ms;
    }
    if (spec.name === 'attention' && result.extra) {
      result.extra.speedup = result.extra.genericMs / ms;
    }
    return result;
  } finally {
    w.dispose();
  }
}

/**
 * Runs a plan, reporting each result as it completes (`onStart` first, so a
 * driver that has to abandon a slow backend knows which workload was running).
 */
export async function runPlan(
  plan: Plan,
  report: (r: WorkloadResult) => void,
  onStart: (spec: WorkloadSpec) => void = () => {},
  counter: KernelCounter | null = null,
): Promise<void> {
  const deadline = now() + plan.deadlineMs;
  for (const spec of plan.workloads) {
    if (now() > deadline) {
      report({ ...spec, skipped: 'time budget of this backend spent' });
      continue;
    }
    onStart(spec);
    const before = tf.memory().numTensors;
    try {
      report(await runOne(spec, plan, deadline, counter));
    } catch (e) {
      report({ ...spec, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
    const leaked = tf.memory().numTensors - before;
    if (leaked !== 0) console.warn(`bench: ${spec.name}/${spec.size} left ${leaked} tensors`);
  }
}
