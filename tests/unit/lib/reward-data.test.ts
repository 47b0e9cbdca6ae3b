import { describe, expect, it } from 'vitest';
import {
  splitHeldout,
  totalComparisons,
  trainingPreferences,
  winRate,
} from '../../../src/lib/stages/reward-data';
import type { StoredRanking } from '../../../src/lib/persistence/storage';

const ranking = (ranks: number[]): StoredRanking => ({
  presetId: 'p',
  prompt: 'x\n',
  samples: ranks.map((_, i) => `s${i}`),
  ranks,
  by: 'person',
  createdAt: 0,
});

describe('reward-model data', () => {
  it('holds out about `share` of the items, spread out and stable as items are added', () => {
    const ten = Array.from({ length: 10 }, (_, i) => i);
    expect(splitHeldout(ten, 0.2).heldout).toEqual([4, 9]);
    expect(splitHeldout(ten.slice(0, 5), 0.2).heldout).toEqual([4]);
    expect(splitHeldout([0, 1, 2], 0.2).heldout).toEqual([]);
    expect(splitHeldout(ten, 0).train).toEqual(ten);
  });

  it('counts comparisons and drops rankings that are all ties', () => {
    const rs = [ranking([0, 1, 2, 3]), ranking([0, 0, 1]), ranking([0, 0])];
    expect(totalComparisons(rs)).toBe(6 + 2 + 0);
    expect(trainingPreferences(rs).map((g) => g.ranks)).toEqual([
      [0, 1, 2, 3],
      [0, 0, 1],
    ]);
  });

  it('win rate counts ties as half and gives a Wilson 95% interval', () => {
    const w = winRate([3, 1, 2, 2], [1, 2, 2, 0]);
    expect(w.rate).toBeCloseTo(2.5 / 4, 12);
    // Wilson for 2.5 of 4, z = Φ⁻¹(0.975), computed in float64 Python.
    expect(w.low).toBeCloseTo(0.21942652006536278, 10);
    expect(w.high).toBeCloseTo(0.908100770820988, 10);
    expect(Number.isNaN(winRate([], []).rate)).toBe(true);
  });
});
