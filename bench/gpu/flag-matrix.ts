/**
 * Settings that may cut tfjs-backend-webgpu's host cost per kernel, measured
 * side by side in one process (`dawn-run --matrix`, BENCHMARKS.md "On a GPU"):
 *
 * - tfjs flags (`tf.env().set`), read by the backend on every dispatch:
 *   WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE (dispatches per queue.submit; 15) and
 *   WEBGPU_CPU_FORWARD (small CPU-resident inputs run on tfjs's cpu kernels).
 *   WEBGPU_CPU_HANDOFF_SIZE_THRESHOLD is read once when the backend module
 *   loads, so it cannot be switched here.
 * - `layoutCache`: GPUComputePipeline.getBindGroupLayout memoised per
 *   pipeline. The backend calls it on every dispatch (each call makes a new
 *   layout object); a pipeline's layout of group 0 never changes.
 *
 * Per setting: the host cost of one small kernel (a chain of 2,000 adds),
 * the bench's nano SFT step (ms, kernels) and KV-cache sampling (tokens/s),
 * optionally a PPO iteration, and a correctness probe (three SFT losses from
 * a fixed start and a sampled sequence), compared with the first setting's.
 * `traceApi` times each WebGPU call the backend makes during SFT steps.
 */
import * as tf from '@tensorflow/tfjs';
import {
  MODEL_SIZES,
  type ModelSize,
  SftTrainer,
  createGPT,
  mulberry32,
  sample,
} from '../../src/core/index';
import {
  runPlan,
  median,
  VOCAB,
  SHAPES,
  type KernelCounter,
  type WorkloadResult,
} from '../workloads';

export interface Setting {
  label: string;
  flags: Record<string, string | number | boolean>;
  layoutCache?: boolean;
}

/** The default matrix: tfjs's defaults first and last (drift), the levers between. */
export const DEFAULT_MATRIX: Setting[] = [
  { label: 'default', flags: {} },
  { label: 'submit-64', flags: { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 64 } },
  { label: 'submit-1000', flags: { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 1000 } },
  { label: 'no-cpu-forward', flags: { WEBGPU_CPU_FORWARD: false } },
  { label: 'layout-cache', flags: {}, layoutCache: true },
  {
    label: 'layout-cache+submit-64',
    flags: { WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE: 64 },
    layoutCache: true,
  },
  { label: 'default-again', flags: {} },
];

/** `NAME=VALUE` → [NAME, value] with true/false and numbers parsed. */
/** Random SFT batches of the bench's shape (16 × 128 tokens; the first token is the prompt). */
export function randomSftBatches(rng: () => number) {
  const { batch, seq } = SHAPES.sft;
  return () =>
    Array.from({ length: batch }, () => {
      const x = Array.from({ length: seq }, () => 4 + Math.floor(rng() * (VOCAB - 4)));
      return { prompt: x.slice(0, 1), response: x.slice(1) };
    });
}

export function parseFlag(s: string): [string, string | number | boolean] {
  const i = s.indexOf('=');
  if (i <= 0) throw new Error(`--flag wants NAME=VALUE, got ${s}`);
  const name = s.slice(0, i);
  const raw = s.slice(i + 1);
  const value =
    raw === 'true'
      ? true
      : raw === 'false'
        ? false
        : raw !== '' && !isNaN(Number(raw))
          ? Number(raw)
          : raw;
  return [name, value];
}

type Pipeline = { getBindGroupLayout(i: number): unknown };
let layoutCacheOn = false;
let layoutCacheInstalled = false;

/** Memoises getBindGroupLayout on every compute pipeline while switched on. */
export function setLayoutCache(on: boolean): void {
  layoutCacheOn = on;
  if (!on || layoutCacheInstalled) return;
  const proto = (globalThis as unknown as Record<string, { prototype: Pipeline }>)
    .GPUComputePipeline?.prototype;
  if (!proto) throw new Error('no GPUComputePipeline to patch');
  const inner = proto.getBindGroupLayout;
  const cache = new WeakMap<object, Map<number, unknown>>();
  proto.getBindGroupLayout = function (this: Pipeline, i: number) {
    if (!layoutCacheOn) return inner.call(this, i);
    let byIndex = cache.get(this);
    if (!byIndex) cache.set(this, (byIndex = new Map()));
    let layout = byIndex.get(i);
    if (layout === undefined) byIndex.set(i, (layout = inner.call(this, i)));
    return layout;
  };
  layoutCacheInstalled = true;
}

