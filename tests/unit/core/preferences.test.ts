// The preference record's conversions, against values worked out by hand
// (each expectation's comment shows the working).
import { describe, expect, it } from 'vitest';
import { ArgumentError } from '../../../src/core/errors';
import {
  checkPreferences,
  comparisonCount,
  directTargets,
  gradeToTarget,
  preferenceFromRow,
  preferenceProblem,
  rankedOnly,
  rankingToPairs,
  ranksFromScores,
  ranksOf,
  ranksToGrades,
  ranksToTiers,
  tiersToRanks,
  type Preference,
} from '../../../src/core/preferences';

describe('tiers and ranks', () => {
  it('gives each sample its tier, ties sharing one', () => {
    // tiers [[a], [b, c], [d]] with a..d = samples 0..3: a first, b and c tied second, d third.
    expect(tiersToRanks([[0], [1, 2], [3]], 4)).toEqual([0, 1, 1, 2]);
    // tiers [[d, b], [a], [c]]: b and d tied best.
    expect(tiersToRanks([[3, 1], [0], [2]], 4)).toEqual([1, 0, 2, 0]);
  });

  it('has no ranks while a sample is in no tier', () => {
    expect(tiersToRanks([[2], [0]], 3)).toBeNull();
    expect(tiersToRanks([], 2)).toBeNull();
  });

  it('turns ranks back into tiers, best first, gaps in the places closed', () => {
    expect(ranksToTiers([1, 0, 2, 0])).toEqual([[1, 3], [0], [2]]);
    // Competition ranks (as from scores) 0, 1, 1, 3: the third tier is place 3.
    expect(ranksToTiers([0, 1, 1, 3])).toEqual([[0], [1, 2], [3]]);
    expect(ranksToTiers([0, 0])).toEqual([[0, 1]]);
  });
});

describe('scores and grades', () => {
  it('ranks by how many score strictly higher, equal scores tied', () => {
    // 7 is best (0 above it); both 5s have one above (1); 1 has three above (3).
    expect(ranksFromScores([5, 7, 5, 1])).toEqual([1, 0, 1, 3]);
    // Grades 4, 6, 6, 2: the 6s tie best, 4 has two above, 2 has three.
    expect(ranksFromScores([4, 6, 6, 2])).toEqual([2, 0, 0, 3]);
  });

  it('maps a 1–7 grade to (g − 1) / 6 and rejects other grades', () => {
    expect(gradeToTarget(1)).toBe(0);
    expect(gradeToTarget(4)).toBe(0.5);
    expect(gradeToTarget(7)).toBe(1);
    expect(() => gradeToTarget(0)).toThrow(ArgumentError);
    expect(() => gradeToTarget(2.5)).toThrow(/grade/);
  });

  it('spreads ranks evenly from 1 (best) to 0 (worst) as direct-score targets', () => {
    // worst = 2: (2 − r) / 2.
    expect(ranksToGrades([0, 1, 1, 2])).toEqual([1, 0.5, 0.5, 0]);
    expect(ranksToGrades([0, 0])).toEqual([1, 1]);
  });
});

describe('pairs', () => {
  it('lists every [better, worse] pair and skips ties', () => {
    // [0, 1, 1, 2]: 0 beats 1, 2, 3; 1 and 2 tie (no pair); 1 and 2 each beat 3.
    expect(rankingToPairs([0, 1, 1, 2])).toEqual([
      [0, 1],
      [0, 2],
      [0, 3],
      [1, 3],
      [2, 3],
    ]);
    // [2, 0, 1]: sample 1 beats 0 and 2, sample 2 beats 0.
    expect(rankingToPairs([2, 0, 1])).toEqual([
      [1, 0],
      [2, 0],
      [1, 2],
    ]);
    expect(rankingToPairs([0, 0, 0])).toEqual([]);
  });

  it('counts C(K,2) minus the tied pairs', () => {
    expect(comparisonCount([0, 1, 1, 2])).toBe(6 - 1);
    expect(comparisonCount([0, 0, 1, 1])).toBe(6 - 2);
    expect(comparisonCount([0, 0])).toBe(0);
  });

  it('takes tiers from the board to the pairs the reward model learns', () => {
    const ranks = tiersToRanks([[0], [1, 2], [3]], 4)!;
    expect(rankingToPairs(ranks)).toHaveLength(5);
  });
});

