// The exported weights load into PyTorch and compute the same thing: a
// checkpoint written by src/core (as the workers write it) plus the
// config.json the page makes (src/lib/persistence/checkpoint-meta.ts) go through
// scripts/load_torch.py, whose logits must match tfjs's (cpu backend) to
// 1e-5. PyTorch as tests/helpers/torch.ts finds it: where it is missing the
// test says so and skips, or fails with REQUIRE_TORCH=1 (as in CI).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type * as tfNs from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveCheckpoint } from '../../../src/core/checkpoint';
import { gptFromWeights } from '../../../src/core/model/gpt';
import { parameterShapes } from '../../../src/core/model/params';
import type { GPTConfig } from '../../../src/core/model/config';
import { mulberry32, normalArray } from '../../../src/core/random';
import { CharTokenizer } from '../../../src/core/tokenizer';
import { configJson, readCheckpointHeader } from '../../../src/lib/persistence/checkpoint-meta';
import { useBackend } from '../../helpers/tf';
import { TORCH_PYTHON, needTorch } from '../../helpers/torch';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const SCRIPT = path.join(ROOT, 'scripts/load_torch.py');

let tf: typeof tfNs;
let dir: string;

beforeAll(async () => {
  tf = await useBackend('cpu');
  dir = mkdtempSync(path.join(tmpdir(), 'load-torch-'));
});
afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

/** Random weights large enough that a layout mistake cannot hide in near-zero logits. */
function randomModel(config: GPTConfig, seed: number) {
  const rng = mulberry32(seed);
  const weights = new Map<string, Float32Array>();
  for (const [name, shape] of parameterShapes(config)) {
    const n = shape.reduce((a, b) => a * b, 1);
    const w = normalArray(n, 0.15, rng);
    // LayerNorm gains around 1, as trained models have them.
    if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) for (let i = 0; i < n; i++) w[i] += 1;
    weights.set(name, w);
  }
  return gptFromWeights(config, weights);
}

function runScript(weights: string, args: string[]) {
  const out = path.join(dir, `out-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(TORCH_PYTHON, [SCRIPT, weights, '--out', out, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, OMP_NUM_THREADS: '1' },
  });
  if (r.status !== 0) throw new Error(`load_torch.py failed:\n${r.stderr}`);
  return JSON.parse(readFileSync(out, 'utf8')) as {
    ids: number[];
    logits: number[][];
    head: number[] | null;
  };
}

describe('scripts/load_torch.py', () => {
  for (const tiedHead of [true, false]) {
    it(`loads an export and gives the same logits (${tiedHead ? 'tied' : 'untied'} head)`, async (ctx) => {
      needTorch(ctx);
      const tokenizer = new CharTokenizer([...'abcdefgh .\n']);
      const config = {
        vocabSize: tokenizer.vocabSize,
        blockSize: 16,
        nLayer: 2,
        nHead: 2,
        nEmbd: 16,
        tiedHead,
        scalarHead: true,
      };
      const model = randomModel(config, tiedHead ? 3 : 4);
      const bytes = await saveCheckpoint(model, tokenizer, { step: 7 });
      const weights = path.join(dir, `m-${tiedHead}.safetensors`);
      writeFileSync(weights, bytes);
      writeFileSync(
        path.join(dir, `m-${tiedHead}.config.json`),
        configJson(readCheckpointHeader(bytes)),
      );

      const text = 'a bad cafe.\nhe';
      const ids = tokenizer.encode(text, { bos: true });
      const torch = runScript(weights, ['--text', text]);
      expect(torch.ids).toEqual(ids);

      const { logits, head } = model.forward(tf.tensor2d([ids], undefined, 'int32'));
      const mine = (await logits.array())[0];
      const mineHead = (await head!.array())[0];
      tf.dispose([logits, head!]);
      model.dispose();
      let maxDiff = 0;
      let maxAbs = 0;
      mine.forEach((row, t) =>
        row.forEach((v, j) => {
          maxDiff = Math.max(maxDiff, Math.abs(v - torch.logits[t][j]));
          maxAbs = Math.max(maxAbs, Math.abs(v));
        }),
      );
      // Logits of order 1 (not near zero), equal to float32 rounding.
      expect(maxAbs).toBeGreaterThan(0.5);
      expect(maxDiff).toBeLessThan(1e-5);
      mineHead.forEach((v, t) => expect(Math.abs(v - torch.head![t])).toBeLessThan(1e-5));
    });
  }
});
