/**
 * The playground's pipeline in Node, for the lesson measurements: the shipped
 * base model, SFT on a preset's demonstrations, rankings by a simulated
 * labeler, a reward model, PPO — the same core trainers the workers run, on
 * tfjs's wasm backend. Shared by lesson.ts, direct-vs-ranking.ts and live-loop.ts.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  EOS_ID,
  RewardModelTrainer,
  SftTrainer,
  createGPT,
  gptFromWeights,
  loadCheckpoint,
  mulberry32,
  parameterShapes,
  readWeights,
  sample,
  type CharTokenizer,
  type GPT,
  type TokenPreference,
  type RewardReadout,
  type Sequence,
} from '../../src/core/index';
import { validatePreset, type Preset } from '../../src/core/presets';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');

export function argument(name: string, fallback: string): string {
  const flag = `--${name}`;
  const i = process.argv.indexOf(flag);
  // A second `--set` would otherwise be ignored without a word; one flag takes a list.
  if (i >= 0 && process.argv.indexOf(flag, i + 1) >= 0) {
    console.error(`${flag} is given twice; give it once (a list is comma-separated)`);
    process.exit(2);
  }
  return i >= 0 ? process.argv[i + 1] : fallback;
}

/**
 * The backend a lesson runs on: wasm, or with `--backend webgpu` tfjs's webgpu
 * backend on the `navigator.gpu` that the caller provides (in Node, Dawn:
 * bench/gpu/lesson-webgpu.ts). Throws rather than run on another backend.
 */
export async function lessonBackend(): Promise<string> {
  const name = argument('backend', 'wasm');
  if (name !== 'webgpu') {
    await wasmBackend();
    return 'wasm';
  }
  // Registers only where navigator.gpu exists at import time (PITFALLS.md).
  await import('@tensorflow/tfjs-backend-webgpu');
  const ok = await tf.setBackend('webgpu');
  await tf.ready();
  if (!ok || tf.getBackend() !== 'webgpu') {
    throw new Error(`tf.setBackend('webgpu') failed; tfjs is on ${tf.getBackend()}`);
  }
  return 'webgpu';
}

export async function wasmBackend(): Promise<void> {
  const require = createRequire(import.meta.url);
  const dir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
  setWasmPaths(path.join(dir, 'dist') + path.sep);
  await tf.setBackend('wasm');
  await tf.ready();
}

/**
 * What the page measures on this machine to choose the model
 * (workers/select-backend.ts): milliseconds of an SFT step of the micro shape
 * at a short context on wasm, or `--wasm-ms` to pin the choice.
 */
export async function lessonMsPerStep(): Promise<number> {
  const pinned = Number(argument('wasm-ms', ''));
  if (pinned) return pinned;
  const { MEASURE_CONFIG, measureBatch } = await import('../../workers/backend-decision');
  const trainer = new SftTrainer(createGPT(MEASURE_CONFIG, 1), { lr: 1e-3 });
  const batch = measureBatch();
  await trainer.step(batch);
  const t0 = performance.now();
  for (let i = 0; i < 3; i++) await trainer.step(batch);
  trainer.dispose();
  return (performance.now() - t0) / 3;
}

export function readPreset(id: string): Preset {
  const file = id.endsWith('.json') ? id : path.join(ROOT, 'public/presets', `${id}.json`);
  return validatePreset(JSON.parse(readFileSync(file, 'utf8')));
}

/** The shipped base model with a zero-initialised scalar head (value head / reward head), as the workers load it. */
export async function loadBase(name: string): Promise<{ model: GPT; tokenizer: CharTokenizer }> {
  const bytes = readFileSync(path.join(ROOT, 'public/models', `${name}.safetensors`));
  const loaded = loadCheckpoint(new Uint8Array(bytes));
  const weights = await readWeights(loaded.model);
  loaded.model.dispose();
  const config = { ...loaded.config, scalarHead: true };
  for (const [name, shape] of parameterShapes(config)) {
    if (!weights.has(name)) weights.set(name, new Float32Array(shape.reduce((a, b) => a * b, 1)));
  }
  return { model: gptFromWeights(config, weights), tokenizer: loaded.tokenizer };
}

export async function copyOf(model: GPT): Promise<GPT> {
  return gptFromWeights(model.config, await readWeights(model));
}

/** SFT as the Demonstrate stage runs it (response tokens + EOS, random batches). */
export async function sft(
  model: GPT,
  tok: CharTokenizer,
  demos: { prompt: string; response: string }[],
  o: { steps: number; lr: number; batchSize: number; seed: number },
): Promise<number> {
  const seqs = demos.map((d) => ({
    prompt: tok.encode(d.prompt),
    response: [...tok.encode(d.response), EOS_ID],
  }));
  const trainer = new SftTrainer(model, { lr: o.lr });
  const rng = mulberry32(o.seed);
  let loss = NaN;
  for (let s = 0; s < o.steps; s++) {
    const batch = Array.from({ length: o.batchSize }, () => seqs[Math.floor(rng() * seqs.length)]);
    loss = (await trainer.step(batch))['sft/loss'];
  }
  trainer.dispose();
  return loss;
}

/** K samples for each prompt: texts and token ids, grouped by prompt. */
export async function sampleGroups(
  model: GPT,
  tok: CharTokenizer,
  prompts: string[],
  k: number,
  o: { maxNewTokens: number; temperature?: number; seed: number },
): Promise<{ prompt: string; texts: string[]; tokens: number[][] }[]> {
  const rows = prompts.flatMap((p) => Array.from({ length: k }, () => tok.encode(p)));
  const out = await sample(model, rows, { ...o, temperature: o.temperature ?? 1 });
  return prompts.map((prompt, i) => {
    const tokens = out.tokens.slice(i * k, i * k + k);
    return { prompt, texts: tokens.map((t) => tok.decode(t)), tokens };
  });
}

export function responseSeq(tok: CharTokenizer, prompt: string, text: string): Sequence {
  return { prompt: tok.encode(prompt), response: [...tok.encode(text), EOS_ID] };
}

/** Trains a reward model (a copy of `start`) on groups; returns it with its training log. */
export async function trainRewardModel(
  start: GPT,
  groups: TokenPreference[],
  o: {
    steps: number;
    lr: number;
    batchSize: number;
    seed: number;
    objective: 'pairwise' | 'direct';
    trains?: 'all' | 'head';
    readout?: RewardReadout;
  },
): Promise<{ rm: GPT; trainer: RewardModelTrainer; lastAccuracy: number }> {
  const rm = await copyOf(start);
  const trainer = new RewardModelTrainer(rm, {
    lr: o.lr,
    objective: o.objective,
    trains: o.trains,
    readout: o.readout,
  });
  const rng = mulberry32(o.seed);
  let lastAccuracy = NaN;
  for (let s = 0; s < o.steps; s++) {
    const batch = Array.from(
      { length: o.batchSize },
      () => groups[Math.floor(rng() * groups.length)],
    );
    lastAccuracy = (await trainer.step(batch))['rm/accuracy'];
  }
  return { rm, trainer, lastAccuracy };
}

export const fmt = (x: number, d = 3) => (Number.isFinite(x) ? x.toFixed(d) : 'NaN');
