/**
 * Best-of-n sampling (rejection sampling against a reward model): draw n
 * answers, keep the best-scored one. No training, and a baseline that the
 * RL trainers should beat at the same KL from the policy that sampled.
 */
import { ArgumentError, assertFiniteArray, assertNonEmpty } from '../errors';

/** Index of the highest score (the first one on a tie). */
export function bestOfN(scores: number[]): number {
  assertNonEmpty('scores', scores);
  assertFiniteArray('scores', scores);
  let best = 0;
  for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best]) best = i;
  return best;
}

/**
 * KL(π_best-of-n ‖ π) = log n − (n − 1)/n nats, for continuous scores without
 * ties (Stiennon et al. 2020, arXiv 2009.01325, appendix; Hilton's note
 * "KL divergence of best-of-n"); with ties and a discrete answer space it is
 * an upper bound (Beirami et al. 2024, arXiv 2401.01879). n = 1 gives 0.
 */
export function bestOfNKlBound(n: number): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new ArgumentError('n', `is ${String(n)}; expected an integer >= 1`);
  }
  return Math.log(n) - (n - 1) / n;
}
