// What the ranking board needs beyond the ranking state machine of
// ranking.ts: where each sample stands, a ranking rebuilt from a labeler's
// ranks, and which key presses belong to the board rather than to the page.
import { applyAction, emptyRanking, tie, type RankingState } from './ranking';

/** A sample's place in the order (0 = best) and whether it shares that place. */
export interface SamplePlace {
  place: number;
  tied: boolean;
}

/** Per sample: its place, or undefined while it is unranked. */
export function placesOf(s: RankingState): (SamplePlace | undefined)[] {
  const places: (SamplePlace | undefined)[] = [];
  s.tiers.forEach((tier, place) =>
    tier.forEach((i) => (places[i] = { place, tied: tier.length > 1 })),
  );
  return places;
}

/**
 * The ranking that `ranks` (one per sample, lower is better, equal is a tie)
 * describes, built with the same picks and ties a person would make, so undo
 * takes it apart one step at a time.
 */
export function rankingFromRanks(k: number, ranks: readonly number[]): RankingState {
  let s = emptyRanking(k);
  const places = [...new Set(ranks)].sort((a, b) => a - b);
  for (const place of places) {
    const members = ranks.map((r, i) => (r === place ? i : -1)).filter((i) => i >= 0);
    members.forEach((m, j) => {
      if (j > 0) s = tie(s).state;
      s = applyAction(s, { type: 'pick', sample: m }).state;
    });
  }
  return s;
}

/**
 * Whether a key press anywhere on the page is the board's: not with a
 * modifier, not while typing in a field, and not Enter or Space on a focused
 * button (those belong to that button).
 */
export function isBoardKey(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  const target = e.target as HTMLElement | null;
  const typing = ['INPUT', 'TEXTAREA', 'SELECT'].includes(target?.tagName ?? '');
  if (target && (target.isContentEditable || typing)) return false;
  return !(
    (e.key === 'Enter' || e.key === ' ') &&
    target &&
    ['BUTTON', 'A', 'SUMMARY'].includes(target.tagName)
  );
}
