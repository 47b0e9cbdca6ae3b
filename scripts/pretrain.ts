/**
 * Pretrains a shipped base model on the generated story corpus, in Node with
 * the core library (tfjs wasm backend), and writes a checkpoint to
 * public/models/<lang>-<size>.safetensors.
 *
 *   npm run pretrain -- --size nano|micro [--lang en|zh] [--steps 3000] [--batch 16]
 *                       [--lr 2e-3] [--eval-every 250] [--seed 1] [--fresh]
 *                       [--from public/models/en-nano.safetensors] [--sft-share 0.5]
 *
 * `--from` continues training a shipped checkpoint (its vocabulary, a fresh
 * schedule). `--sft-share` draws that share of every batch from the corpus's
 * instruction pairs (sft.train.jsonl: prompt, answer, EOS) instead of the
 * stories, so the base model knows the instruction format and where an answer
 * ends; the preset's demonstrations are never among them (they are drawn from
 * the same pairs, but SFT still has the preset's taste to teach).
 *
 * Resumable: every evaluation writes the checkpoint (with the step and the
 * settings) to public/models/.work/, and a new run continues from it unless
 * --fresh is given. Adam's moments restart on resume (they are not saved);
 * the warm-up below absorbs that.
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  CharTokenizer,
  EOS_ID,
  MODEL_SIZES,
  SftTrainer,
  createGPT,
  loadCheckpoint,
  mulberry32,
  randomWindows,
  saveCheckpoint,
  type GPT,
  type ModelSize,
  type Sequence,
} from '../src/core/index';

const args = process.argv.slice(2);
function arg(name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
}
const size = arg('size', 'nano') as ModelSize;
const lang = arg('lang', 'en');
const steps = Number(arg('steps', size === 'nano' ? '3000' : '3000'));
const batch = Number(arg('batch', '16'));
const peakLr = Number(arg('lr', '2e-3'));
const evalEvery = Number(arg('eval-every', '250'));
const seed = Number(arg('seed', '1'));
const fresh = args.includes('--fresh');
const backend = arg('backend', 'wasm');
const from = arg('from', '');
const sftShare = Number(arg('sft-share', '0'));
if (!(size in MODEL_SIZES))
  throw new Error(`--size must be one of ${Object.keys(MODEL_SIZES).join(', ')}`);
for (const [k, v] of Object.entries({ steps, batch, peakLr, evalEvery, seed })) {
  if (!Number.isFinite(v) || v <= 0) throw new Error(`--${k} must be a positive number`);
}

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const corpusDir = path.join(root, 'public', 'corpus', lang);
const outDir = path.join(root, 'public', 'models');
const workDir = path.join(outDir, '.work');
const name = `${lang}-${size}`;
const workFile = path.join(workDir, `${name}.safetensors`);
const outFile = path.join(outDir, `${name}.safetensors`);

/** Warm-up for 100 steps, then cosine decay to 10% of the peak (nanoGPT's schedule). */
function learningRate(step: number): number {
  const warm = 100;
  if (step < warm) return (peakLr * (step + 1)) / warm;
  const progress = Math.min(1, (step - warm) / Math.max(1, steps - warm));
  return peakLr * (0.1 + 0.45 * (1 + Math.cos(Math.PI * progress)));
}

/** Stories separated by blank lines, each followed by EOS, as one token stream. */
function tokenStream(text: string, tokenizer: CharTokenizer): Int32Array {
  const ids: number[] = [];
  for (const story of text.split('\n\n')) {
    const s = story.trim();
    if (s) ids.push(...tokenizer.encode(s), EOS_ID);
  }
  return Int32Array.from(ids);
}

function bar(done: number, total: number, width = 30): string {
  const n = Math.round((done / total) * width);
  return `[${'#'.repeat(n)}${'.'.repeat(width - n)}]`;
}

