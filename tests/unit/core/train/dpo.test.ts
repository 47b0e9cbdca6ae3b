// DpoTrainer's wiring on tiny models (cpu): the metrics it returns are checked
// against an independent float64 recomputation from the two models' logits
// (each sequence forwarded on its own, unpadded; log-softmax, the response
// tokens' log-probs and the DPO/IPO formulas in plain JS numbers), then that a
// step widens the margin and leaves the reference alone, that the tensor count
// stays flat, and the argument errors.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../../helpers/tf';
import { createGPT, type GPT } from '../../../../src/core/model/gpt';
import type { DpoLossType } from '../../../../src/core/losses/dpo';
import { DpoTrainer, dpoPairs, type DpoPair } from '../../../../src/core/train/dpo';
import { expectClose } from '../losses-helpers';
import { tinyConfig } from './synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Prompts of 1–5 tokens and responses of 1–8: rows of different lengths, padded in a batch. */
const PAIRS: DpoPair[] = [
  { prompt: [4, 9], chosen: [5, 6, 7], rejected: [10, 11, 12, 13, 4, 5, 6] },
  { prompt: [7], chosen: [8, 4, 8, 4, 8, 4, 8, 4], rejected: [13] },
  { prompt: [12, 11, 10, 9, 8], chosen: [4, 4], rejected: [6, 7, 6, 7] },
  { prompt: [5, 13, 6], chosen: [9, 10, 11, 12, 13], rejected: [11, 9] },
];

/**
 * A tiny GPT whose weights are spread (σ ≈ 0.3 noise added) so that its
 * next-token distributions are far from uniform and two seeds disagree.
 */
function spreadModel(seed: number): GPT {
  const model = createGPT(tinyConfig, seed);
  model.variables.forEach((v, i) => {
    tf.tidy(() =>
      v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', seed * 1000 + i))),
    );
  });
  return model;
}

/** log π(response | prompt) in float64 from the model's logits: Σ (or mean) over the response tokens. */
async function logp(model: GPT, prompt: number[], response: number[], average: boolean) {
  const ids = [...prompt, ...response];
  const logits = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits);
  const rows = (await logits.array())[0]; // (T, V)
  logits.dispose();
  let sum = 0;
  for (let t = prompt.length; t < ids.length; t++) {
    const row = rows[t - 1]; // position t − 1 predicts token t
    const max = Math.max(...row);
    const logZ = max + Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0));
    sum += row[ids[t]] - logZ;
  }
  return average ? sum / response.length : sum;
}

/** The loss and TRL's DPO metrics, recomputed in float64 (with the per-pair margins). */
async function reference(policy: GPT, ref: GPT, pairs: DpoPair[], beta: number, loss: DpoLossType) {
  const avg = loss === 'ipo'; // TRL's IPO uses the mean log-prob per response token
  const rows = [];
  for (const p of pairs) {
    const pc = await logp(policy, p.prompt, p.chosen, avg);
    const pr = await logp(policy, p.prompt, p.rejected, avg);
    const rc = await logp(ref, p.prompt, p.chosen, avg);
    const rr = await logp(ref, p.prompt, p.rejected, avg);
    const h = pc - rc - (pr - rr);
    const l = loss === 'sigmoid' ? softplus(-beta * h) : (h - 1 / (2 * beta)) ** 2;
    rows.push({ pc, pr, l, chosen: beta * (pc - rc), rejected: beta * (pr - rr) });
  }
  const margins = rows.map((r) => r.chosen - r.rejected);
  return {
    margins,
    metrics: {
      loss: mean(rows.map((r) => r.l)),
      'rewards/chosen': mean(rows.map((r) => r.chosen)),
      'rewards/rejected': mean(rows.map((r) => r.rejected)),
      'rewards/accuracies': mean(margins.map((m) => (m > 0 ? 1 : 0))),
      'rewards/margins': mean(margins),
      'logps/chosen': mean(rows.map((r) => r.pc)),
      'logps/rejected': mean(rows.map((r) => r.pr)),
    } as Record<string, number>,
  };
}

async function weights(model: GPT): Promise<Float32Array[]> {
  return Promise.all(model.variables.map(async (v) => (await v.data()) as Float32Array));
}

