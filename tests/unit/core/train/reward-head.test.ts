/**
 * The reward model's frozen-trunk mode: only the head learns, the trunk's
 * weights stay as they were, and the reward it trains on (from cached pooled
 * features) is the reward it scores with — checked against a float64
 * computation from the model's own final hidden states.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../../helpers/tf';
import { createGPT } from '../../../../src/core/model/gpt';
import { readWeights } from '../../../../src/core/checkpoint';
import { rankingToPairs } from '../../../../src/core/preferences';
import { RewardModelTrainer } from '../../../../src/core/train/reward-model';
import { referenceRewards } from './reference-rewards';
import { mulberry32, randomString, tinyConfig, vowelGroup } from './synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

describe('RewardModelTrainer with a frozen trunk', () => {
  it.each(['ending', 'mean', 'last'] as const)(
    'trains only the head, on the reward it scores with (%s readout)',
    async (readout) => {
      const model = createGPT({ ...tinyConfig, scalarHead: true }, 7);
      // A non-zero head, so that the rewards differ from the start.
      model.named
        .get('score.weight')!
        .assign(tf.randomNormal([tinyConfig.nEmbd, 1], 0, 0.5, 'float32', 3));
      const trainer = new RewardModelTrainer(model, { lr: 1e-2, trains: 'head', readout });
      const rng = mulberry32(11);
      // Responses longer and shorter than the 8-token ending.
      const groups = Array.from({ length: 3 }, (_, g) => ({
        prompt: randomString(2, rng),
        completions: [randomString(20, rng), randomString(5, rng), randomString(12 - g, rng)],
        ranks: [0, 2, 1],
      }));
      const seqs = groups.flatMap((g) =>
        g.completions.map((c) => ({ prompt: g.prompt, response: c })),
      );

      const scored = await trainer.score(seqs);
      const reference = await referenceRewards(model, seqs, readout);
      scored.forEach((r, i) => expect(r).toBeCloseTo(reference[i], 4));

      // The first step's loss (cached features) is the float64 pairwise loss of those rewards.
      let expected = 0;
      groups.forEach((g, j) => {
        const r = reference.slice(3 * j, 3 * j + 3);
        const pairs = rankingToPairs(g.ranks);
        expected +=
          pairs.reduce((s, [a, c]) => s + Math.log1p(Math.exp(-(r[a] - r[c]))), 0) /
          pairs.length /
          groups.length;
      });
      const before = await readWeights(model);
      const m = await trainer.step(groups);
      expect(m['rm/loss']).toBeCloseTo(expected, 4);

      for (let i = 0; i < 5; i++) await trainer.step(groups);
      const after = await readWeights(model);
      for (const [name, value] of before) {
        const same = value.every((x, i) => x === after.get(name)![i]);
        expect(same, name).toBe(!name.startsWith('score.'));
      }
      // The scores follow the new head, through the full forward pass.
      const rescored = await trainer.score(seqs);
      const again = await referenceRewards(model, seqs, readout);
      rescored.forEach((r, i) => expect(r).toBeCloseTo(again[i], 4));
      trainer.dispose();
      model.dispose();
    },
  );

  it('trains on added (cut-off) answers but counts only the ranked pairs in accuracy, evaluation and cross-validation', async () => {
    const model = createGPT({ ...tinyConfig, scalarHead: true }, 5);
    model.named
      .get('score.weight')!
      .assign(tf.randomNormal([tinyConfig.nEmbd, 1], 0, 0.5, 'float32', 4));
    const trainer = new RewardModelTrainer(model, { lr: 1e-2, trains: 'head' });
    const rng = mulberry32(5);
    // Three ranked answers (3 pairs) and two added ones tied last (2 × 3 more pairs).
    const groups = Array.from({ length: 2 }, () => ({
      prompt: randomString(2, rng),
      completions: Array.from({ length: 5 }, (_, i) => randomString(6 + i, rng)),
      ranks: [1, 0, 2, 3, 3],
      added: 2,
    }));
    const seqs = groups.flatMap((g) =>
      g.completions.map((c) => ({ prompt: g.prompt, response: c })),
    );
    const r = await referenceRewards(model, seqs, 'ending');
    let loss = 0;
    let correct = 0;
    groups.forEach((g, j) => {
      const x = r.slice(5 * j, 5 * j + 5);
      const all = rankingToPairs(g.ranks);
      expect(all).toHaveLength(9);
      loss += all.reduce((s, [a, c]) => s + Math.log1p(Math.exp(-(x[a] - x[c]))), 0) / 9 / 2;
      for (const [a, c] of rankingToPairs([1, 0, 2])) if (x[a] > x[c]) correct++;
    });
    const evaluated = await trainer.evaluate(groups);
    expect(evaluated.pairs).toBe(6);
    expect(evaluated.accuracy).toBeCloseTo(correct / 6, 6);
    const m = await trainer.step(groups);
    expect(m['rm/loss']).toBeCloseTo(loss, 4);
    expect(m['rm/pairs']).toBe(6);
    expect(m['rm/accuracy']).toBeCloseTo(correct / 6, 6);
    const cv = await trainer.crossValidate(groups, { steps: 5, lr: 1e-2 });
    expect(cv.pairs).toBe(6);
    await expect(trainer.step([{ ...groups[0], added: 4 }])).rejects.toThrow(/added/);
    trainer.dispose();
    model.dispose();
  });

  it('cross-validates leave-one-out: high on a learnable taste, at chance on a random one, 0 on identical answers', async () => {
    const rng = mulberry32(21);
    const vowels = Array.from({ length: 10 }, () => vowelGroup(4, rng));
    const random = vowels.map((g) => ({ ...g, ranks: [...g.ranks].sort(() => rng() - 0.5) }));
    const same = vowels.map((g) => ({
      ...g,
      completions: g.completions.map(() => g.completions[0]),
    }));
    const result = async (groups: typeof vowels) => {
      const model = createGPT({ ...tinyConfig, scalarHead: true }, 3);
      const trainer = new RewardModelTrainer(model, { lr: 1e-2, trains: 'head' });
      const r = await trainer.crossValidate(groups, { steps: 60, lr: 1e-2 });
      trainer.dispose();
      model.dispose();
      return r;
    };
    const learnable = await result(vowels);
    const pairs = vowels.reduce((n, g) => n + rankingToPairs(g.ranks).length, 0);
    expect(learnable.pairs).toBe(pairs);
    expect(learnable.accuracy).toBeGreaterThan(0.75);
    const chance = await result(random);
    expect(chance.accuracy).toBeLessThan(learnable.accuracy);
    expect(chance.accuracy).toBeLessThan(0.7);
    expect((await result(same)).accuracy).toBe(0); // equal rewards: every pair a tie
    const whole = new RewardModelTrainer(createGPT({ ...tinyConfig, scalarHead: true }, 3), {
      lr: 1e-3,
    });
    await expect(whole.crossValidate(vowels, { steps: 1, lr: 1e-2 })).rejects.toThrow(
      /frozen trunk/,
    );
  });
});
