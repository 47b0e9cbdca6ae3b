/**
 * The statistics of the Evaluate stage and of the labeler panel, in plain
 * numbers (no tensors), so that the page, the workers and Node scripts share them.
 *
 * - `wilsonInterval`: the win rate's 95% interval. Wilson (1927) rather than the
 *   normal approximation p ± z·√(p(1−p)/n), which collapses to a zero-width
 *   interval at 0/n and n/n and leaves [0, 1] for small n — exactly the counts a
 *   classroom A/B test of ten prompts produces.
 * - `pairAgreement`: the share of pairs two rankings order the same way (ties in
 *   either are skipped: they say nothing about order). InstructGPT reports
 *   inter-labeler agreement this way (72.6 ± 1.5% between its labelers).
 * - `noisyGrade`: the 1–7 Likert grade a labeler would give, with a personal
 *   offset (lenient or harsh) and noise; rankings do not see the offset, which is
 *   why they agree better between labelers than absolute grades do.
 */
import { ArgumentError, assertFiniteArray } from './errors';
import { noisyRanking } from './labelers';

/** z for a two-sided 95% interval: Φ⁻¹(0.975). */
export const Z95 = 1.959963984540054;

export interface Proportion {
  /** successes / n (NaN when n = 0). */
  rate: number;
  low: number;
  high: number;
  n: number;
}

/**
 * Wilson score interval for `successes` out of `n` (successes may be
 * fractional: a tie counts ½):
 *   centre = (p̂ + z²/2n) / (1 + z²/n),
 *   half   = z·√(p̂(1−p̂)/n + z²/4n²) / (1 + z²/n).
 */
export function wilsonInterval(successes: number, n: number, z = Z95): Proportion {
  if (!Number.isInteger(n) || n < 0)
    throw new ArgumentError('n', `is ${n}; expected an integer ≥ 0`);
  if (!(successes >= 0 && successes <= n)) {
    throw new ArgumentError('successes', `is ${successes}; expected a number in [0, ${n}]`);
  }
  if (n === 0) return { rate: NaN, low: NaN, high: NaN, n };
  const p = successes / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { rate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), n };
}

/**
 * Win rate of A over B on paired items (the same prompt answered by both): a
 * win counts 1, a tie ½, so 0.5 is parity as in InstructGPT's evaluations.
 */
export function pairedWinRate(a: readonly number[], b: readonly number[]): Proportion {
  if (a.length !== b.length) {
    throw new ArgumentError('b', `has ${b.length} entries but a has ${a.length}`);
  }
  assertFiniteArray('a', a);
  assertFiniteArray('b', b);
  let wins = 0;
  for (let i = 0; i < a.length; i++) wins += a[i] > b[i] ? 1 : a[i] === b[i] ? 0.5 : 0;
  return wilsonInterval(wins, a.length);
}

export interface Agreement {
  /** Pairs both orderings put in the same strict order. */
  same: number;
  /** Pairs both orderings order strictly (ties in either are left out). */
  pairs: number;
}

/**
 * How many item pairs two orderings of the same items agree on. `a` and `b`
 * may be ranks (0 = best) or scores (higher = better) — say which with
 * `higherIsBetter`; only the relative order inside each matters.
 */
export function pairAgreement(
  a: readonly number[],
  b: readonly number[],
  higherIsBetter: [boolean, boolean] = [false, false],
): Agreement {
  if (a.length !== b.length) {
    throw new ArgumentError('b', `has ${b.length} entries but a has ${a.length}`);
  }
  assertFiniteArray('a', a);
  assertFiniteArray('b', b);
  const sa = higherIsBetter[0] ? 1 : -1;
  const sb = higherIsBetter[1] ? 1 : -1;
  let same = 0;
  let pairs = 0;
  for (let i = 0; i < a.length; i++) {
    for (let j = i + 1; j < a.length; j++) {
      const da = Math.sign(sa * (a[i] - a[j]));
      const db = Math.sign(sb * (b[i] - b[j]));
      if (da === 0 || db === 0) continue;
      pairs++;
      if (da === db) same++;
    }
  }
  return { same, pairs };
}

/** Agreement summed over many groups (one prompt's samples each); share is NaN without pairs. */
export function totalAgreement(parts: readonly Agreement[]): Agreement & { share: number } {
  const same = parts.reduce((s, p) => s + p.same, 0);
  const pairs = parts.reduce((s, p) => s + p.pairs, 0);
  return { same, pairs, share: pairs > 0 ? same / pairs : NaN };
}

/** One draw from N(0, 1) (Box–Muller), from a seeded uniform generator. */
export function gaussian(rng: () => number): number {
  const u1 = Math.max(rng(), 1e-12);
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * rng());
}

export interface Grader {
  /** Standard deviation of the noise on the [0, 1] score scale. */
  noise: number;
  /** The grader's personal offset on the [0, 1] scale: + lenient, − harsh. */
  offset: number;
}

/**
 * A 1–7 grade of a text whose labeler score is `score` ∈ [0, 1]:
 * round(1 + 6·clamp(score + offset + noise·N(0,1), 0, 1)).
 */
export function noisyGrade(score: number, grader: Grader, rng: () => number): number {
  if (!Number.isFinite(score)) throw new ArgumentError('score', `is ${score}; expected a number`);
  if (!(grader.noise >= 0)) throw new ArgumentError('noise', `is ${grader.noise}; expected ≥ 0`);
  const noisy = score + grader.offset + grader.noise * gaussian(rng);
  return Math.round(1 + 6 * Math.min(1, Math.max(0, noisy)));
}

/**
 * What one labeler says about a group of samples: each sample is perceived
 * with noise (score + noise·N(0,1), Thurstone's model), the ranking orders the
 * perceptions, and the grade adds the labeler's offset, clamps and rounds to
 * 1–7. The offset and the rounding touch only the grades: a harsh and a
 * lenient labeler who perceive alike rank alike.
 */
export function labelGroup(
  scores: readonly number[],
  grader: Grader,
  rng: () => number,
): { grades: number[]; ranks: number[] } {
  assertFiniteArray('scores', scores);
  const perceived = scores.map((s) => s + grader.noise * gaussian(rng));
  return {
    grades: perceived.map((p) => noisyGrade(p, { noise: 0, offset: grader.offset }, rng)),
    ranks: noisyRanking(perceived, 0, rng),
  };
}

export function mean(xs: readonly number[]): number {
  return xs.length === 0 ? NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}
