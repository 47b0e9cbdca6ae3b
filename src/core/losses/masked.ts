/**
 * Masked reductions. RLHF losses count only response tokens: the prompt and the
 * padding are masked out (mask 1 on tokens that count, 0 elsewhere), as in TRL's
 * `masked_mean` / `masked_var`. All functions build tensors and never read them
 * back; a mask that sums to 0 gives NaN (0/0), as the formula does.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertSameShape } from '../errors';

function checkAxis(x: tf.Tensor, axis: number | undefined): void {
  if (axis === undefined) return;
  if (!Number.isInteger(axis) || axis < -x.rank || axis >= x.rank) {
    throw new ArgumentError(
      'axis',
      `is ${axis}; expected an integer in [${-x.rank}, ${x.rank - 1}]`,
    );
  }
}

/** Σ x·m (over everything, or along `axis`). */
export function maskedSum(x: tf.Tensor, mask: tf.Tensor): tf.Scalar;
export function maskedSum(x: tf.Tensor, mask: tf.Tensor, axis: number): tf.Tensor;
export function maskedSum(x: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  assertSameShape('mask', mask, 'x', x);
  checkAxis(x, axis);
  return tf.tidy(() => tf.sum(tf.mul(x, mask), axis));
}

/** Σ x·m / Σ m (over everything, or along `axis`). */
export function maskedMean(x: tf.Tensor, mask: tf.Tensor): tf.Scalar;
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis: number): tf.Tensor;
export function maskedMean(x: tf.Tensor, mask: tf.Tensor, axis?: number): tf.Tensor {
  assertSameShape('mask', mask, 'x', x);
  checkAxis(x, axis);
  return tf.tidy(() => tf.div(tf.sum(tf.mul(x, mask), axis), tf.sum(mask, axis)));
}

/**
 * Masked variance Σ (x − mean)²·m / (Σ m − 1) when `unbiased` (Bessel's
 * correction, as TRL's `masked_var` for whitening advantages), else / Σ m.
 */
export function maskedVar(x: tf.Tensor, mask: tf.Tensor, unbiased?: boolean): tf.Scalar;
export function maskedVar(
  x: tf.Tensor,
  mask: tf.Tensor,
  unbiased: boolean,
  axis: number,
): tf.Tensor;
export function maskedVar(
  x: tf.Tensor,
  mask: tf.Tensor,
  unbiased = true,
  axis?: number,
): tf.Tensor {
  assertSameShape('mask', mask, 'x', x);
  checkAxis(x, axis);
  return tf.tidy(() => {
    const count = tf.sum(mask, axis, true);
    const mean = tf.div(tf.sum(tf.mul(x, mask), axis, true), count);
    const sq = tf.sum(tf.mul(tf.square(tf.sub(x, mean)), mask), axis);
    const denom = tf.reshape(unbiased ? tf.sub(count, 1) : count, sq.shape);
    return tf.div(sq, denom);
  });
}
