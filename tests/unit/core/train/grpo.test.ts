// GroupTrainer's wiring on tiny models (cpu): the metrics it returns are
// checked against an independent float64 recomputation from the two models'
// logits (each sequence forwarded on its own, unpadded; log-softmax, the
// completion tokens' log-probs, the advantages from their definitions and the
// first-epoch loss, where the ratio to the old policy is 1, in plain JS
// numbers), then that a step raises the best completion above the worst and
// leaves the reference alone, that tied groups give no update, that the tensor
// count stays flat, and the argument errors.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../../helpers/tf';
import { createGPT, type GPT } from '../../../../src/core/model/gpt';
import type { GroupMode } from '../../../../src/core/losses/grpo';
import { GroupTrainer, type CompletionGroup } from '../../../../src/core/train/grpo';
import { expectClose } from '../losses-helpers';
import { tinyConfig } from './synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
const sum = (xs: number[]): number => xs.reduce((a, b) => a + b, 0);

/** Two prompts, K = 3 completions of 1–6 tokens each; the best and worst of each group differ. */
const GROUPS: CompletionGroup[] = [
  { prompt: [4, 9], completions: [[5, 6, 7], [10, 11, 12, 13, 4], [8]], rewards: [1.0, 0.2, -0.5] },
  {
    prompt: [7, 12, 5],
    completions: [
      [9, 10],
      [4, 4, 4, 4, 4, 4],
      [13, 6, 11],
    ],
    rewards: [0.3, 0.9, -0.1],
  },
];

/** A tiny GPT whose weights are spread (σ ≈ 0.3 noise added) so that two seeds disagree. */
function spreadModel(seed: number): GPT {
  const model = createGPT(tinyConfig, seed);
  model.variables.forEach((v, i) => {
    tf.tidy(() =>
      v.assign(tf.add(v, tf.randomNormal(v.shape, 0, 0.3, 'float32', seed * 1000 + i))),
    );
  });
  return model;
}

/** log π of each completion token in float64 from the model's logits on prompt+completion alone. */
async function tokenLogps(model: GPT, prompt: number[], completion: number[]): Promise<number[]> {
  const ids = [...prompt, ...completion];
  const logits = tf.tidy(() => model.forward(tf.tensor2d([ids], [1, ids.length], 'int32')).logits);
  const rows = (await logits.array())[0]; // (T, V)
  logits.dispose();
  const out = [];
  for (let t = prompt.length; t < ids.length; t++) {
    const row = rows[t - 1]; // position t − 1 predicts token t
    const max = Math.max(...row);
    out.push(row[ids[t]] - max - Math.log(row.reduce((s, v) => s + Math.exp(v - max), 0)));
  }
  return out;
}

/** Advantages of one group from the definitions (GRPO with the unbiased std, as TRL). */
function advantages(r: number[], mode: GroupMode): number[] {
  const k = r.length;
  const m = mean(r);
  if (mode === 'rloo') return r.map((x, i) => x - (sum(r) - r[i]) / (k - 1));
  if (mode === 'dr-grpo') return r.map((x) => x - m);
  const std = Math.sqrt(sum(r.map((x) => (x - m) ** 2)) / (k - 1));
  return r.map((x) => (x - m) / (std + 1e-4));
}

/** The first-epoch metrics (ratio 1, nothing clipped), recomputed in float64. */
async function reference(
  policy: GPT,
  ref: GPT,
  groups: CompletionGroup[],
  mode: GroupMode,
  beta: number,
) {
  const rows: { lp: number[]; k3: number[]; a: number }[] = [];
  for (const g of groups) {
    const adv = advantages(g.rewards, mode);
    for (const [i, c] of g.completions.entries()) {
      const lp = await tokenLogps(policy, g.prompt, c);
      const rl = await tokenLogps(ref, g.prompt, c);
      const k3 = lp.map((l, t) => Math.exp(rl[t] - l) - (rl[t] - l) - 1);
      rows.push({ lp, k3, a: adv[i] });
    }
  }
  // ℓ_t = −A·ρ + β·k3 with ρ = 1.
  const perSeq = rows.map((r) => sum(r.k3.map((k) => -r.a + beta * k)));
  const lengths = rows.map((r) => r.lp.length);
  const loss =
    mode === 'grpo'
      ? mean(perSeq.map((s, i) => s / lengths[i]))
      : sum(perSeq) / (rows.length * Math.max(...lengths));
  const std = (r: number[]) => Math.sqrt(sum(r.map((x) => (x - mean(r)) ** 2)) / (r.length - 1));
  return {
    logps: rows.map((r) => sum(r.lp)),
    metrics: {
      loss,
      kl: sum(rows.flatMap((r) => r.k3)) / sum(lengths),
      clip_ratio: 0,
      reward: mean(groups.flatMap((g) => g.rewards)),
      reward_std: mean(groups.map((g) => std(g.rewards))),
      completion_length: mean(lengths),
      'grpo/advantage_abs_mean': mean(rows.map((r) => Math.abs(r.a))),
    } as Record<string, number>,
  };
}

