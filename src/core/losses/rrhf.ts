/**
 * RRHF (Yuan et al. 2023, arXiv 2304.05302, eqs. 1–4) for one prompt's k
 * candidates, without a value model:
 *   p_i = Σ_t log π(y_i,t | x, y_i,<t) / |y_i|^lengthPenalty,
 *   L_rank = Σ_{s_i < s_j} max(0, p_i − p_j)   (a sum, as in the reference code),
 *   L_ft = −Σ_t log π(y_best,t) / |y_best|      (best = highest score),
 *   L = L_rank + L_ft.
 * Lengths are response-token counts (prompt and padding excluded).
 */
import * as tf from '@tensorflow/tfjs';
import {
  ArgumentError,
  assertFinite,
  assertFiniteArray,
  assertNonEmpty,
  assertShape,
} from '../errors';
import { connectedZero, pairDifferences } from './ranking';

export interface RrhfInput {
  /** Σ of response-token log-probs per candidate, [k] (differentiable). */
  logprobSums: tf.Tensor1D;
  /** Response token counts, > 0. */
  lengths: number[];
  /** Scores (RM or human); higher is better, equal scores give no pair. */
  scores: number[];
  /** Exponent of the length normalisation (1 = mean log-prob). */
  lengthPenalty?: number;
}

export function rrhfLoss(input: RrhfInput): { rank: tf.Scalar; sft: tf.Scalar; total: tf.Scalar } {
  const { logprobSums, lengths, scores, lengthPenalty = 1 } = input;
  assertShape('logprobSums', logprobSums, [-1]);
  const k = logprobSums.shape[0];
  if (k === 0) throw new ArgumentError('logprobSums', 'is empty');
  for (const [name, a] of [
    ['lengths', lengths],
    ['scores', scores],
  ] as const) {
    assertNonEmpty(name, a);
    assertFiniteArray(name, a);
    if (a.length !== k)
      throw new ArgumentError(name, `has ${a.length} entries but logprobSums has ${k}`);
  }
  lengths.forEach((n, i) => {
    if (n <= 0) throw new ArgumentError('lengths', `entry ${i} is ${n}; expected > 0`);
  });
  assertFinite('lengthPenalty', lengthPenalty);

  // Pairs (worse, better) in the order of the reference's score-difference matrix.
  const pairs: [number, number][] = [];
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) if (scores[i] < scores[j]) pairs.push([i, j]);
  }
  let best = 0;
  for (let i = 1; i < k; i++) if (scores[i] > scores[best]) best = i;

  return tf.tidy(() => {
    const p = tf.div(
      logprobSums,
      tf.tensor1d(lengths.map((n) => Math.pow(n, lengthPenalty))),
    ) as tf.Tensor1D;
    const rank: tf.Scalar =
      pairs.length === 0 ? connectedZero(p) : tf.sum(tf.relu(pairDifferences(p, pairs)));
    // tf.slice rather than tf.gather: slice's gradient (pad) exists on wasm too.
    const sft = tf.div(
      tf.neg(tf.sum(tf.slice(logprobSums, [best], [1]))),
      lengths[best],
    ) as tf.Scalar;
    const total = tf.add(rank, sft) as tf.Scalar;
    return { rank, sft, total };
  });
}
