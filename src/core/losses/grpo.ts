/**
 * Group-relative policy gradients: K completions are sampled for each prompt,
 * scored, and each completion's advantage is its reward measured against the
 * others of its group, so no value model is needed.
 *
 *   GRPO (Shao et al. 2024, DeepSeekMath, arXiv 2402.03300, eq. 3 with §4.1.2's
 *   outcome supervision): A_i = (r_i − mean(r)) / (std(r) + 1e-4), the loss a
 *   per-sequence mean over tokens, then a mean over sequences.
 *   Dr. GRPO (Liu et al. 2025, "Understanding R1-Zero-like training", arXiv
 *   2503.20783, §3.2): A_i = r_i − mean(r), no division by the std (which
 *   up-weights groups that are nearly all right or all wrong) and no division
 *   by the sequence's own length (which favours long wrong answers): the sum
 *   over all tokens is divided by a constant.
 *   RLOO (Ahmadian et al. 2024, arXiv 2402.14740, eq. 9; Kool et al. 2019):
 *   A_i = r_i − (1/(K−1))·Σ_{j≠i} r_j = K/(K−1)·(r_i − mean(r)).
 *
 * The policy term is PPO's clipped surrogate (Schulman et al. 2017, eq. 7) with
 * the sequence's advantage on each of its tokens; the KL to the frozen
 * reference is a per-token penalty in the loss (not in the reward), with the
 * "k3" estimator exp(ref − logp) − (ref − logp) − 1 ≥ 0 (Schulman 2020,
 * "Approximating KL divergence"; GRPO eq. 4; TRL's GRPOTrainer).
 */
import * as tf from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertOneOf,
  assertFiniteArray,
  assertNonEmpty,
  assertPositive,
  assertShape,
  assertShapesMatch,
} from '../errors';
import { maskedMean } from './masked';

export type GroupMode = 'grpo' | 'dr-grpo' | 'rloo';
export const GROUP_MODES: readonly GroupMode[] = ['grpo', 'dr-grpo', 'rloo'];

/** How the per-token losses are averaged: see `grpoLoss`. */
export type GrpoNormalise = 'sequence' | 'tokens';
export const GRPO_NORMALISATIONS: readonly GrpoNormalise[] = ['sequence', 'tokens'];

/** GRPO's ε in (r − mean)/(std + ε), as TRL's GRPOTrainer. */
export const GRPO_STD_EPSILON = 1e-4;

/** Throws unless `mode` names one of the GROUP_MODES. */
export function checkGroupMode(mode: string): void {
  assertOneOf('mode', mode, GROUP_MODES);
}

/** Throws unless β is a finite number ≥ 0 (β = 0 drops the KL term, Dr. GRPO's choice). */
export function checkGroupBeta(beta: number): void {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new ArgumentError('beta', `is ${String(beta)}; expected a finite number >= 0`);
  }
}

/**
 * Advantages of each completion within its group, in float64, by mode:
 *   grpo:    (r_i − mean) / (std + 1e-4), std the unbiased one (Σ(r − mean)²/(K − 1)),
 *            as TRL's GRPOTrainer (torch's `std` default, Bessel's correction);
 *   dr-grpo: r_i − mean;
 *   rloo:    r_i − mean of the other K − 1 rewards.
 * A group whose rewards are all equal gets exact zeros (then only the KL term
 * acts on it, as in TRL). Groups may differ in size; each needs K ≥ 2.
 */
export function groupAdvantages(rewards: number[][], mode: GroupMode): number[][] {
  assertNonEmpty('rewards', rewards);
  checkGroupMode(mode);
  rewards.forEach((group, g) => {
    if (!Array.isArray(group) || group.length < 2) {
      throw new ArgumentError(
        'rewards',
        `group ${g} has ${Array.isArray(group) ? group.length : 0} reward(s); expected K >= 2`,
      );
    }
    assertFiniteArray(`rewards[${g}]`, group);
  });
  return rewards.map((r) => {
    const k = r.length;
    if (r.every((x) => x === r[0])) return r.map(() => 0);
    const mean = r.reduce((a, b) => a + b, 0) / k;
    if (mode === 'dr-grpo') return r.map((x) => x - mean);
    if (mode === 'rloo') return r.map((x) => (k / (k - 1)) * (x - mean));
    const std = Math.sqrt(r.reduce((a, x) => a + (x - mean) ** 2, 0) / (k - 1));
    return r.map((x) => (x - mean) / (std + GRPO_STD_EPSILON));
  });
}

