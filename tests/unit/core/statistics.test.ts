// The Evaluate stage's statistics against numbers worked out independently:
// Wilson intervals computed in float64 Python (the formula written out by
// hand, z = Φ⁻¹(0.975)), agreement counts enumerated pair by pair.
import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../../../src/core/random';
import {
  Z95,
  labelGroup,
  noisyGrade,
  pairAgreement,
  pairedWinRate,
  totalAgreement,
  wilsonInterval,
} from '../../../src/core/statistics';
import { gradeToTarget, ranksFromScores } from '../../../src/core/preferences';

describe('wilsonInterval', () => {
  // python3: p=k/n; d=1+z²/n; c=(p+z²/2n)/d; h=z·sqrt(p(1−p)/n+z²/4n²)/d
  it.each([
    [7, 10, 0.39677814746114537, 0.8922087325936989],
    [0, 5, 0, 0.43448246478317476],
    [5, 5, 0.5655175352168251, 1],
    [50, 100, 0.4038315303659956, 0.5961684696340044],
    [1, 1, 0.20654931437723745, 1],
  ])('%i of %i → [%f, %f]', (k, n, low, high) => {
    const w = wilsonInterval(k, n);
    expect(w.rate).toBeCloseTo(k / n, 12);
    expect(w.low).toBeCloseTo(low, 12);
    expect(w.high).toBeCloseTo(high, 12);
    expect(w.n).toBe(n);
  });

  it('7/10 rounds to the interval quoted in the brief', () => {
    const w = wilsonInterval(7, 10);
    expect(w.low.toFixed(4)).toBe('0.3968');
    expect(w.high.toFixed(4)).toBe('0.8922');
  });

  it('is symmetric: k of n mirrors n − k of n', () => {
    const a = wilsonInterval(3, 11);
    const b = wilsonInterval(8, 11);
    expect(a.low).toBeCloseTo(1 - b.high, 12);
    expect(a.high).toBeCloseTo(1 - b.low, 12);
  });

  it('gives NaN for no trials and refuses impossible counts', () => {
    expect(Number.isNaN(wilsonInterval(0, 0).rate)).toBe(true);
    expect(() => wilsonInterval(6, 5)).toThrow(/successes/);
    expect(() => wilsonInterval(-1, 5)).toThrow(/successes/);
    expect(() => wilsonInterval(1, 2.5)).toThrow(/n:/);
  });

  it('uses z = Φ⁻¹(0.975)', () => {
    expect(Z95).toBeCloseTo(1.959963984540054, 15);
  });
});

describe('pairedWinRate', () => {
  it('counts a win 1 and a tie ½ on paired items', () => {
    // a beats b at 0 and 3, ties at 1, loses at 2: (1 + ½ + 0 + 1) / 4
    const w = pairedWinRate([3, 1, 0, 5], [1, 1, 2, 4]);
    expect(w.rate).toBeCloseTo(2.5 / 4, 12);
    expect(w.n).toBe(4);
    expect(() => pairedWinRate([1], [1, 2])).toThrow(/b:/);
  });
});

describe('pairAgreement', () => {
  it('counts pairs both rankings order alike', () => {
    // a: 0 > 1 > 2 > 3; b: 1 > 0 > 2 > 3. Of 6 pairs only (0,1) is flipped.
    expect(pairAgreement([0, 1, 2, 3], [1, 0, 2, 3])).toEqual({ same: 5, pairs: 6 });
    // The reverse order agrees on nothing.
    expect(pairAgreement([0, 1, 2], [2, 1, 0])).toEqual({ same: 0, pairs: 3 });
  });

  it('skips pairs either side ties', () => {
    // ranks [0, 0, 1] tie items 0 and 1: pairs (0,2) and (1,2) remain, both agree.
    expect(pairAgreement([0, 0, 1], [0, 1, 2])).toEqual({ same: 2, pairs: 2 });
  });

  it('compares ranks (lower is better) with scores (higher is better)', () => {
    // ranks say 2 > 0 > 1; scores say 2 > 1 > 0: pairs (0,1) disagree, (0,2) and (1,2) agree.
    expect(pairAgreement([1, 2, 0], [0.1, 0.5, 0.9], [false, true])).toEqual({
      same: 2,
      pairs: 3,
    });
  });

  it('totalAgreement sums groups and gives the share', () => {
    const t = totalAgreement([
      { same: 5, pairs: 6 },
      { same: 1, pairs: 2 },
    ]);
    expect(t).toEqual({ same: 6, pairs: 8, share: 0.75 });
    expect(Number.isNaN(totalAgreement([]).share)).toBe(true);
  });
});

describe('grades', () => {
  it('noisyGrade maps [0, 1] to 1..7 with the grader offset, clamped', () => {
    const rng = mulberry32(1);
    expect(noisyGrade(0, { noise: 0, offset: 0 }, rng)).toBe(1);
    expect(noisyGrade(1, { noise: 0, offset: 0 }, rng)).toBe(7);
    expect(noisyGrade(0.5, { noise: 0, offset: 0 }, rng)).toBe(4);
    // 1 + 6 · (0.5 + 0.2) = 5.2 → 5; a harsh grader: 1 + 6 · 0.3 = 2.8 → 3
    expect(noisyGrade(0.5, { noise: 0, offset: 0.2 }, rng)).toBe(5);
    expect(noisyGrade(0.5, { noise: 0, offset: -0.2 }, rng)).toBe(3);
    expect(noisyGrade(0.9, { noise: 0, offset: 0.5 }, rng)).toBe(7);
  });

  it('labelGroup: an offset changes the grades, never the ranking', () => {
    const scores = [0.1, 0.8, 0.5, 0.3];
    const lenient = labelGroup(scores, { noise: 0.1, offset: 0.3 }, mulberry32(4));
    const harsh = labelGroup(scores, { noise: 0.1, offset: -0.3 }, mulberry32(4));
    expect(lenient.ranks).toEqual(harsh.ranks);
    expect(lenient.grades).not.toEqual(harsh.grades);
    for (const g of [...lenient.grades, ...harsh.grades]) {
      expect(Number.isInteger(g) && g >= 1 && g <= 7).toBe(true);
    }
    // Without noise the ranking is the scores' order.
    expect(labelGroup(scores, { noise: 0, offset: 0 }, mulberry32(1)).ranks).toEqual([3, 0, 1, 2]);
  });

  it('ranksFromScores ties equal scores; gradeToTarget maps 1..7 to [0, 1]', () => {
    expect(ranksFromScores([5, 7, 5, 1])).toEqual([1, 0, 1, 3]);
    expect(gradeToTarget(1)).toBe(0);
    expect(gradeToTarget(4)).toBeCloseTo(0.5, 12);
    expect(gradeToTarget(7)).toBe(1);
    expect(() => gradeToTarget(8)).toThrow(/grade/);
  });
});
