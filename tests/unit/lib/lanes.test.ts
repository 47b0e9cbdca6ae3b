import { describe, expect, it } from 'vitest';
import { ranksToGrades } from '../../../src/lib/lanes';
import { byPrompt } from '../../../src/lib/sampling';

describe('page helpers for the workers', () => {
  it('turns ranks into grades in [0, 1] for the direct-score objective', () => {
    // Places 0..3 → 1, 2/3, 1/3, 0; ties share a grade.
    expect(ranksToGrades([2, 0, 3, 1])).toEqual([1 / 3, 1, 0, 2 / 3]);
    expect(ranksToGrades([0, 1, 1])).toEqual([1, 0, 0]);
    expect(ranksToGrades([0, 0])).toEqual([1, 1]);
  });

  it('groups streamed rows (prompt × k) by prompt', () => {
    expect(byPrompt(['a0', 'a1', 'b0', 'b1'], 2)).toEqual([
      ['a0', 'a1'],
      ['b0', 'b1'],
    ]);
  });
});
