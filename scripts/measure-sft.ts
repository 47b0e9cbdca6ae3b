/**
 * How often does a model write about the animal the prompt asks for, before
 * and after the preset SFT run? The base model has never seen instructions
 * (that is SFT's job); this measures how far the playground's default SFT
 * run (the preset's demonstrations, the settings' defaults) moves it.
 *
 *   npx tsx scripts/measure-sft.ts [--model en-nano] [--preset mentions-the-animal]
 *                                  [--steps 60] [--lr 1e-3] [--batch 16]
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { EOS_ID, SftTrainer, loadCheckpoint, mulberry32, sample } from '../src/core/index';
import { makeLabeler } from '../src/core/labelers';
import { validatePreset } from '../src/core/presets';

const args = process.argv.slice(2);
const arg = (name: string, fallback: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const modelName = arg('model', 'en-nano');
const presetId = arg('preset', 'mentions-the-animal');
const steps = Number(arg('steps', '60'));
const lr = Number(arg('lr', '1e-3'));
const batch = Number(arg('batch', '16'));
const temperature = Number(arg('temperature', '0.8'));
/** `preset`: the preset's demonstrations; a number n: the first n pairs of the corpus SFT split. */
const demoSource = arg('demos', 'preset');

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(import.meta.url);
setWasmPaths(
  path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist') +
    path.sep,
);
await tf.setBackend('wasm');

const preset = validatePreset(
  JSON.parse(readFileSync(path.join(root, 'public/presets', `${presetId}.json`), 'utf8')),
);
const { model, tokenizer } = loadCheckpoint(
  new Uint8Array(readFileSync(path.join(root, 'public/models', `${modelName}.safetensors`))),
);
const animal = makeLabeler({ kind: 'mentions-requested-animal' });
const gold = makeLabeler(preset.labeler);

async function measure(label: string) {
  const prompts = preset.heldoutPrompts;
  const rows = prompts.flatMap((p) => Array(4).fill(p) as string[]);
  const out = await sample(
    model,
    rows.map((p) => tokenizer.encode(p)),
    {
      maxNewTokens: 96,
      temperature,
      seed: 7,
    },
  );
  const texts = out.tokens.map((t) => tokenizer.decode(t));
  const mentions = texts.filter((t, i) => animal.score(t, rows[i]) >= 1).length / texts.length;
  const goldMean = texts.reduce((s, t, i) => s + gold.score(t, rows[i]), 0) / texts.length;
  const ended = out.tokens.filter((t) => t.at(-1) === EOS_ID).length / texts.length;
  console.log(
    `${label}: mentions the requested animal ${(100 * mentions).toFixed(0)}% of ${texts.length}; ` +
      `gold (${preset.labeler.kind}) ${goldMean.toFixed(2)}; ended with EOS ${(100 * ended).toFixed(0)}%`,
  );
  console.log(`  e.g. ${JSON.stringify(rows[0] + texts[0])}`);
  return { mentions, goldMean, ended };
}

const before = await measure(`${modelName} base`);
const trainer = new SftTrainer(model, { lr });
const rng = mulberry32(1);
const corpusPairs = () =>
  readFileSync(path.join(root, 'public/corpus', preset.language, 'sft.train.jsonl'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, Number(demoSource))
    .map((l) => JSON.parse(l) as { prompt: string; response: string });
const pairs = demoSource === 'preset' ? preset.demonstrations : corpusPairs();
const demos = pairs.map((d) => ({
  prompt: tokenizer.encode(d.prompt),
  response: [...tokenizer.encode(d.response), EOS_ID],
}));
let last = NaN;
for (let s = 0; s < steps; s++) {
  const b = Array.from({ length: batch }, () => demos[Math.floor(rng() * demos.length)]);
  last = (await trainer.step(b))['sft/loss'];
}
console.log(
  `SFT on ${demos.length} demonstrations: ${steps} steps, lr ${lr}, batch ${batch}, last loss ${last.toFixed(3)}`,
);
const after = await measure(`${modelName} after SFT`);
console.log(
  JSON.stringify({
    model: modelName,
    preset: presetId,
    steps,
    lr,
    batch,
    temperature,
    before,
    after,
  }),
);