async function main(): Promise<void> {
  const require = createRequire(import.meta.url);
  setWasmPaths(
    path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') +
      path.sep,
  );
  await tf.setBackend(backend);
  await tf.ready();
  if (tf.getBackend() !== backend) throw new Error(`could not start the ${backend} backend`);

  const train = await readFile(path.join(corpusDir, 'train.txt'), 'utf8');
  const heldout = await readFile(path.join(corpusDir, 'heldout.txt'), 'utf8');
  const sft = await readFile(path.join(corpusDir, 'sft.train.jsonl'), 'utf8');
  let model: GPT;
  let tokenizer: CharTokenizer;
  let startStep = 0;
  let wallMs = 0;
  if (from) {
    const ck = loadCheckpoint(new Uint8Array(await readFile(path.resolve(from))));
    model = ck.model;
    tokenizer = ck.tokenizer;
    console.error(`continuing ${from} with a fresh schedule`);
  } else if (!fresh && existsSync(workFile)) {
    const ck = loadCheckpoint(new Uint8Array(await readFile(workFile)));
    model = ck.model;
    tokenizer = ck.tokenizer;
    startStep = ck.meta.step;
    wallMs = Number(ck.meta.extra?.wallMs ?? 0);
    console.error(`resuming ${name} from step ${startStep}`);
  } else {
    // The vocabulary covers the stories and the instruction prompts, so SFT
    // prompts never hit UNK.
    const prompts = sft
      .split('\n')
      .filter(Boolean)
      .map((l) => (JSON.parse(l) as { prompt: string }).prompt)
      .join('');
    tokenizer = CharTokenizer.fromText(train + prompts);
    model = createGPT({ vocabSize: tokenizer.vocabSize, ...MODEL_SIZES[size] }, seed);
  }
  const T = model.config.blockSize;
  const trainTokens = tokenStream(train, tokenizer);
  const heldTokens = tokenStream(heldout, tokenizer);
  // Instruction pairs as one stream: prompt (ending in a newline), answer, EOS.
  const pairIds: number[] = [];
  for (const line of sft.split('\n').filter(Boolean)) {
    const pair = JSON.parse(line) as { prompt: string; response: string };
    pairIds.push(...tokenizer.encode(pair.prompt + pair.response), EOS_ID);
  }
  const pairTokens = Int32Array.from(pairIds);
  const fromPairs = Math.round(batch * Math.min(1, Math.max(0, sftShare)));
  const heldBatch: Sequence[] = randomWindows(heldTokens, 64, T, mulberry32(12345));
  const rng = mulberry32(seed * 7919 + startStep);
  const trainer = new SftTrainer(model, { lr: learningRate(startStep), maxGradNorm: 1 });
  console.error(
    `${name}: ${model.parameterCount} parameters, vocabulary ${tokenizer.vocabSize}, ` +
      `${trainTokens.length} training tokens, ${heldTokens.length} held-out tokens, backend ${tf.getBackend()}`,
  );

  const bits = (nats: number) => nats / Math.LN2;
  let recent: number[] = [];
  let heldLoss = NaN;
  const save = async (step: number) => {
    const bytes = await saveCheckpoint(model, tokenizer, {
      step,
      extra: {
        size,
        lang,
        batch,
        peakLr,
        seed,
        steps,
        backend,
        wallMs,
        trainBitsPerChar: recent.length
          ? bits(recent.reduce((a, b) => a + b, 0) / recent.length)
          : null,
        heldoutBitsPerChar: bits(heldLoss),
      },
    });
    await mkdir(workDir, { recursive: true });
    await writeFile(workFile + '.tmp', bytes);
    await rename(workFile + '.tmp', workFile); // never a half-written checkpoint
  };

  let sessionMs = 0; // this run's time only, for the ms/step read-out
  for (let step = startStep; step < steps; step++) {
    trainer.optimizer.setLearningRate(learningRate(step));
    const t0 = performance.now();
    const windows = [
      ...randomWindows(trainTokens, batch - fromPairs, T, rng),
      ...(fromPairs > 0 ? randomWindows(pairTokens, fromPairs, T, rng) : []),
    ];
    const m = await trainer.step(windows);
    const dt = performance.now() - t0;
    wallMs += dt;
    sessionMs += dt;
    recent.push(m['sft/loss']);
    if (recent.length > 50) recent = recent.slice(-50);
    if ((step + 1) % 10 === 0 || step + 1 === steps) {
      const avg = recent.reduce((a, b) => a + b, 0) / recent.length;
      process.stderr.write(
        `\r${bar(step + 1, steps)} ${step + 1}/${steps} train ${bits(avg).toFixed(3)} bits/char ` +
          `lr ${learningRate(step).toExponential(2)} ${Math.round(sessionMs / (step + 1 - startStep))} ms/step   `,
      );
    }
    if ((step + 1) % evalEvery === 0 || step + 1 === steps) {
      heldLoss = await trainer.evaluate(heldBatch);
      process.stderr.write(
        `\n  step ${step + 1}: held-out ${bits(heldLoss).toFixed(3)} bits/char\n`,
      );
      await save(step + 1);
    }
  }
  await mkdir(outDir, { recursive: true });
  await writeFile(outFile, await readFile(workFile));
  const trainBits = bits(recent.reduce((a, b) => a + b, 0) / recent.length);
  const summary = {
    model: name,
    parameters: model.parameterCount,
    vocabSize: tokenizer.vocabSize,
    steps,
    batch,
    contextTokens: T,
    peakLr,
    seed,
    backend,
    ...(from ? { continuedFrom: path.basename(from) } : {}),
    ...(fromPairs > 0 ? { instructionShare: fromPairs / batch } : {}),
    trainBitsPerChar: Number(trainBits.toFixed(3)),
    heldoutBitsPerChar: Number(bits(heldLoss).toFixed(3)),
    wallMinutes: Number((wallMs / 60000).toFixed(1)),
    bytes: (await readFile(outFile)).length,
  };
  console.log(JSON.stringify(summary));
  await writeFile(path.join(outDir, `${name}.json`), JSON.stringify(summary, null, 2) + '\n');
  trainer.dispose();
  model.dispose();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
