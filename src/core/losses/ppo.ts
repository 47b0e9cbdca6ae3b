/**
 * PPO pieces for RLHF, following InstructGPT (arXiv 2203.02155, §3.5) and TRL's
 * PPOTrainer: a per-token KL penalty to the frozen reference model plus the
 * reward model's score on the last response token, whitened advantages, and the
 * clipped surrogate losses of Schulman et al. 2017 (arXiv 1707.06347, eq. 7).
 * Everything here builds tensors; callers read back with `await t.data()`.
 */
import * as tf from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertPositive,
  assertSameShape,
  assertShape,
  assertShapesMatch,
} from '../errors';
import { maskedMean, maskedVar } from './masked';
import { oneHotFloat } from './ranking';

function assertNotEmptyTensor(name: string, t: tf.Tensor): void {
  if (t.size === 0) throw new ArgumentError(name, `is empty (shape [${t.shape.join(', ')}])`);
}

/**
 * The checks both clipped losses make: the reference tensor is not empty, the
 * others have its shape, and the clip range ε is > 0.
 */
function assertClippedLossInput(
  refName: string,
  ref: tf.Tensor,
  others: Readonly<Record<string, tf.Tensor>>,
  clipRange: number,
): void {
  assertNotEmptyTensor(refName, ref);
  assertShapesMatch(refName, ref, others);
  assertPositive('clipRange', clipRange);
}

/**
 * Masked whitening (TRL `whiten`): (x − mean) / sqrt(var + 1e-8) with the masked
 * mean and the unbiased masked variance; `shiftMean = false` adds the mean back
 * (TRL whitens rewards that way). Positions outside the mask are set to 0 so
 * that nothing from the prompt or padding leaks into later statistics.
 */
export function whiten(x: tf.Tensor, mask: tf.Tensor, shiftMean = true): tf.Tensor {
  assertSameShape('mask', mask, 'x', x);
  assertNotEmptyTensor('x', x);
  return tf.tidy(() => {
    const mean = maskedMean(x, mask);
    const w = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(maskedVar(x, mask, true), 1e-8)));
    return tf.mul(shiftMean ? w : tf.add(w, mean), mask);
  });
}

export interface KlRewardsInput {
  /** log π(y_t) of the sampled tokens under the policy, [B, T]. */
  logprobs: tf.Tensor2D;
  /** log π_ref(y_t) under the frozen reference (SFT) model, [B, T]. */
  refLogprobs: tf.Tensor2D;
  /** 1 on response tokens, 0 on prompt and padding, [B, T]. */
  mask: tf.Tensor2D;
  /** Reward-model score of each sequence, [B]. */
  scores: tf.Tensor1D;
  /** KL coefficient β ≥ 0. */
  beta: number;
}

/**
 * Per-token rewards r_t = −β·(log π − log π_ref)·m_t, plus the RM score at each
 * row's last response token (InstructGPT eq. 2 spread over tokens, as in
 * Ziegler et al. 2019 and TRL `compute_rewards`). The last response token is
 * found with tensor ops: argmax over m_t·(t + 1) picks the last 1 whether the
 * row is left- or right-padded; a row without response tokens gets no score.
 */
export function klPenalizedRewards(input: KlRewardsInput): {
  rewards: tf.Tensor2D;
  kl: tf.Tensor2D;
} {
  const { logprobs, refLogprobs, mask, scores, beta } = input;
  assertShape('logprobs', logprobs, [-1, -1]);
  assertNotEmptyTensor('logprobs', logprobs);
  assertShapesMatch('logprobs', logprobs, { refLogprobs, mask });
  assertShape('scores', scores, [logprobs.shape[0]]);
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0) {
    throw new ArgumentError('beta', `is ${String(beta)}; expected a finite number >= 0`);
  }
  const t = logprobs.shape[1];
  return tf.tidy(() => {
    const kl = tf.mul(tf.sub(logprobs, refLogprobs), mask) as tf.Tensor2D;
    const position = tf.range(1, t + 1, 1, 'float32');
    const last = tf.argMax(tf.mul(mask, position), 1) as tf.Tensor1D;
    const lastOneHot = tf.mul(oneHotFloat(last, t), mask);
    const scoreAtLast = tf.mul(lastOneHot, tf.expandDims(scores, 1));
    const rewards = tf.add(tf.mul(kl, -beta), scoreAtLast) as tf.Tensor2D;
    return { rewards, kl };
  });
}

