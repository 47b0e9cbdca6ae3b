/**
 * Quick check of KV-cache sampling speed (nano, 4 × 64 new tokens from 16-token
 * prompts) and of reward-model scoring of K = 4 candidates in one pass vs K
 * passes, on Node wasm: `npx tsx bench/sample-speed.ts [reps]`.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { MODEL_SIZES, RewardModelTrainer, createGPT, mulberry32, sample } from '../src/core/index';
import { installKernelCounter } from './kernel-counter';
import { median } from './workloads';

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
setWasmPaths(path.join(wasmDir, 'dist') + path.sep);
await tf.setBackend('wasm');
await tf.ready();
const counter = installKernelCounter('wasm');

const reps = Number(process.argv[2] ?? 7);
const V = 72;
const rng = mulberry32(3);
const tokens = (n: number) => Array.from({ length: n }, () => 4 + Math.floor(rng() * (V - 4)));
const prompts = Array.from({ length: 4 }, () => tokens(16));
const m = createGPT({ vocabSize: V, ...MODEL_SIZES.nano }, 1);

const times: number[] = [];
for (let r = 0; r <= reps; r++) {
  counter.reset();
  const t0 = performance.now();
  await sample(m, prompts, { maxNewTokens: 64, seed: r, eosId: -1 });
  if (r > 0) times.push(performance.now() - t0);
}
const kernels = counter.count() / 64;
const ms = median(times);
console.log(
  `sample nano: ${ms.toFixed(1)} ms, ${((256 / ms) * 1000).toFixed(0)} tok/s, ` +
    `${kernels.toFixed(1)} kernels/token, ratio to 4,609: ${(256 / ms / 4.609).toFixed(3)}`,
);

const rm = createGPT({ vocabSize: V, ...MODEL_SIZES.nano, scalarHead: true }, 5);
const trainer = new RewardModelTrainer(rm, { lr: 1e-4 });
const p = tokens(16);
const seqs = Array.from({ length: 4 }, () => ({ prompt: p, response: tokens(48) }));
const one: number[] = [];
const sep: number[] = [];
for (let r = 0; r <= reps * 3; r++) {
  let t0 = performance.now();
  await trainer.score(seqs);
  if (r > 0) one.push(performance.now() - t0);
  t0 = performance.now();
  for (const s of seqs) await trainer.score([s]);
  if (r > 0) sep.push(performance.now() - t0);
}
console.log(
  `K=4 scoring: one pass ${median(one).toFixed(1)} ms, K passes ${median(sep).toFixed(1)} ms, ` +
    `speed-up ${(median(sep) / median(one)).toFixed(2)}x; tensors ${tf.memory().numTensors}`,
);
