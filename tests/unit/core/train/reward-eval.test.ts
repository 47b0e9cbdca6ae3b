/**
 * Held-out evaluation of the reward model in bounded batches: no forward pass
 * reads more than `evalBatchSequences` answers (one pass over 40,000 answers
 * overflowed wasm's memory), and the loss, accuracy and pair count are those
 * of a float64 computation over all groups at once, from rewards read off the
 * model's final hidden states one answer at a time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../../helpers/tf';
import { createGPT } from '../../../../src/core/model/gpt';
import { rankingToPairs } from '../../../../src/core/preferences';
import { groupBatches, spreadSample } from '../../../../src/core/train/reward-batches';
import { ENDING_TOKENS } from '../../../../src/core/train/reward-head';
import { RewardModelTrainer } from '../../../../src/core/train/reward-model';
import { mulberry32, randomString, tinyConfig } from './synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

/** Float64 reward of one answer: the head's mean over its last min(8, |y|) positions. */
async function reference(
  model: ReturnType<typeof createGPT>,
  q: { prompt: number[]; response: number[] },
): Promise<number> {
  const w = Array.from(await model.named.get('score.weight')!.data());
  const b = (await model.named.get('score.bias')!.data())[0];
  const ids = tf.tensor2d([[...q.prompt, ...q.response]], undefined, 'int32');
  const h = model.hidden(ids);
  const rows = (await h.array())[0];
  tf.dispose([ids, h]);
  const n = Math.min(ENDING_TOKENS, q.response.length);
  let r = 0;
  for (let t = rows.length - n; t < rows.length; t++) {
    r += (rows[t].reduce((s, x, c) => s + x * w[c], 0) + b) / n;
  }
  return r;
}

describe('RewardModelTrainer.evaluate in bounded batches', () => {
  it.each(['all', 'head'] as const)(
    'reads at most evalBatchSequences answers per pass and gives the all-at-once figures (trains %s)',
    async (trains) => {
      const model = createGPT({ ...tinyConfig, scalarHead: true }, 5);
      model.named
        .get('score.weight')!
        .assign(tf.randomNormal([tinyConfig.nEmbd, 1], 0, 0.5, 'float32', 9));
      const rng = mulberry32(4);
      // 3 answers a group, 17 groups: batches of 8 answers cut between groups; one tie.
      const groups = Array.from({ length: 17 }, (_, g) => ({
        prompt: randomString(2, rng),
        completions: [randomString(9, rng), randomString(4, rng), randomString(6, rng)],
        ranks: g === 5 ? [0, 0, 0] : [0, 2, 1],
      }));
      const widest: number[] = [];
      for (const name of ['forward', 'hidden'] as const) {
        const pass = model[name].bind(model) as (ids: tfNs.Tensor2D) => unknown;
        (model as unknown as Record<string, unknown>)[name] = (ids: tfNs.Tensor2D) => {
          widest.push(ids.shape[0]);
          return pass(ids);
        };
      }
      const trainer = new RewardModelTrainer(model, { lr: 1e-2, trains, evalBatchSequences: 8 });

      let loss = 0;
      let lossGroups = 0;
      let correct = 0;
      let pairs = 0;
      for (const g of groups) {
        const r: number[] = [];
        for (const c of g.completions)
          r.push(await reference(model, { prompt: g.prompt, response: c }));
        const p = rankingToPairs(g.ranks);
        if (p.length === 0) continue;
        loss += p.reduce((s, [a, b]) => s + Math.log1p(Math.exp(-(r[a] - r[b]))), 0) / p.length;
        lossGroups++;
        correct += p.filter(([a, b]) => r[a] - r[b] > 0).length;
        pairs += p.length;
      }
      widest.length = 0;

      const got = await trainer.evaluate(groups);
      expect(Math.max(...widest)).toBeLessThanOrEqual(8);
      expect(got.pairs).toBe(pairs);
      expect(got.loss).toBeCloseTo(loss / lossGroups, 5);
      expect(got.accuracy).toBeCloseTo(correct / pairs, 6);

      // Again, on cached features with a frozen trunk: the same figures, no tensor left behind.
      const tensors = tf.memory().numTensors;
      const again = await trainer.evaluate(groups);
      expect(again.loss).toBeCloseTo(got.loss, 6);
      expect(tf.memory().numTensors).toBe(tensors);
      trainer.dispose();
      model.dispose();
    },
  );

  it('cuts batches between groups and keeps a larger group whole; samples evenly', () => {
    const g = (k: number) => ({ completions: Array.from({ length: k }, () => 0) });
    const sizes = (b: { completions: unknown[] }[][]) =>
      b.map((x) => x.map((y) => y.completions.length));
    expect(sizes(groupBatches([g(3), g(3), g(3), g(9), g(2)], 8))).toEqual([[3, 3], [3], [9], [2]]);
    expect(spreadSample([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([0, 2, 5, 7]);
    expect(spreadSample([1, 2], 4)).toEqual([1, 2]);
  });
});