describe('DpoTrainer', () => {
  it('returns the loss and TRL’s metrics of a float64 recomputation, sigmoid then ipo', async () => {
    const policy = spreadModel(1);
    const ref = spreadModel(2);
    // lr 0: the weights stay put, so both losses see the same models.
    const trainer = new DpoTrainer(policy, ref, { lr: 0, beta: 0.5 });
    const cases: [number, DpoLossType][] = [
      [0.5, 'sigmoid'],
      [0.3, 'ipo'],
    ];
    for (const [i, [beta, loss]] of cases.entries()) {
      trainer.beta = beta; // both settable between steps
      trainer.loss = loss;
      const want = await reference(policy, ref, PAIRS, beta, loss);
      // The accuracy check means something only away from ties, with both outcomes present.
      expect(Math.min(...want.margins.map(Math.abs))).toBeGreaterThan(1e-2);
      expect(want.metrics['rewards/accuracies']).toBeGreaterThan(0);
      expect(want.metrics['rewards/accuracies']).toBeLessThan(1);
      const got = await trainer.step(PAIRS);
      for (const [k, v] of Object.entries(want.metrics)) expectClose(got[k], v, k, 1e-4, 1e-5);
      expect(got.step).toBe(i + 1);
      expect(got['dpo/grad_norm']).toBeGreaterThan(0);
    }
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it.each(['sigmoid', 'ipo'] as const)(
    '%s: one step widens the margin on its pairs; the reference stays as it is',
    async (loss) => {
      const policy = spreadModel(3);
      const ref = spreadModel(4);
      const beta = 0.1;
      const refBefore = await weights(ref);
      const policyBefore = await weights(policy);
      const before = await reference(policy, ref, PAIRS, beta, loss);
      const trainer = new DpoTrainer(policy, ref, { lr: 1e-2, beta, loss });
      await trainer.step(PAIRS);
      const after = await reference(policy, ref, PAIRS, beta, loss);
      expect(after.metrics['rewards/margins']).toBeGreaterThan(
        before.metrics['rewards/margins'] + 1e-3,
      );
      expect(after.metrics.loss).toBeLessThan(before.metrics.loss);
      expect(await weights(ref)).toEqual(refBefore);
      expect(await weights(policy)).not.toEqual(policyBefore);
      trainer.dispose();
      policy.dispose();
      ref.dispose();
    },
  );

  it('keeps the tensor count flat across steps, whichever the loss', async () => {
    const policy = createGPT(tinyConfig, 5);
    const ref = createGPT(tinyConfig, 6);
    const trainer = new DpoTrainer(policy, ref, { lr: 1e-3, beta: 0.1 });
    let tensors = 0;
    for (let i = 0; i < 6; i++) {
      trainer.loss = i % 2 === 0 ? 'sigmoid' : 'ipo';
      const m = await trainer.step(PAIRS);
      expect(Number.isFinite(m.loss)).toBe(true);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('rejects empty batches, prompts and responses, bad β and loss types by name', async () => {
    const policy = createGPT(tinyConfig, 7);
    const ref = createGPT(tinyConfig, 8);
    const trainer = new DpoTrainer(policy, ref, { lr: 1e-3, beta: 0.1 });
    const tensors = tf.memory().numTensors;
    const pair = PAIRS[0];
    await expect(trainer.step([])).rejects.toThrow(/pairs: is empty/);
    await expect(trainer.step([pair, { ...pair, chosen: [] }])).rejects.toThrow(
      /pairs: pair 1 has an empty chosen response/,
    );
    await expect(trainer.step([{ ...pair, rejected: [] }])).rejects.toThrow(
      /pair 0 has an empty rejected response/,
    );
    await expect(trainer.step([{ ...pair, prompt: [] }])).rejects.toThrow(/empty prompt/);
    trainer.beta = 0;
    await expect(trainer.step(PAIRS)).rejects.toThrow(/beta: is 0/);
    trainer.beta = 0.1;
    trainer.loss = 'hinge' as DpoLossType;
    await expect(trainer.step(PAIRS)).rejects.toThrow(/loss: is hinge/);
    expect(trainer.stepCount).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    expect(() => new DpoTrainer(policy, ref, { lr: 1e-3, beta: -1 })).toThrow(/beta/);
    expect(
      () => new DpoTrainer(policy, ref, { lr: 1e-3, beta: 0.1, loss: 'kto' as DpoLossType }),
    ).toThrow(/loss/);
    expect(() => new DpoTrainer(policy, policy, { lr: 1e-3, beta: 0.1 })).toThrow(
      /reference: is the policy itself/,
    );
    const other = createGPT({ ...tinyConfig, vocabSize: tinyConfig.vocabSize + 1 }, 9);
    expect(() => new DpoTrainer(policy, other, { lr: 1e-3, beta: 0.1 })).toThrow(/tokens/);
    other.dispose();
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });
});

describe('dpoPairs', () => {
  it('pairs every two answers at different places, the better one chosen', () => {
    const responses = [[4], [5], [6], [7]];
    // ranks [1, 0, 1, 2]: answer 1 best, 0 and 2 tied (no pair), 3 worst.
    expect(dpoPairs([9], responses, [1, 0, 1, 2])).toEqual([
      { prompt: [9], chosen: [5], rejected: [4] },
      { prompt: [9], chosen: [4], rejected: [7] },
      { prompt: [9], chosen: [5], rejected: [6] },
      { prompt: [9], chosen: [5], rejected: [7] },
      { prompt: [9], chosen: [6], rejected: [7] },
    ]);
    expect(dpoPairs([9], [[4], [5]], [0, 0])).toEqual([]);
    expect(() => dpoPairs([9], responses, [0, 1])).toThrow(/ranks: has 2 entries/);
  });
});
