import { describe, expect, it } from 'vitest';
import { byPrompt } from '../../../src/lib/bridge/sampling';

describe('sampling on the page', () => {
  it('groups streamed rows (prompt × k) by prompt', () => {
    expect(byPrompt(['a0', 'a1', 'b0', 'b1'], 2)).toEqual([
      ['a0', 'a1'],
      ['b0', 'b1'],
    ]);
  });
});