async function weights(model: GPT): Promise<Float32Array[]> {
  return Promise.all(model.variables.map(async (v) => (await v.data()) as Float32Array));
}

describe('GroupTrainer', () => {
  it('returns the loss and TRL’s metrics of a float64 recomputation, in every mode', async () => {
    const policy = spreadModel(1);
    const ref = spreadModel(2);
    // lr 0: the weights stay put, so every step sees the same models (and a
    // second epoch the same ratio 1).
    const trainer = new GroupTrainer(policy, ref, { lr: 0, mode: 'grpo', beta: 0.04 });
    const cases: [GroupMode, number, number][] = [
      ['grpo', 0.04, 1],
      ['dr-grpo', 0, 1],
      ['rloo', 0.1, 2],
    ];
    for (const [i, [mode, beta, epochs]] of cases.entries()) {
      trainer.mode = mode; // settable between steps
      trainer.beta = beta;
      trainer.epochs = epochs;
      const want = await reference(policy, ref, GROUPS, mode, beta);
      expect(want.metrics.kl).toBeGreaterThan(1e-2); // the two models do differ
      const got = await trainer.step(GROUPS);
      for (const [k, v] of Object.entries(want.metrics)) expectClose(got[k], v, k, 1e-4, 1e-5);
      expect(got.frac_reward_zero_std).toBe(0);
      expect(got.step).toBe(i + 1);
      expect(got['grpo/grad_norm']).toBeGreaterThan(0);
    }
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it.each(['grpo', 'dr-grpo', 'rloo'] as const)(
    '%s: one step raises the best completion above the worst; the reference stays as it is',
    async (mode) => {
      const policy = spreadModel(3);
      const ref = spreadModel(4);
      const refBefore = await weights(ref);
      const before = (await reference(policy, ref, GROUPS, mode, 0.04)).logps;
      const trainer = new GroupTrainer(policy, ref, { lr: 1e-2, mode, beta: 0.04 });
      await trainer.step(GROUPS);
      const after = (await reference(policy, ref, GROUPS, mode, 0.04)).logps;
      // Rows 0 (best) and 2 (worst) of group 0; 4 (best) and 5 (worst) of group 1.
      for (const [best, worst] of [
        [0, 2],
        [4, 5],
      ]) {
        expect(after[best] - after[worst]).toBeGreaterThan(before[best] - before[worst] + 1e-3);
      }
      expect(await weights(ref)).toEqual(refBefore);
      trainer.dispose();
      policy.dispose();
      ref.dispose();
    },
  );

  it('gives groups with equal rewards zero advantage: with β = 0 the policy stays put', async () => {
    const policy = spreadModel(5);
    const ref = spreadModel(6);
    const before = await weights(policy);
    const trainer = new GroupTrainer(policy, ref, { lr: 1e-2, mode: 'grpo', beta: 0 });
    const tied = GROUPS.map((g) => ({ ...g, rewards: g.rewards.map(() => 0.7) }));
    for (const mode of ['grpo', 'dr-grpo', 'rloo'] as const) {
      trainer.mode = mode;
      const m = await trainer.step(tied);
      expect(m.loss).toBe(0);
      expect(m['grpo/advantage_abs_mean']).toBe(0);
      expect(m['grpo/grad_norm']).toBe(0);
      expect(m.reward_std).toBe(0);
      expect(m.frac_reward_zero_std).toBe(1);
      expect(Number.isFinite(m.kl)).toBe(true);
    }
    expect(await weights(policy)).toEqual(before);
    // With β > 0 the KL term alone still moves it.
    trainer.beta = 0.1;
    const m = await trainer.step(tied);
    expect(m.loss).toBeGreaterThan(0);
    expect(await weights(policy)).not.toEqual(before);
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('keeps the tensor count flat across steps, whichever the mode and epochs', async () => {
    const policy = createGPT(tinyConfig, 7);
    const ref = createGPT(tinyConfig, 8);
    const trainer = new GroupTrainer(policy, ref, { lr: 1e-3, mode: 'grpo', beta: 0.04 });
    const modes = ['grpo', 'dr-grpo', 'rloo'] as const;
    let tensors = 0;
    for (let i = 0; i < 6; i++) {
      trainer.mode = modes[i % 3];
      trainer.epochs = 1 + (i % 2);
      const m = await trainer.step(GROUPS);
      expect(Number.isFinite(m.loss)).toBe(true);
      if (i === 1) tensors = tf.memory().numTensors;
    }
    expect(tf.memory().numTensors).toBe(tensors);
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });

  it('rejects bad groups and settings by name, before any tensor is made', async () => {
    const policy = createGPT(tinyConfig, 9);
    const ref = createGPT(tinyConfig, 10);
    const trainer = new GroupTrainer(policy, ref, { lr: 1e-3, mode: 'grpo', beta: 0.04 });
    const tensors = tf.memory().numTensors;
    const g = GROUPS[0];
    const bad: [CompletionGroup[], RegExp][] = [
      [[], /groups: is empty/],
      [[g, { ...g, completions: [g.completions[0]], rewards: [1] }], /group 1 has 1 completion/],
      [[{ ...g, rewards: [1, 2] }], /group 0 has 3 completions but 2 rewards/],
      [[{ ...g, rewards: [1, NaN, 2] }], /group 0 reward 1 is NaN/],
      [[{ ...g, rewards: [1, 2, Infinity] }], /reward 2 is Infinity/],
      [[{ ...g, completions: [[5], [], [6]] }], /group 0 completion 1 is empty/],
      [[{ ...g, prompt: [] }], /group 0 has an empty prompt/],
    ];
    for (const [groups, message] of bad)
      await expect(trainer.step(groups)).rejects.toThrow(message);
    trainer.mode = 'ppo' as GroupMode;
    await expect(trainer.step(GROUPS)).rejects.toThrow(/mode: is ppo/);
    trainer.mode = 'rloo';
    trainer.beta = -1;
    await expect(trainer.step(GROUPS)).rejects.toThrow(/beta: is -1/);
    trainer.beta = 0;
    trainer.clipRange = 0;
    await expect(trainer.step(GROUPS)).rejects.toThrow(/clipRange: is 0/);
    trainer.clipRange = 0.2;
    trainer.epochs = 0;
    await expect(trainer.step(GROUPS)).rejects.toThrow(/epochs: is 0/);
    expect(trainer.stepCount).toBe(0);
    expect(tf.memory().numTensors).toBe(tensors);
    const s = { lr: 1e-3, mode: 'grpo' as const, beta: 0.04 };
    expect(() => new GroupTrainer(policy, ref, { ...s, beta: NaN })).toThrow(/beta/);
    expect(() => new GroupTrainer(policy, ref, { ...s, mode: 'x' as GroupMode })).toThrow(/mode/);
    expect(() => new GroupTrainer(policy, ref, { ...s, clipRange: -0.1 })).toThrow(/clipRange/);
    expect(() => new GroupTrainer(policy, ref, { ...s, epochs: 1.5 })).toThrow(/epochs/);
    expect(() => new GroupTrainer(policy, policy, s)).toThrow(/reference: is the policy itself/);
    const other = createGPT({ ...tinyConfig, vocabSize: tinyConfig.vocabSize + 1 }, 11);
    expect(() => new GroupTrainer(policy, other, s)).toThrow(/tokens/);
    other.dispose();
    trainer.dispose();
    policy.dispose();
    ref.dispose();
  });
});
