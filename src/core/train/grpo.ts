/**
 * Group-relative policy gradients (../losses/grpo.ts): GRPO (Shao et al. 2024,
 * arXiv 2402.03300), Dr. GRPO (Liu et al. 2025, arXiv 2503.20783) and RLOO
 * (Ahmadian et al. 2024, arXiv 2402.14740) as modes of one trainer. No value
 * model: the caller samples K ≥ 2 completions per prompt and scores them (a
 * reward model, a rule, a person); each completion's advantage is its reward
 * against the rest of its group.
 *
 * One step, as TRL's GRPOTrainer with one generation batch:
 *   1. the old log-probs (the policy before the update) and the reference's,
 *      per completion token, outside the gradient tape;
 *   2. the advantages of each group by mode (float64, groupAdvantages);
 *   3. `epochs` updates on the whole batch with the clipped surrogate and
 *      β·KL to the reference. With one epoch the ratio is 1, the clipping
 *      idle, and the step is plain policy gradient (TRL's num_iterations 1).
 * Loss normalisation by mode: grpo per sequence then over sequences; dr-grpo
 * the sum over all tokens over B·L_max, L_max the batch's longest completion;
 * rloo the same as dr-grpo, since RLOO treats a completion as one action
 * (the gradient of Σ_t log π(y_t), scaled by the constant 1/(B·L_max)).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty, assertPositive } from '../errors';
import { tokenLogprobs } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import {
  checkGroupBeta,
  checkGroupMode,
  groupAdvantages,
  grpoLoss,
  type GroupMode,
} from '../losses/grpo';
import { disposeBatch, packSequences, type PackedBatch } from './batch';
import { assertReference } from './reference';
import { Optimizer, type OptimizerSettings } from './optimizer';

/** K completions of one prompt (token ids) and their rewards. */
export interface CompletionGroup {
  prompt: number[];
  completions: number[][];
  rewards: number[];
}

export interface GroupSettings extends OptimizerSettings {
  /** How advantages and the loss are normalised: 'grpo', 'dr-grpo' or 'rloo'. */
  mode: GroupMode;
  /** KL coefficient β ≥ 0 (0.04 in DeepSeekMath; 0 in Dr. GRPO). */
  beta: number;
  /** ε of the clipped ratio; default 0.2. */
  clipRange?: number;
  /** Updates on each batch (TRL's num_iterations, GRPO's μ); default 1. */
  epochs?: number;
}

function checkEpochs(epochs: number): void {
  if (!Number.isInteger(epochs) || epochs < 1 || epochs > 100) {
    throw new ArgumentError('epochs', `is ${String(epochs)}; expected an integer in [1, 100]`);
  }
}

function checkGroups(groups: CompletionGroup[]): void {
  assertNonEmpty('groups', groups);
  groups.forEach((g, i) => {
    // The first completion token needs a token before it to be predicted.
    if (g.prompt.length === 0) throw new ArgumentError('groups', `group ${i} has an empty prompt`);
    if (g.completions.length < 2) {
      throw new ArgumentError(
        'groups',
        `group ${i} has ${g.completions.length} completion(s); expected K >= 2`,
      );
    }
    if (g.rewards.length !== g.completions.length) {
      throw new ArgumentError(
        'groups',
        `group ${i} has ${g.completions.length} completions but ${g.rewards.length} rewards`,
      );
    }
    g.rewards.forEach((r, k) => {
      if (typeof r !== 'number' || !Number.isFinite(r)) {
        throw new ArgumentError(
          'groups',
          `group ${i} reward ${k} is ${String(r)}; expected finite`,
        );
      }
    });
    g.completions.forEach((c, k) => {
      if (c.length === 0) throw new ArgumentError('groups', `group ${i} completion ${k} is empty`);
    });
  });
}

/** log π of each row's next token at every position, (B, T−1). */
function tokenLogps(model: GPT, packed: PackedBatch): tf.Tensor2D {
  return tf.tidy(() => tokenLogprobs(model.forward(packed.ids).logits, packed.ids));
}

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

const allEqual = (xs: number[]): boolean => xs.every((x) => x === xs[0]);