export interface PolicyLossInput {
  /** log π_θ(y_t) under the policy being optimised, [B, T] (differentiable). */
  logprobs: tf.Tensor;
  /** log π_θold(y_t) recorded at rollout time, same shape. */
  oldLogprobs: tf.Tensor;
  /** Advantages (usually whitened GAE), same shape. */
  advantages: tf.Tensor;
  /** 1 on response tokens, same shape. */
  mask: tf.Tensor;
  /** ε of the clipped ratio, > 0 (0.2 in InstructGPT and TRL). */
  clipRange: number;
}

/**
 * Clipped surrogate (PPO eq. 7, written as a loss like TRL):
 *   ρ = exp(log π − log π_old),  loss = masked_mean(max(−A·ρ, −A·clip(ρ, 1 − ε, 1 + ε))).
 * clipfrac: masked share of tokens where the clipped term wins strictly.
 * approxKl: 0.5·masked_mean((log π − log π_old)²), TRL's `approxkl`.
 */
export function ppoPolicyLoss(input: PolicyLossInput): {
  loss: tf.Scalar;
  clipfrac: tf.Scalar;
  approxKl: tf.Scalar;
} {
  const { logprobs, oldLogprobs, advantages, mask, clipRange } = input;
  assertClippedLossInput('logprobs', logprobs, { oldLogprobs, advantages, mask }, clipRange);
  return tf.tidy(() => {
    const logRatio = tf.sub(logprobs, oldLogprobs);
    const ratio = tf.exp(logRatio);
    const negA = tf.neg(advantages);
    const unclipped = tf.mul(negA, ratio);
    const clipped = tf.mul(negA, tf.clipByValue(ratio, 1 - clipRange, 1 + clipRange));
    // The unclipped term goes first: tf.maximum sends the gradient of a tie to it.
    const loss = maskedMean(tf.maximum(unclipped, clipped), mask);
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    const approxKl = tf.mul(maskedMean(tf.square(logRatio), mask), 0.5) as tf.Scalar;
    return { loss, clipfrac, approxKl };
  });
}

export interface ValueLossInput {
  /** Value-head predictions V, [B, T] (differentiable). */
  values: tf.Tensor;
  /** Values recorded at rollout time, same shape. */
  oldValues: tf.Tensor;
  /** GAE returns, same shape. */
  returns: tf.Tensor;
  /** 1 on response tokens, same shape. */
  mask: tf.Tensor;
  /** ε of the value clipping, > 0. */
  clipRange: number;
}

/**
 * Clipped value loss (TRL / OpenAI baselines):
 *   0.5·masked_mean(max((V − R)², (clip(V, V_old − ε, V_old + ε) − R)²)).
 * clipfrac: masked share of tokens where the clipped squared error is strictly larger.
 */
export function ppoValueLoss(input: ValueLossInput): { loss: tf.Scalar; clipfrac: tf.Scalar } {
  const { values, oldValues, returns, mask, clipRange } = input;
  assertClippedLossInput('values', values, { oldValues, returns, mask }, clipRange);
  return tf.tidy(() => {
    // min/max with tensor bounds rather than old + clip(V − old, ±ε): V inside
    // the band comes back bit-exact, so clipfrac does not count rounding noise.
    const lo = tf.sub(oldValues, clipRange);
    const hi = tf.add(oldValues, clipRange);
    const vClipped = tf.minimum(tf.maximum(values, lo), hi);
    const unclipped = tf.squaredDifference(values, returns);
    const clipped = tf.squaredDifference(vClipped, returns);
    const loss = tf.mul(maskedMean(tf.maximum(unclipped, clipped), mask), 0.5) as tf.Scalar;
    const clipfrac = maskedMean(tf.cast(tf.greater(clipped, unclipped), 'float32'), mask);
    return { loss, clipfrac };
  });
}
