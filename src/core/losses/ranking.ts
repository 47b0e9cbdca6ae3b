/**
 * Reward-model objectives.
 *
 * Ranking (InstructGPT, Ouyang et al. 2022, arXiv 2203.02155, eq. 1): all
 * C(K, 2) comparisons of one prompt's K completions form ONE batch element,
 *   loss = −1/#pairs · Σ_{y_w ranked above y_l} log σ(r(x, y_w) − r(x, y_l)),
 * ties give no pair. −log σ(d) is computed as softplus(−d), which neither
 * overflows nor loses precision for large |d|.
 *
 * Direct score: regress σ(r) onto an absolute grade in [0, 1], the baseline the
 * seeds contrast with ranking.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertInRange, assertNonEmpty, assertShape } from '../errors';
import { rankingToPairs } from '../preferences';

/*
 * Pair differences without `tf.gather`: the gradient of gather needs
 * UnsortedSegmentSum, which tfjs-backend-wasm 4.22 lacks (PITFALLS.md #3). The
 * pair indices go into int32 index tensors, are one-hot encoded into a [P, K]
 * matrix D = onehot(first) − onehot(second), and Σ_k D·x gives x_first − x_second
 * for all P pairs in a few kernels, on every backend. Shared with rrhf.ts.
 */

/**
 * tf.oneHot as float32. tfjs-backend-wasm 4.22's OneHot ignores the dtype
 * argument and writes int32 bits (a float32 request gives 1.4e-45 for 1), so
 * build the int32 one-hot and cast it.
 */
export function oneHotFloat(indices: tf.Tensor1D, depth: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.oneHot(indices, depth), 'float32') as tf.Tensor2D);
}

/** x[first] − x[second] for every pair, as a Tensor1D [P]; `pairs` must be non-empty. */
export function pairDifferences(
  x: tf.Tensor1D,
  pairs: readonly (readonly [number, number])[],
): tf.Tensor1D {
  return tf.tidy(() => {
    const k = x.shape[0];
    const first = tf.tensor1d(
      pairs.map((p) => p[0]),
      'int32',
    );
    const second = tf.tensor1d(
      pairs.map((p) => p[1]),
      'int32',
    );
    const d = tf.sub(oneHotFloat(first, k), oneHotFloat(second, k));
    return tf.sum(tf.mul(d, x), 1) as tf.Tensor1D;
  });
}

/** A scalar 0 that still depends on `x` (zero gradient), so `tf.grad` accepts it. */
export function connectedZero(x: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.mul(x, 0)));
}

function checkRewards(rewards: tf.Tensor1D, n: number, name: string): void {
  assertShape('rewards', rewards, [-1]);
  if (rewards.shape[0] === 0) throw new ArgumentError('rewards', 'is empty');
  if (rewards.shape[0] !== n) {
    throw new ArgumentError(name, `has ${n} entries but rewards has ${rewards.shape[0]}`);
  }
}

/** InstructGPT pairwise ranking loss for one prompt's K rewards (a scalar; 0 without pairs). */
export function rankingLoss(rewards: tf.Tensor1D, ranks: number[]): tf.Scalar {
  assertNonEmpty('ranks', ranks);
  checkRewards(rewards, ranks.length, 'ranks');
  const pairs = rankingToPairs(ranks);
  if (pairs.length === 0) return connectedZero(rewards);
  return tf.tidy(() => tf.mean(tf.softplus(tf.neg(pairDifferences(rewards, pairs)))));
}

/** Direct-score loss mean((σ(r_i) − g_i)²) with grades g_i in [0, 1]. */
export function directScoreLoss(rewards: tf.Tensor1D, grades: number[]): tf.Scalar {
  assertNonEmpty('grades', grades);
  checkRewards(rewards, grades.length, 'grades');
  grades.forEach((g, i) => assertInRange(`grades[${i}]`, g, 0, 1));
  return tf.tidy(() => tf.mean(tf.squaredDifference(tf.sigmoid(rewards), tf.tensor1d(grades))));
}
