// Is the reward model worth optimising against? Its pairwise accuracy on
// rankings it did not learn from answers that: at or below chance (50%) it has
// not learned the person's taste, and PPO or RRHF would chase noise. A reward
// head on the frozen SFT model is measured leave-one-out (every ranking held
// out in turn, a steady estimate from ten rankings); a model trained whole is
// measured on the held-out share. With neither, nothing can be said.

/** At or below this held-out pairwise accuracy the RM is no better than a coin. */
export const CHANCE = 0.5;

export type RmQuality =
  /** Not trained yet: nothing to say. */
  | { kind: 'untrained' }
  /** Just trained; being normalised and tested leave-one-out (it ends in 'ok' or 'weak'). */
  | { kind: 'measuring' }
  /** Too few rankings for one to be held out (`need` null: the held-out share is 0). */
  | { kind: 'unknown'; have: number; need: number | null }
  /** Held-out rankings exist, but the RM was not measured on them (or on all of them: more came since). */
  | { kind: 'unmeasured'; heldout: number }
  | { kind: 'weak'; accuracy: number; pairs: number; method: RmTest }
  | { kind: 'ok'; accuracy: number; pairs: number; method: RmTest };

/** How the accuracy was measured: leave-one-out over every ranking, or on the held-out share. */
export type RmTest = 'leave-one-out' | 'heldout';

/**
 * Rankings needed before the first is held out: with `splitHeldout`, ranking i
 * (0-based) is held out when ⌊(i+1)·share⌋ > ⌊i·share⌋, so the first is the
 * n-th, for the least n with ⌊n·share⌋ ≥ 1 (about 1/share), counted in the
 * same floating point as the split.
 */
export function rankingsForHeldout(share: number): number | null {
  if (!(share > 0)) return null;
  let n = Math.max(1, Math.floor(1 / share));
  while (Math.floor(n * share) < 1) n++;
  return n;
}

export function rmQuality(input: {
  ready: boolean;
  heldout: { accuracy: number; pairs: number } | null;
  /** Usable rankings (with at least one comparison), and how many of them are held out. */
  rankings: number;
  heldoutRankings: number;
  /** Comparisons the held-out rankings give now (a measure on fewer is out of date). */
  heldoutPairs: number;
  heldoutShare: number;
  /** Leave-one-out accuracy over `rankings` rankings (a frozen trunk only); stale when more came since. */
  crossValidated?: { accuracy: number; pairs: number; rankings: number } | null;
  /** A leave-one-out test is running now. */
  crossValidating?: boolean;
}): RmQuality {
  if (input.crossValidating) return { kind: 'measuring' };
  if (!input.ready) return { kind: 'untrained' };
  const cv = input.crossValidated;
  if (cv && cv.rankings === input.rankings && cv.pairs > 0 && Number.isFinite(cv.accuracy)) {
    const kind = cv.accuracy <= CHANCE ? 'weak' : 'ok';
    return { kind, accuracy: cv.accuracy, pairs: cv.pairs, method: 'leave-one-out' };
  }
  const { heldout } = input;
  if (input.heldoutRankings === 0) {
    return { kind: 'unknown', have: input.rankings, need: rankingsForHeldout(input.heldoutShare) };
  }
  const stale = heldout !== null && heldout.pairs !== input.heldoutPairs;
  if (!heldout || stale || heldout.pairs === 0 || !Number.isFinite(heldout.accuracy)) {
    return { kind: 'unmeasured', heldout: input.heldoutRankings };
  }
  const { accuracy, pairs } = heldout;
  const method = 'heldout';
  return accuracy <= CHANCE
    ? { kind: 'weak', accuracy, pairs, method }
    : { kind: 'ok', accuracy, pairs, method };
}

/** Fewer steps to try after a weak result: half as many, at least one. */
export function fewerSteps(steps: number): number {
  return Math.max(1, Math.floor(steps / 2));
}
