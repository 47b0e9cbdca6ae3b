// The ranking board's helpers, on small cases worked out by hand.
import { describe, expect, it } from 'vitest';
import { emptyRanking, placeAt, undo } from '../../../src/lib/ranking/ranking';
import { placesOf, rankingFromRanks } from '../../../src/lib/ranking/ranking-board';

describe('ranking board helpers', () => {
  it('rebuilds tiers from ranks, ties included, in pick order', () => {
    // Samples 1 and 2 share the best place, 0 is next, 3 last.
    const s = rankingFromRanks(4, [5, 2, 2, 9]);
    expect(s.tiers).toEqual([[1, 2], [0], [3]]);
    expect(s.tiePending).toBe(false);
    // pick 1, tie, pick 2, pick 0, pick 3: five steps to undo
    expect(s.history).toHaveLength(5);
    expect(undo(s).state.tiers).toEqual([[1, 2], [0]]);
  });

  it('gives each sample its place and whether it is tied', () => {
    let s = emptyRanking(3);
    s = placeAt(s, 2, 0, false).state;
    s = placeAt(s, 0, 0, true).state;
    expect(placesOf(s)).toEqual([{ place: 0, tied: true }, undefined, { place: 0, tied: true }]);
    expect(placesOf(emptyRanking(3))).toEqual([]);
  });
});