/** Sets tfjs flags, remembering their previous values for `restore`. */
function applyFlags(flags: Setting['flags'], saved: Map<string, unknown>): void {
  for (const [k, v] of Object.entries(flags)) {
    if (!saved.has(k)) saved.set(k, tf.env().get(k));
    tf.env().set(k, v as never);
  }
}
function restore(saved: Map<string, unknown>): void {
  for (const [k, v] of saved) tf.env().set(k, v as never);
}

/** µs of host time per kernel: 2,000 chained adds on 1,024 floats, then one read-back. */
async function perKernelUs(): Promise<number> {
  const n = 2000;
  const b = tf.fill([1024], 1e-3);
  const times: number[] = [];
  for (let rep = 0; rep < 4; rep++) {
    let x = tf.zeros([1024]);
    await x.data();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const y = tf.add(x, b);
      x.dispose();
      x = y;
    }
    await x.data();
    if (rep > 0) times.push(((performance.now() - t0) * 1000) / n);
    x.dispose();
  }
  b.dispose();
  return median(times);
}

/** Three SFT losses from a fixed start, and 16 sampled tokens per row: must not move. */
async function probe(
  size: ModelSize,
  steps: number,
): Promise<{ losses: number[]; tokens: string }> {
  const m = createGPT({ vocabSize: VOCAB, ...MODEL_SIZES[size] }, 11);
  const trainer = new SftTrainer(m, { lr: 1e-3 });
  const rng = mulberry32(12);
  const { batch, seq } = SHAPES.sft;
  const losses: number[] = [];
  for (let s = 0; s < steps; s++) {
    const b = Array.from({ length: batch }, () => {
      const x = Array.from({ length: seq }, () => 4 + Math.floor(rng() * (VOCAB - 4)));
      return { prompt: x.slice(0, 1), response: x.slice(1) };
    });
    losses.push((await trainer.step(b))['sft/loss']);
  }
  const prompts = [
    [5, 6, 7, 8],
    [9, 10, 11, 12],
  ];
  const out = await sample(m, prompts, { maxNewTokens: 16, seed: 3, eosId: -1 });
  trainer.dispose();
  m.dispose();
  return { losses, tokens: out.tokens.map((r) => r.join(' ')).join(' | ') };
}

export interface MatrixOptions {
  settings: Setting[];
  counter: KernelCounter;
  ppo: boolean;
  deadlineMs: number;
  /** nano on the GPU; micro and `quick` (one repetition) for a dry run on SwiftShader. */
  size: ModelSize;
  quick: boolean;
  emit: (e: Record<string, unknown>) => void;
}

export async function runMatrix(o: MatrixOptions): Promise<void> {
  const t0 = performance.now();
  let reference: { losses: number[]; tokens: string } | null = null;
  for (const setting of o.settings) {
    if (performance.now() - t0 > o.deadlineMs) {
      o.emit({ type: 'matrix', label: setting.label, skipped: 'deadline' });
      continue;
    }
    const saved = new Map<string, unknown>();
    applyFlags(setting.flags, saved);
    setLayoutCache(Boolean(setting.layoutCache));
    try {
      const check = await probe(o.size, o.quick ? 1 : 3);
      reference ??= check;
      const maxLossDiff = Math.max(
        ...check.losses.map((l, i) => Math.abs(l - reference!.losses[i])),
      );
      const us = await perKernelUs();
      const results: WorkloadResult[] = [];
      const left = () => Math.max(1, o.deadlineMs - (performance.now() - t0));
      const plan = (minReps: number, maxReps: number) => ({
        backend: 'webgpu',
        minReps,
        maxReps,
        workloadBudgetMs: 3000,
        deadlineMs: left(),
      });
      const push = (r: WorkloadResult) => results.push(r);
      await runPlan(
        {
          ...(o.quick ? plan(1, 1) : plan(3, 7)),
          workloads: [
            { name: 'sft', size: o.size },
            { name: 'sample-cache', size: o.size },
          ],
        },
        push,
        () => {},
        o.counter,
      );
      // One timed PPO iteration (after its warm-up): it is ~4 s here.
      if (o.ppo) {
        await runPlan({ ...plan(1, 1), workloads: [{ name: 'ppo', size: o.size }] }, push);
      }
      const by = (n: string) => results.find((r) => r.name === n);
      o.emit({
        type: 'matrix',
        label: setting.label,
        flags: setting.flags,
        layoutCache: Boolean(setting.layoutCache),
        size: o.size,
        usPerKernel: us,
        sftMs: by('sft')?.ms,
        sftRuns: by('sft')?.runs,
        sftKernels: by('sft')?.kernels,
        sampleTokPerSec: by('sample-cache')?.tokensPerSec,
        sampleKernels: by('sample-cache')?.kernels,
        ppoMs: by('ppo')?.ms,
        ppoBreakdown: by('ppo')?.breakdown,
        errors: results
          .filter((r) => r.error || r.skipped)
          .map((r) => `${r.name}: ${r.error ?? r.skipped}`),
        losses: check.losses,
        maxLossDiff,
        sampleSame: check.tokens === reference.tokens,
      });
    } catch (e) {
      o.emit({
        type: 'matrix',
        label: setting.label,
        error: e instanceof Error ? e.message : String(e),
      });
    } finally {
      restore(saved);
      setLayoutCache(false);
    }
  }
}

