// The Evaluate stage's KL and perplexity, on a tiny model in Node (cpu, the
// numeric reference): a policy measured against itself has KL 0; after its
// weights move, the KL is positive; the perplexity is exp of the model's own
// mean next-token loss on the same windows, computed here independently.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { createGPT, gptFromWeights } from '../../../src/core/model/gpt';
import { lmLoss } from '../../../src/core/model/lm-losses';
import { readWeights } from '../../../src/core/checkpoint';
import { mulberry32 } from '../../../src/core/random';
import { packSequences } from '../../../src/core/train/batch';
import { randomWindows } from '../../../src/core/train/sft';
import { measurePolicy } from '../../../workers/policy-measures';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';
import { EOS_ID } from '../../../src/core/tokenizer';

/** log p(next token) at every position of `ids`, by a float64 log-softmax of exported logits. */
async function logprobsOf(model: ReturnType<typeof createGPT>, ids: number[]): Promise<number[]> {
  const x = tf.tensor2d([ids], [1, ids.length], 'int32');
  const logits = model.forward(x).logits;
  const rows = ((await logits.array()) as number[][][])[0];
  tf.dispose([x, logits]);
  return ids.slice(1).map((next, t) => {
    const row = rows[t];
    const max = Math.max(...row);
    const lse = max + Math.log(row.reduce((a, v) => a + Math.exp(v - max), 0));
    return row[next] - lse;
  });
}

beforeAll(async () => {
  await useBackend('cpu');
});

const request = {
  prompts: ['ab', 'ea'],
  k: 2,
  maxNewTokens: 6,
  seed: 3,
  text: 'abcde'.repeat(40),
  windows: 4,
};

describe('measurePolicy', () => {
  it('gives KL 0 against itself and the perplexity of its own loss', async () => {
    const model = createGPT(tinyConfig, 1);
    const ref = gptFromWeights(model.config, await readWeights(model));
    const m = await measurePolicy(model, ref, tokenizer, request);
    expect(m.kl).toBeCloseTo(0, 5);
    expect(m.answers).toBe(4);
    // The same windows (seed 1234, as the worker draws them), scored independently.
    const ids = tokenizer.encode(request.text);
    const windows = randomWindows(
      ids,
      4,
      Math.min(tinyConfig.blockSize, ids.length - 1),
      mulberry32(1234),
    );
    const packed = packSequences(windows, tinyConfig.blockSize);
    const loss = lmLoss(model, packed.ids, packed.lossMask);
    const nll = (await loss.data())[0];
    tf.dispose([loss, packed.ids, packed.lossMask]);
    expect(m.nll).toBeCloseTo(nll, 6);
    expect(m.perplexity).toBeCloseTo(Math.exp(nll), 5);
    model.dispose();
    ref.dispose();
  });

  it('returns the answers it measured on: their KL, recomputed in float64, is the KL given', async () => {
    const model = createGPT(tinyConfig, 1);
    const ref = createGPT(tinyConfig, 2);
    // The first call builds the models' sampling caches; after it, nothing is left behind.
    await measurePolicy(model, ref, tokenizer, { ...request, text: '' });
    const before = tf.memory().numTensors;
    const m = await measurePolicy(model, ref, tokenizer, { ...request, text: '', answers: true });
    expect(tf.memory().numTensors).toBe(before);
    const samples = m.samples!;
    expect(samples.map((s) => s.prompt)).toEqual(['ab', 'ab', 'ea', 'ea']);
    let total = 0;
    for (const { prompt, response } of samples) {
      const p = tokenizer.encode(prompt);
      const r = tokenizer.encode(response);
      // A row shorter than the budget ended with EOS, which the text leaves out.
      if (r.length < request.maxNewTokens) r.push(EOS_ID);
      const ids = [...p, ...r];
      const lp = await logprobsOf(model, ids);
      const lpRef = await logprobsOf(ref, ids);
      for (let t = p.length - 1; t < ids.length - 1; t++) total += lp[t] - lpRef[t];
    }
    expect(m.kl).toBeCloseTo(total / samples.length, 4);
    // Without asking, no answers come back.
    expect((await measurePolicy(model, ref, tokenizer, { ...request, text: '' })).samples).toBe(
      undefined,
    );
    model.dispose();
    ref.dispose();
  });

  it('gives a positive KL once the policy differs from the reference', async () => {
    const model = createGPT(tinyConfig, 1);
    const ref = createGPT(tinyConfig, 2);
    const m = await measurePolicy(model, ref, tokenizer, { ...request, text: '' });
    expect(m.kl).toBeGreaterThan(0);
    expect(Number.isNaN(m.perplexity)).toBe(true);
    model.dispose();
    ref.dispose();
  });
});
