/**
 * The bench's workloads (bench/workloads.ts) on tfjs's webgpu backend in Node,
 * through Dawn — the WebGPU implementation inside Chromium — from the `webgpu`
 * npm package (dawn.node). For machines with a GPU but no browser: on Linux
 * Dawn drives the GPU through Vulkan, as Chromium does there.
 *
 * It prints one `BENCH {json}` line per event (as bench/node-run.ts) and, with
 * `--out file.jsonl`, appends the same events to that file as they happen, so
 * a run cut short keeps what it measured. Events, in order: `adapter` (what
 * Dawn found), `ready` (tfjs on webgpu), `check` (the fused attention
 * kernels' float64 self-check, src/core/ops/attention-check.ts), `result` per
 * workload, `done`.
 *
 * Usage (bench/gpu/build.sh bundles this into one file beside a dawn.node):
 *   node dawn-run.mjs [--out run.jsonl] [--deadline 200] [--quick]
 *                     [--dawn backend=vulkan,...] [--only sft/nano,ppo/nano] [--profile]
 *                     [--flag WEBGPU_NAME=VALUE ...] [--trace-api] [--matrix [--matrix-ppo]]
 *   --dawn: options for dawn.node's create() (e.g. `backend=vulkan`,
 *           `adapter=NAME`, `enable-dawn-features=...`), comma-separated
 *   --deadline: seconds after which no further workload starts
 *   --profile: first, where an SFT step's time goes (host launch cost, CPU time);
 *              --profile-steps 5, --profile-size nano
 *   --flag: a tfjs flag set once the backend is ready (repeatable), e.g.
 *           `--flag WEBGPU_DEFERRED_SUBMIT_BATCH_SIZE=64`
 *   --trace-api: time each WebGPU call the backend makes in 3 nano SFT steps
 *                (after the matrix, with --matrix)
 *   --matrix: instead of the workloads, the settings of flag-matrix.ts side by
 *             side (per-kernel host cost, nano SFT step, KV-cache sampling,
 *             a correctness probe; --matrix-ppo adds the PPO iteration,
 *             --matrix-only LABEL,... runs only those settings; --matrix-size
 *             micro with --quick for a dry run on SwiftShader)
 */
import * as tf from '@tensorflow/tfjs';
import { appendFileSync } from 'node:fs';
import os from 'node:os';
import { checkAttention, type AttentionCheck } from '../../src/core/index';
import { installKernelCounter } from '../kernel-counter';
import { runPlan, type Plan, type WorkloadSpec } from '../workloads';
import type { ModelSize } from '../../src/core/index';
import { DEFAULT_MATRIX, parseFlag, randomSftBatches, runMatrix, traceApi } from './flag-matrix';

const args = process.argv.slice(2);
const opt = (name: string, def: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : def;
};
const out = opt('out', '');
const quick = args.includes('--quick');
const deadlineS = Number(opt('deadline', quick ? '60' : '200'));
const dawnFlags = opt('dawn', '').split(',').filter(Boolean);
const only = opt('only', '').split(',').filter(Boolean);
const flags = args.flatMap((a, i) =>
  a === '--flag' && i + 1 < args.length ? [parseFlag(args[i + 1])] : [],
);

const t0 = performance.now();
const emit = (event: Record<string, unknown>) => {
  const line = JSON.stringify({ ...event, atS: Math.round(performance.now() - t0) / 1000 });
  process.stdout.write(`BENCH ${line}\n`);
  if (out) appendFileSync(out, line + '\n');
};

/**
 * The GPU plan: the targets' workloads first (nano training, KV-cache
 * sampling, the PPO iteration), then the kernel comparison and the rest of
 * the bench's list, the full re-forward baselines last (a new sequence length
 * every token). Repetitions and budgets as wasm's in bench/run.ts.
 */
const GPU_WORKLOADS: WorkloadSpec[] = [
  { name: 'sft', size: 'nano' },
  { name: 'sample-cache', size: 'nano' },
  { name: 'ppo', size: 'nano' },
  { name: 'attention', size: 'nano' },
  { name: 'attention', size: 'micro' },
  { name: 'sft', size: 'micro' },
  { name: 'sample-cache', size: 'micro' },
  { name: 'rrhf', size: 'nano' },
  { name: 'rm-step', size: 'nano' },
  { name: 'k-pass', size: 'nano' },
  { name: 'sample-nocache', size: 'nano' },
  { name: 'sample-nocache', size: 'micro' },
];

interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  device?: string;
  description?: string;
  isFallbackAdapter?: boolean;
  [key: string]: unknown;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  features?: Iterable<string>;
  limits?: Record<string, number>;
}
interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<AdapterLike | null>;
}