/**
 * Times every call the backend makes into WebGPU during `steps` nano SFT
 * steps (prototype methods wrapped; the wrapping adds ~1 µs a call), and the
 * steps' wall time, to show where the host's time per kernel goes.
 */
export async function traceApi(
  steps: number,
  counter: KernelCounter,
  size: ModelSize,
): Promise<Record<string, unknown>> {
  const g = globalThis as unknown as Record<string, { prototype: Record<string, unknown> }>;
  const targets: [string, string[]][] = [
    [
      'GPUDevice',
      ['createBindGroup', 'createBuffer', 'createCommandEncoder', 'createComputePipeline'],
    ],
    ['GPUQueue', ['writeBuffer', 'submit']],
    ['GPUComputePipeline', ['getBindGroupLayout']],
    ['GPUCommandEncoder', ['beginComputePass', 'finish', 'copyBufferToBuffer']],
    ['GPUComputePassEncoder', ['setPipeline', 'setBindGroup', 'dispatchWorkgroups', 'end']],
    ['GPUBuffer', ['mapAsync', 'getMappedRange', 'unmap', 'destroy']],
  ];
  const stats = new Map<string, { calls: number; ms: number }>();
  let on = false;
  const undo: (() => void)[] = [];
  for (const [cls, methods] of targets) {
    const proto = g[cls]?.prototype;
    if (!proto) continue;
    for (const name of methods) {
      const inner = proto[name] as ((...a: unknown[]) => unknown) | undefined;
      if (typeof inner !== 'function') continue;
      const key = `${cls}.${name}`;
      proto[name] = function (this: unknown, ...a: unknown[]) {
        if (!on) return inner.apply(this, a);
        const k0 = performance.now();
        try {
          return inner.apply(this, a);
        } finally {
          const st = stats.get(key) ?? { calls: 0, ms: 0 };
          st.calls++;
          st.ms += performance.now() - k0;
          stats.set(key, st);
        }
      };
      undo.push(() => (proto[name] = inner));
    }
  }
  const m = createGPT({ vocabSize: VOCAB, ...MODEL_SIZES[size] }, 1);
  const trainer = new SftTrainer(m, { lr: 1e-3 });
  const makeBatch = randomSftBatches(mulberry32(2));
  try {
    await trainer.step(makeBatch());
    const bs = Array.from({ length: steps }, makeBatch);
    counter.reset();
    on = true;
    const w0 = performance.now();
    for (const b of bs) await trainer.step(b);
    const wallMs = (performance.now() - w0) / steps;
    on = false;
    const apiMs = [...stats.values()].reduce((a, s) => a + s.ms, 0) / steps;
    return {
      type: 'trace',
      steps,
      wallMsPerStep: wallMs,
      kernelsPerStep: counter.count() / steps,
      webgpuApiMsPerStep: apiMs,
      calls: [...stats.entries()]
        .sort((x, y) => y[1].ms - x[1].ms)
        .map(([name, s]) => ({
          name,
          perStep: s.calls / steps,
          msPerStep: s.ms / steps,
          usPerCall: (s.ms * 1000) / s.calls,
        })),
    };
  } finally {
    on = false;
    for (const u of undo) u();
    trainer.dispose();
    m.dispose();
  }
}
