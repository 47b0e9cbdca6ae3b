import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../../helpers/tf';
import { createGPT, type GPT } from '../../../../src/core/model/gpt';
import { copyWeights } from '../../../../src/core/checkpoint';
import { sample } from '../../../../src/core/sample';
import { SftTrainer } from '../../../../src/core/train/sft';
import { RewardModelTrainer } from '../../../../src/core/train/reward-model';
import { PpoTrainer } from '../../../../src/core/train/ppo';
import { RrhfTrainer } from '../../../../src/core/train/rrhf';
import { NonFiniteError } from '../../../../src/core/train/optimizer';
import { mulberry32, randomString, tinyConfig, vowelGroup, vowelShare } from './synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('wasm');
});

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Sequences of a counting language: each letter is followed by the next one (mod 10). */
function countingBatch(n: number, rng: () => number) {
  return Array.from({ length: n }, () => {
    const start = Math.floor(rng() * 10);
    const seq = Array.from({ length: 12 }, (_, i) => 4 + ((start + i) % 10));
    return { prompt: seq.slice(0, 2), response: seq.slice(2) };
  });
}

describe('SftTrainer', () => {
  it('lowers held-out loss and keeps the tensor count flat', async () => {
    const model = createGPT(tinyConfig, 1);
    const trainer = new SftTrainer(model, { lr: 3e-3 });
    const rng = mulberry32(2);
    const heldout = countingBatch(16, mulberry32(99));
    const before = await trainer.evaluate(heldout);
    let tensors = 0;
    for (let i = 0; i < 40; i++) {
      const m = await trainer.step(countingBatch(16, rng));
      expect(Number.isFinite(m['sft/loss'])).toBe(true);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const after = await trainer.evaluate(heldout);
    expect(before).toBeGreaterThan(2); // ≈ ln(14) at random initialisation
    expect(after).toBeLessThan(before * 0.5);
    trainer.dispose();
    model.dispose();
  });

  it('skips a step whose loss is not finite, leaving the weights untouched', async () => {
    const model = createGPT(tinyConfig, 1);
    const trainer = new SftTrainer(model, { lr: 1e-3 });
    const w = model.named.get('transformer.h.0.mlp.c_fc.weight')!;
    w.assign(tf.fill(w.shape, NaN));
    const other = model.named.get('transformer.wpe.weight')!;
    const beforeOther = await other.data();
    await expect(trainer.step(countingBatch(4, mulberry32(1)))).rejects.toBeInstanceOf(
      NonFiniteError,
    );
    await expect(trainer.step(countingBatch(4, mulberry32(1)))).rejects.toThrow(/sft\/loss is NaN/);
    expect(await other.data()).toEqual(beforeOther);
    trainer.dispose();
    model.dispose();
  });
});

describe('RewardModelTrainer', () => {
  it('learns "more vowels is better" to ≥ 90% held-out pairwise accuracy', async () => {
    const model = createGPT({ ...tinyConfig, scalarHead: true }, 3);
    const trainer = new RewardModelTrainer(model, { lr: 3e-3 });
    const rng = mulberry32(4);
    const heldout = Array.from({ length: 24 }, () =>
      vowelGroup(4, mulberry32(1000 + Math.floor(rng() * 1e6))),
    );
    const start = await trainer.evaluate(heldout);
    let tensors = 0;
    for (let i = 0; i < 150; i++) {
      const groups = Array.from({ length: 8 }, () => vowelGroup(4, rng));
      const m = await trainer.step(groups);
      expect(m['rm/pairs']).toBeGreaterThan(0);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const end = await trainer.evaluate(heldout);
    expect(start.accuracy).toBeLessThan(0.75);
    expect(end.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(end.loss).toBeLessThan(start.loss);

    // Demonstrations average 0 after normalisation.
    const demos = Array.from({ length: 10 }, () => ({
      prompt: randomString(2, rng),
      response: randomString(6, rng),
    }));
    await trainer.normalize(demos);
    expect(Math.abs(mean(await trainer.score(demos)))).toBeLessThan(1e-4);
    trainer.dispose();
    model.dispose();
  });

  it('trains the direct-score objective and rejects mismatched rankings', async () => {
    const model = createGPT({ ...tinyConfig, scalarHead: true }, 3);
    const trainer = new RewardModelTrainer(model, { lr: 1e-3, objective: 'direct' });
    const g = {
      prompt: [4],
      completions: [
        [5, 6],
        [7, 8],
      ],
      grades: [0.9, 0.1],
    };
    const m = await trainer.step([g]);
    // Independent check: at initialisation σ(r) ≈ 0.5, so the loss ≈ mean((0.5 − g)²) = 0.16.
    expect(m['rm/loss']).toBeCloseTo(0.16, 1);
    await expect(
      trainer.step([{ prompt: [4], completions: [[5], [6], [7]], grades: [1, 0] }]),
    ).rejects.toThrow(/3 completions but 2 grades/);
    const pairwise = new RewardModelTrainer(model, { lr: 1e-3 });
    await expect(
      pairwise.step([{ prompt: [4], completions: [[5], [6]], ranks: [0, 0] }]),
    ).rejects.toThrow(/no comparisons/);
    trainer.dispose();
    pairwise.dispose();
    model.dispose();
  });
});

/** A policy that has seen uniform random strings (an "SFT" start with entropy to spare). */
async function uniformPolicy(seed: number): Promise<GPT> {
  const policy = createGPT({ ...tinyConfig, scalarHead: true }, seed);
  const sft = new SftTrainer(policy, { lr: 3e-3 });
  const rng = mulberry32(seed);
  for (let i = 0; i < 30; i++) {
    await sft.step(
      Array.from({ length: 16 }, () => ({
        prompt: randomString(2, rng),
        response: randomString(8, rng),
      })),
    );
  }
  sft.dispose();
  return policy;
}

describe('PpoTrainer', () => {
  it('starts each iteration with ratio 1 and clipfrac 0 on the first minibatch', async () => {
    const policy = await uniformPolicy(5);
    const ref = createGPT({ ...tinyConfig, scalarHead: true }, 0);
    copyWeights(policy, ref);
    const trainer = new PpoTrainer(policy, ref, { lr: 1e-3, ppoEpochs: 1, miniBatchSize: 8 });
    const rng = mulberry32(6);
    const prompts = Array.from({ length: 8 }, () => randomString(2, rng));
    const out = await sample(policy, prompts, { maxNewTokens: 8, seed: 1, eosId: -1 });
    const m = await trainer.step({
      prompts,
      responses: out.tokens,
      scores: out.tokens.map(vowelShare),
    });
    expect(m['ppo/policy/ratio_mean']).toBeCloseTo(1, 5);
    expect(m['ppo/policy/clipfrac']).toBe(0);
    expect(m['ppo/policy/approxkl']).toBeLessThan(1e-9);
    // Policy and reference are identical: KL is 0 before the update.
    expect(Math.abs(m['objective/kl'])).toBeLessThan(1e-5);
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('cuts each minibatch to its own longest row, and the cut rows keep their old log-probs', async () => {
    const policy = await uniformPolicy(9);
    const ref = createGPT({ ...tinyConfig, scalarHead: true }, 0);
    copyWeights(policy, ref);
    // lr 0: the policy never moves, so every minibatch of every epoch must see
    // ratio 1 exactly if its columns still line up with the rollout's.
    const trainer = new PpoTrainer(policy, ref, { lr: 0, ppoEpochs: 3, miniBatchSize: 2 });
    const rng = mulberry32(10);
    const prompts = Array.from({ length: 8 }, (_, i) => randomString(1 + (i % 3), rng));
    const out = await sample(policy, prompts, { maxNewTokens: 9, seed: 2, eosId: -1 });
    const responses = out.tokens.map((r, i) => r.slice(0, i === 0 ? 9 : 1 + (i % 4)));
    const full = Math.max(...prompts.map((p, i) => p.length + responses[i].length));
    const widths: number[] = [];
    const forward = policy.forward.bind(policy);
    policy.forward = (ids, opts) => {
      widths.push(ids.shape[1]);
      return forward(ids, opts);
    };
    const m = await trainer.step({ prompts, responses, scores: responses.map(vowelShare) });
    policy.forward = forward;
    expect(m['ppo/policy/ratio_mean']).toBeCloseTo(1, 5);
    expect(m['ppo/policy/clipfrac']).toBe(0);
    expect(m['ppo/policy/approxkl']).toBeLessThan(1e-9);
    // The rollout sees the whole batch; 12 minibatches follow, and those
    // without row 0 (the one long row) are narrower.
    expect(widths[0]).toBe(full);
    expect(widths).toHaveLength(13);
    expect(widths.slice(1).filter((w) => w < full).length).toBeGreaterThanOrEqual(8);
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('raises the vowel share within 25 iterations with finite KL and a flat tensor count', async () => {
    const policy = await uniformPolicy(7);
    const ref = createGPT({ ...tinyConfig, scalarHead: true }, 0);
    copyWeights(policy, ref);
    const trainer = new PpoTrainer(policy, ref, {
      lr: 3e-3,
      ppoEpochs: 2,
      miniBatchSize: 8,
      klCoef: 0.05,
      adaptiveKl: { target: 6, horizon: 1000 },
    });
    const rng = mulberry32(8);
    const shares: number[] = [];
    let tensors = 0;
    let last: Record<string, number> = {};
    for (let it = 0; it < 25; it++) {
      const prompts = Array.from({ length: 16 }, () => randomString(2, rng));
      const out = await sample(policy, prompts, { maxNewTokens: 8, seed: 100 + it, eosId: -1 });
      const scores = out.tokens.map(vowelShare);
      shares.push(mean(scores));
      last = await trainer.step({ prompts, responses: out.tokens, scores });
      expect(Number.isFinite(last['objective/kl'])).toBe(true);
      if (it === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    const early = mean(shares.slice(0, 3));
    const late = mean(shares.slice(-3));
    expect(late).toBeGreaterThan(early + 0.15);
    expect(last['objective/kl']).toBeGreaterThan(0);
    expect(last['objective/kl_coef']).not.toBe(0.05); // the adaptive controller moved β
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('rejects bad batches by name', async () => {
    const policy = createGPT({ ...tinyConfig, scalarHead: true }, 1);
    const trainer = new PpoTrainer(policy, policy, { lr: 1e-3 });
    await expect(trainer.step({ prompts: [[4]], responses: [[5]], scores: [NaN] })).rejects.toThrow(
      /scores: entry 0/,
    );
    await expect(
      trainer.step({ prompts: [[4]], responses: [[5], [6]], scores: [1] }),
    ).rejects.toThrow(/responses/);
    await expect(trainer.step({ prompts: [], responses: [], scores: [] })).rejects.toThrow(
      /prompts: is empty/,
    );
    expect(() => new PpoTrainer(policy, policy, { lr: 1e-3, clipRange: -1 })).toThrow(/clipRange/);
    trainer.dispose();
    policy.dispose();
  });
});

describe('RrhfTrainer', () => {
  it('raises the vowel share from the policy’s own ranked samples, tensor count flat', async () => {
    const policy = await uniformPolicy(9);
    const trainer = new RrhfTrainer(policy, { lr: 3e-3 });
    const rng = mulberry32(10);
    const shares: number[] = [];
    let tensors = 0;
    for (let it = 0; it < 25; it++) {
      const prompts = Array.from({ length: 8 }, () => randomString(2, rng));
      const rows = prompts.flatMap((p) => [p, p, p, p]);
      const out = await sample(policy, rows, { maxNewTokens: 8, seed: 200 + it, eosId: -1 });
      shares.push(mean(out.tokens.map(vowelShare)));
      const groups = prompts.map((p, i) => {
        const candidates = out.tokens.slice(4 * i, 4 * i + 4);
        return { prompt: p, candidates, scores: candidates.map(vowelShare) };
      });
      const m = await trainer.step(groups);
      expect(m['rrhf/loss/total']).toBeCloseTo(m['rrhf/loss/rank'] + m['rrhf/loss/sft'], 4);
      expect(m['env/reward_mean']).toBeCloseTo(mean(groups.flatMap((g) => g.scores)), 6);
      if (it === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    expect(mean(shares.slice(-3))).toBeGreaterThan(mean(shares.slice(0, 3)) + 0.15);
    trainer.dispose();
    policy.dispose();
  });
});
