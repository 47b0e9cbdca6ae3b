// TRL's missing_eos_penalty, checked by hand: an answer without EOS at its end
// loses the penalty, one that ends keeps its score.
import { describe, expect, it } from 'vitest';
import { EOS_ID, penaliseMissingEos } from '../../../../src/core';

describe('penaliseMissingEos', () => {
  it('subtracts the penalty from answers that do not end, and from nothing else', () => {
    const responses = [[7, 8, EOS_ID], [7, 8, 9], [], [EOS_ID]];
    expect(penaliseMissingEos([1, 2, 3, -4], responses, 1.5)).toEqual([1, 0.5, 1.5, -4]);
    expect(penaliseMissingEos([1, 2, 3, -4], responses, 0)).toEqual([1, 2, 3, -4]);
  });

  it('refuses a negative penalty and scores that do not match the answers', () => {
    expect(() => penaliseMissingEos([1], [[7]], -1)).toThrow(/missingEosPenalty/);
    expect(() => penaliseMissingEos([1, 2], [[7]], 1)).toThrow(/2 scores for 1 responses/);
  });
});
