// Turning saved rankings into the reward model's training and held-out data.
import { comparisonCount, preferenceFromRow, type RankedPreference } from '../../core/preferences';
import { wilsonInterval } from '../../core/statistics';
import type { StoredRanking } from '../persistence/storage';

/**
 * The most rankings one preset of a session may hold: imports beyond it are
 * refused, saying so. The reward model evaluates in bounded batches, so more
 * would not crash it; this keeps a held-out evaluation (a fifth of them, every
 * few steps) and the frozen trunk's feature cache (one float per width per
 * answer) within what a browser tab handles in seconds and megabytes.
 * tests/browser/import-integrity.test.ts trains on this many.
 */
export const MAX_RANKINGS = 20_000;

/**
 * Splits items into training and held-out sets, spreading the held-out ones
 * evenly through the list (so they are not all the latest): item i is held
 * out when ⌊(i+1)·share⌋ > ⌊i·share⌋. Deterministic, so a held-out ranking stays
 * held out as more are added.
 */
export function splitHeldout<T>(items: readonly T[], share: number): { train: T[]; heldout: T[] } {
  const train: T[] = [];
  const heldout: T[] = [];
  items.forEach((item, i) => {
    const out = Math.floor((i + 1) * share) > Math.floor(i * share);
    (out ? heldout : train).push(item);
  });
  return { train, heldout };
}

/**
 * Rankings the reward model can learn from (at least one comparison), as the
 * preference records the reward worker takes (src/core/preferences.ts).
 */
export function trainingPreferences(rankings: readonly StoredRanking[]): RankedPreference[] {
  return rankings.filter((r) => comparisonCount(r.ranks) > 0).map(preferenceFromRow);
}

/** Comparisons all rankings give together: Σ C(K,2) minus tied pairs. */
export function totalComparisons(rankings: readonly { ranks: number[] }[]): number {
  return rankings.reduce((n, r) => n + comparisonCount(r.ranks), 0);
}

/**
 * Win rate of a policy against the SFT model on the same prompts: a win
 * counts 1, a tie ½ (so 0.5 is parity, as in InstructGPT's evaluations), with
 * a Wilson 95% interval (src/core/statistics.ts: the normal approximation
 * collapses at 0/n and n/n, exactly the small counts a classroom produces).
 */
export function winRate(
  policy: readonly number[],
  sft: readonly number[],
): { rate: number; low: number; high: number; n: number } {
  const n = Math.min(policy.length, sft.length);
  if (n === 0) return { rate: NaN, low: NaN, high: NaN, n };
  let wins = 0;
  for (let i = 0; i < n; i++) wins += policy[i] > sft[i] ? 1 : policy[i] === sft[i] ? 0.5 : 0;
  return wilsonInterval(wins, n);
}