describe('the record', () => {
  it('reads a saved row: samples become completions, 1–7 grades become targets', () => {
    const row = { prompt: 'p', samples: ['a', 'b', 'c'], ranks: [1, 0, 1], grades: [4, 7, 4] };
    const p = preferenceFromRow(row);
    expect(p).toEqual({
      prompt: 'p',
      completions: ['a', 'b', 'c'],
      ranks: [1, 0, 1],
      grades: [0.5, 1, 0.5],
    });
    expect(p.completions).not.toBe(row.samples);
    expect(p.ranks).not.toBe(row.ranks);
    expect(preferenceFromRow({ prompt: 'p', samples: ['a', 'b'], ranks: [0, 1] })).toEqual({
      prompt: 'p',
      completions: ['a', 'b'],
      ranks: [0, 1],
    });
  });

  it('ranks a graded-only record by its grades, and regresses a ranked-only one on its ranks', () => {
    const graded: Preference = {
      prompt: 'p',
      completions: ['a', 'b', 'c'],
      grades: [0.2, 0.9, 0.2],
    };
    expect(ranksOf(graded)).toEqual([1, 0, 1]);
    expect(directTargets(graded)).toEqual([0.2, 0.9, 0.2]);
    const ranked: Preference = { prompt: 'p', completions: ['a', 'b', 'c'], ranks: [0, 2, 1] };
    expect(ranksOf(ranked)).toEqual([0, 2, 1]);
    // worst = 2: (2 − r) / 2.
    expect(directTargets(ranked)).toEqual([1, 0, 0.5]);
  });

  it('drops the added completions to give the record as judged', () => {
    const p: Preference = {
      prompt: 'p',
      completions: ['a', 'b', 'c', 'a cut'],
      ranks: [1, 0, 1, 2],
      added: 1,
    };
    expect(rankedOnly(p)).toEqual({
      prompt: 'p',
      completions: ['a', 'b', 'c'],
      ranks: [1, 0, 1],
      added: 0,
    });
    const plain: Preference = { prompt: 'p', completions: ['a', 'b'], ranks: [0, 1] };
    expect(rankedOnly(plain)).toBe(plain);
  });

  it('says what is wrong with a record', () => {
    const ok: Preference = { prompt: 'p', completions: ['a', 'b'], ranks: [0, 1] };
    expect(preferenceProblem(ok)).toBeNull();
    expect(preferenceProblem({ prompt: 'p', completions: ['a'], ranks: [0] })).toBe(
      'has 1 completion(s); at least 2 are needed',
    );
    expect(preferenceProblem({ prompt: 'p', completions: ['a', 'b', 'c'], grades: [1, 0] })).toBe(
      'has 3 completions but 2 grades',
    );
    expect(
      preferenceProblem({ prompt: 'p', completions: ['a', 'b', 'c'], ranks: [0, 1, 1], added: 2 }),
    ).toBe('says 2 completions were added; expected an integer from 0 to 1');
    expect(
      preferenceProblem({ prompt: 'p', completions: ['a', 'b'], ranks: [0, 1], grades: [1] }),
    ).toBe('has 2 completions but 1 grades');
  });

  it('checks a list of records, naming the first bad one', () => {
    const ok: Preference = { prompt: 'p', completions: ['a', 'b'], ranks: [0, 1] };
    expect(() => checkPreferences('groups', [ok])).not.toThrow();
    expect(() => checkPreferences('groups', [])).toThrow(/empty/);
    expect(() =>
      checkPreferences('groups', [ok, { prompt: 'p', completions: ['a', 'b'], ranks: [0] }]),
    ).toThrow(/group 1 has 2 completions but 1 ranks/);
  });
});