export interface GrpoLossInput {
  /** log π_θ(y_t) under the policy being optimised, [B, T] (differentiable). */
  logprobs: tf.Tensor2D;
  /** log π_θold(y_t) of the policy that sampled (before this update), [B, T]. */
  oldLogprobs: tf.Tensor2D;
  /** log π_ref(y_t) under the frozen reference, [B, T]. */
  refLogprobs: tf.Tensor2D;
  /** One advantage per sequence, [B], broadcast over its tokens. */
  advantages: tf.Tensor1D;
  /** 1 on completion tokens, 0 on prompt and padding, [B, T]. */
  mask: tf.Tensor2D;
  /** ε of the clipped ratio, > 0 (0.2 in TRL). */
  clipRange: number;
  /** KL coefficient β ≥ 0 (0.04 in DeepSeekMath; recent TRL defaults to 0, as Dr. GRPO). */
  beta: number;
  /** 'sequence' (GRPO) or 'tokens' (Dr. GRPO). */
  normalise: GrpoNormalise;
  /**
   * The constant L of 'tokens': the sum over all tokens is divided by B·L.
   * Default: the longest completion of the batch (max_b Σ_t mask). TRL uses
   * its generation budget `max_completion_length`; pass it here to do the same.
   */
  maxCompletionLength?: number;
}

export interface GrpoLossOutput {
  loss: tf.Scalar;
  /** Mean per-token k3 KL over the completion tokens of the batch (TRL's `kl`). */
  kl: tf.Scalar;
  /** Share of completion tokens whose clipped term wins strictly (TRL's `clip_ratio`). */
  clipRatio: tf.Scalar;
}

/**
 * Per token (TRL's GRPOTrainer._compute_loss):
 *   ρ = exp(logp − old),  ℓ_t = −min(ρ·A, clip(ρ, 1 − ε, 1 + ε)·A) + β·(e^{ref − logp} − (ref − logp) − 1),
 * then
 *   'sequence' (GRPO, TRL loss_type "grpo"): L = (1/B) Σ_b (Σ_t m·ℓ / max(Σ_t m, 1)),
 *   'tokens' (Dr. GRPO, TRL "dr_grpo"):     L = Σ_{b,t} m·ℓ / (B·L_max).
 * `kl` and `clipRatio` are token-level masked means whatever the normalisation.
 */
export function grpoLoss(input: GrpoLossInput): GrpoLossOutput {
  const { logprobs, oldLogprobs, refLogprobs, advantages, mask } = input;
  const { clipRange, beta, normalise, maxCompletionLength } = input;
  assertShape('logprobs', logprobs, [-1, -1]);
  if (logprobs.size === 0) {
    throw new ArgumentError('logprobs', `is empty (shape [${logprobs.shape.join(', ')}])`);
  }
  assertShapesMatch('logprobs', logprobs, { oldLogprobs, refLogprobs, mask });
  const B = logprobs.shape[0];
  assertShape('advantages', advantages, [B]);
  assertPositive('clipRange', clipRange);
  checkGroupBeta(beta);
  assertOneOf('normalise', normalise, GRPO_NORMALISATIONS);
  if (maxCompletionLength !== undefined) assertPositive('maxCompletionLength', maxCompletionLength);

  return tf.tidy(() => {
    const ratio = tf.exp(tf.sub(logprobs, oldLogprobs));
    const negA = tf.neg(tf.expandDims(advantages, 1)); // (B, 1)
    const unclipped = tf.mul(negA, ratio);
    const clipped = tf.mul(negA, tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
    // −min(ρA, clip(ρ)A) = max(−ρA, −clip(ρ)A); the unclipped term first, so a
    // tie sends its gradient there (as ppoPolicyLoss).
    const policyTerm = tf.maximum(unclipped, clipped);
    const d = tf.sub(refLogprobs, logprobs);
    const klPerToken = tf.sub(tf.sub(tf.exp(d), d), 1); // k3, (B, T)
    // With β = 0 the KL stays out of the graph: no 0·∞ from a far-off reference.
    const perToken = beta > 0 ? tf.add(policyTerm, tf.mul(klPerToken, beta)) : policyTerm;
    const masked = tf.mul(perToken, mask);
    let loss: tf.Scalar;
    if (normalise === 'sequence') {
      const lengths = tf.maximum(tf.sum(mask, 1), 1); // TRL's clamp(min=1)
      loss = tf.mean(tf.div(tf.sum(masked, 1), lengths));
    } else {
      const L = maxCompletionLength ?? tf.max(tf.sum(mask, 1));
      loss = tf.div(tf.sum(masked), tf.mul(L, B));
    }
    return {
      loss,
      kl: maskedMean(klPerToken, mask),
      clipRatio: maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask),
    };
  });
}