async function main(): Promise<number> {
  // dawn.node must provide navigator.gpu before tfjs-backend-webgpu is
  // imported: the backend registers only if it exists then (PITFALLS.md).
  const { create, globals } = await import('webgpu');
  Object.assign(globalThis, globals);
  const gpu = create(dawnFlags) as GpuLike;
  Object.defineProperty(globalThis, 'navigator', {
    value: { gpu, hardwareConcurrency: os.cpus().length },
    configurable: true,
    writable: true,
  });

  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    emit({ type: 'fatal', error: 'no WebGPU adapter (requestAdapter() gave null)' });
    return 1;
  }
  const info: AdapterInfoLike = {};
  for (const k of ['vendor', 'architecture', 'device', 'description', 'isFallbackAdapter']) {
    info[k] = adapter.info?.[k];
  }
  const limits: Record<string, number> = {};
  for (const k of [
    'maxStorageBufferBindingSize',
    'maxBufferSize',
    'maxComputeWorkgroupStorageSize',
    'maxComputeInvocationsPerWorkgroup',
    'maxStorageBuffersPerShaderStage',
  ]) {
    if (adapter.limits?.[k] !== undefined) limits[k] = adapter.limits[k];
  }
  emit({
    type: 'adapter',
    info,
    features: [...(adapter.features ?? [])].sort(),
    limits,
    dawnFlags,
    host: {
      cpu: os.cpus()[0]?.model,
      cores: os.cpus().length,
      node: process.version,
      platform: `${os.type()} ${os.release()} ${os.arch()}`,
    },
  });

  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') {
    emit({ type: 'fatal', error: `tf.setBackend('webgpu') failed; tfjs is on ${tf.getBackend()}` });
    return 1;
  }
  for (const [k, v] of flags) tf.env().set(k, v);
  emit({
    type: 'ready',
    info: { backend: 'webgpu', tfjs: tf.version.tfjs },
    flags: Object.fromEntries(flags),
  });

  // The self-check a worker that chose webgpu runs before training (and
  // switches the fused kernels off on failure): here reported in full.
  let check: AttentionCheck | null = null;
  const c0 = performance.now();
  try {
    check = await checkAttention();
    emit({ type: 'check', ms: performance.now() - c0, check });
  } catch (e) {
    emit({ type: 'check', error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }

  if (args.includes('--profile')) await profileSteps();
  const counter = installKernelCounter('webgpu');
  const mSize = opt('matrix-size', 'nano') as ModelSize;
  const trace = async () => {
    if (!args.includes('--trace-api')) return;
    try {
      emit(await traceApi(3, counter, mSize));
    } catch (e) {
      emit({ type: 'trace', error: e instanceof Error ? e.message : String(e) });
    }
  };
  if (args.includes('--matrix')) {
    await runMatrix({
      settings: DEFAULT_MATRIX.filter(
        (x) => !opt('matrix-only', '') || opt('matrix-only', '').split(',').includes(x.label),
      ),
      counter,
      ppo: args.includes('--matrix-ppo'),
      deadlineMs: deadlineS * 1000,
      size: mSize,
      quick,
      emit,
    });
    await trace();
    emit({ type: 'done', checkOk: check?.ok ?? false });
    return 0;
  }
  await trace();

  const workloads = GPU_WORKLOADS.filter(
    (w) => only.length === 0 || only.includes(`${w.name}/${w.size}`),
  );
  const plan: Plan = {
    backend: 'webgpu',
    workloads,
    minReps: quick ? 1 : 3,
    maxReps: quick ? 2 : 9,
    workloadBudgetMs: (quick ? 5 : 15) * 1000,
    deadlineMs: deadlineS * 1000,
  };
  emit({ type: 'plan', plan });
  await runPlan(
    plan,
    (result) => emit({ type: 'result', result }),
    (spec) => emit({ type: 'start', spec }),
    counter,
  );
  emit({ type: 'done', checkOk: check?.ok ?? false });
  return 0;
}

/**
 * Where a training step's time goes on this host (`--profile`, before the
 * plan): nano SFT steps with every kernel function timed, as
 * bench/profile-step.ts does. On webgpu a kernel function only records and
 * enqueues its dispatch, so their sum is the host's launch cost; the step's
 * process CPU time (all threads, Dawn's included) beside its wall time shows
 * whether the step waits on the GPU or on the host.
 */
async function profileSteps(): Promise<void> {
  const { MODEL_SIZES, SftTrainer, createGPT, mulberry32 } = await import('../../src/core/index');
  const { VOCAB } = await import('../workloads');
  const byKernel = new Map<string, { count: number; ms: number }>();
  let timing = false;
  for (const config of tf.getKernelsForBackend('webgpu')) {
    const inner = config.kernelFunc;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (a) => {
      if (!timing) return inner(a);
      const k0 = performance.now();
      try {
        return inner(a);
      } finally {
        const st = byKernel.get(config.kernelName) ?? { count: 0, ms: 0 };
        st.count++;
        st.ms += performance.now() - k0;
        byKernel.set(config.kernelName, st);
      }
    };
  }
  const size = opt('profile-size', 'nano') as keyof typeof MODEL_SIZES;
  const m = createGPT({ vocabSize: VOCAB, ...MODEL_SIZES[size] }, 1);
  const trainer = new SftTrainer(m, { lr: 1e-3 });
  const makeBatch = randomSftBatches(mulberry32(2));
  await trainer.step(makeBatch());
  const steps = Number(opt('profile-steps', '5'));
  const b = Array.from({ length: steps }, makeBatch);
  timing = true;
  const cpu0 = process.cpuUsage();
  const w0 = performance.now();
  for (const x of b) await trainer.step(x);
  const wallMs = (performance.now() - w0) / steps;
  const cpu = process.cpuUsage(cpu0);
  timing = false;
  trainer.dispose();
  m.dispose();
  const kernels = [...byKernel.values()].reduce((a, k) => a + k.count, 0) / steps;
  const launchMs = [...byKernel.values()].reduce((a, k) => a + k.ms, 0) / steps;
  emit({
    type: 'profile',
    workload: `sft/${size}`,
    steps,
    wallMsPerStep: wallMs,
    kernelsPerStep: kernels,
    launchMsPerStep: launchMs,
    cpuUserMsPerStep: cpu.user / 1000 / steps,
    cpuSystemMsPerStep: cpu.system / 1000 / steps,
    top: [...byKernel.entries()]
      .sort((x, y) => y[1].ms - x[1].ms)
      .slice(0, 12)
      .map(([name, k]) => ({ name, perStep: k.count / steps, msPerStep: k.ms / steps })),
  });
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    emit({ type: 'fatal', error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
    process.exit(1);
  },
);