/** Unbiased standard deviation (torch's `std`, TRL's reward_std); exactly 0 for equal entries. */
function std(xs: number[]): number {
  if (allEqual(xs)) return 0; // a computed mean of equal floats may miss them by an ulp
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, x) => a + (x - m) ** 2, 0) / (xs.length - 1));
}

export class GroupTrainer {
  readonly model: GPT;
  /** The frozen reference π_ref (usually the SFT model): read, never trained. */
  readonly reference: GPT;
  readonly optimizer: Optimizer;
  /** May be changed between steps. */
  mode: GroupMode;
  /** May be changed between steps. */
  beta: number;
  /** May be changed between steps. */
  clipRange: number;
  /** May be changed between steps. */
  epochs: number;
  stepCount = 0;

  constructor(model: GPT, reference: GPT, settings: GroupSettings) {
    assertReference(model, reference);
    const { mode, beta, clipRange = 0.2, epochs = 1 } = settings;
    checkGroupMode(mode);
    checkGroupBeta(beta);
    assertPositive('clipRange', clipRange);
    checkEpochs(epochs);
    this.model = model;
    this.reference = reference;
    this.mode = mode;
    this.beta = beta;
    this.clipRange = clipRange;
    this.epochs = epochs;
    this.optimizer = new Optimizer(model.variables, settings);
  }

  /**
   * One step on groups of scored completions. Returns, as TRL's GRPOTrainer
   * names them: `loss`, `kl` (mean per-token k3 KL to the reference),
   * `clip_ratio` (these three and `grpo/grad_norm` averaged over the epochs,
   * each measured before its update), `reward` (mean), `reward_std` (mean of
   * the groups' unbiased stds), `frac_reward_zero_std` (share of groups whose
   * rewards are all equal), `completion_length` (mean completion tokens
   * trained on), `grpo/advantage_abs_mean`, and `step`.
   */
  async step(groups: CompletionGroup[]): Promise<Record<string, number>> {
    checkGroups(groups);
    const { mode, beta, clipRange, epochs } = this;
    checkGroupMode(mode);
    checkGroupBeta(beta);
    assertPositive('clipRange', clipRange);
    checkEpochs(epochs);
    const rewards = groups.map((g) => g.rewards);
    const advantages = groupAdvantages(rewards, mode).flat();
    const seqs = groups.flatMap((g) =>
      g.completions.map((c) => ({ prompt: g.prompt, response: c })),
    );
    const maxLen = Math.min(this.model.config.blockSize, this.reference.config.blockSize);
    const packed = packSequences(seqs, maxLen);
    const { B, T } = packed;
    const held: tf.Tensor[] = [];
    try {
      const mask = tf.tidy(() => packed.lossMask.slice([0, 1], [B, T - 1]) as tf.Tensor2D);
      held.push(mask);
      const adv = tf.tensor1d(advantages);
      held.push(adv);
      // Off the tape: the policy before the update (π_θold) and the reference.
      const oldLogprobs = tokenLogps(this.model, packed);
      held.push(oldLogprobs);
      const refLogprobs = tokenLogps(this.reference, packed);
      held.push(refLogprobs);
      const normalise = mode === 'grpo' ? 'sequence' : 'tokens';
      const sums: Record<string, number> = {};
      for (let epoch = 0; epoch < epochs; epoch++) {
        const m = await this.optimizer.step(
          () => {
            const out = grpoLoss({
              logprobs: tokenLogps(this.model, packed),
              oldLogprobs,
              refLogprobs,
              advantages: adv,
              mask,
              clipRange,
              beta,
              normalise,
            });
            return { loss: out.loss, metrics: { kl: out.kl, clip_ratio: out.clipRatio } };
          },
          'loss',
          'grpo',
        );
        for (const [k, v] of Object.entries(m)) sums[k] = (sums[k] ?? 0) + v / epochs;
      }
      this.stepCount++;
      return {
        ...sums,
        reward: mean(rewards.flat()),
        reward_std: mean(rewards.map(std)),
        frac_reward_zero_std: mean(rewards.map((r) => (allEqual(r) ? 1 : 0))),
        completion_length: mean(packed.responseLengths),
        'grpo/advantage_abs_mean': mean(advantages.map(Math.abs)),
        step: this.stepCount,
      };
    } finally {
      disposeBatch(packed);
      tf.dispose(held);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
