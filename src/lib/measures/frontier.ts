// The reward–KL frontier's arithmetic (Gao et al. 2022, "Scaling laws for
// reward model overoptimization", arXiv 2210.10760): best-of-n's expected
// scores for every n from one set of samples, and where a path's gold score
// turns down as the KL grows.
import { mean } from '../../core/statistics';
import { bestOfNKlBound } from '../../core/train/best-of-n';

/** One place on the frontier: KL to the SFT model (nats per answer) and the mean scores there. */
export interface FrontierPoint {
  /** What it is: "SFT", "step 20", "n = 8". */
  at: string;
  kl: number;
  gold: number;
  rm: number;
}

/** C(a, b) as a float64 (exact enough for the ratios below at a ≤ 1000). */
function choose(a: number, b: number): number {
  if (b < 0 || b > a) return 0;
  let c = 1;
  for (let i = 1; i <= Math.min(b, a - b); i++) c = (c * (a - i + 1)) / i;
  return c;
}

/**
 * The expected reward-model and gold scores of best-of-n, for one prompt's N
 * samples, without drawing subsets: with the samples sorted by reward-model
 * score, the best of a uniformly random n of them is the i-th lowest with
 * probability C(i−1, n−1) / C(N, n) (the unbiased estimator of Nakano et al.
 * 2021 and Gao et al. 2022). n ≤ N.
 */
export function bestOfNExpectation(
  samples: readonly { rm: number; gold: number }[],
  n: number,
): { rm: number; gold: number } {
  const N = samples.length;
  if (!Number.isInteger(n) || n < 1 || n > N) {
    throw new RangeError(`n is ${n}; expected a whole number from 1 to the ${N} samples`);
  }
  const sorted = [...samples].sort((a, b) => a.rm - b.rm);
  const all = choose(N, n);
  let rm = 0;
  let gold = 0;
  for (let i = n; i <= N; i++) {
    const p = choose(i - 1, n - 1) / all;
    rm += p * sorted[i - 1].rm;
    gold += p * sorted[i - 1].gold;
  }
  return { rm, gold };
}

/**
 * The best-of-n curve for n = 1, 2, 4, … up to `maxN`: per prompt the
 * expectation above, averaged over prompts, at KL log n − (n − 1)/n nats
 * (exact for scores without ties; an upper bound otherwise).
 */
export function bestOfNCurve(
  perPrompt: readonly (readonly { rm: number; gold: number }[])[],
  maxN: number,
): FrontierPoint[] {
  const out: FrontierPoint[] = [];
  for (let n = 1; n <= maxN; n *= 2) {
    const each = perPrompt.map((s) => bestOfNExpectation(s, n));
    out.push({
      at: `n = ${n}`,
      kl: bestOfNKlBound(n),
      rm: mean(each.map((e) => e.rm)),
      gold: mean(each.map((e) => e.gold)),
    });
  }
  return out;
}

/**
 * Where a path's gold score turns down: the index of its highest gold score
 * when a point further along (at more KL) falls more than `drop` below it;
 * null while gold still rises or holds. Points in order of KL.
 */
export function goldTurn(points: readonly FrontierPoint[], drop = 0.05): number | null {
  if (points.length < 3) return null;
  let peak = 0;
  points.forEach((p, i) => {
    if (p.gold > points[peak].gold) peak = i;
  });
  const after = points.slice(peak + 1);
  return after.some((p) => p.gold < points[peak].gold - drop) ? peak : null;
}
