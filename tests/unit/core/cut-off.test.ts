/**
 * Cut-off answers for the reward model (src/core/cut-off.ts): where an answer
 * is cut, and how a ranking grows. Expected texts are counted by hand.
 */
import { describe, expect, it } from 'vitest';
import { cutOffAnswer, withCutOffAnswers, withCutOffAnswersIf } from '../../../src/core/cut-off';
import { isFinished } from '../../../src/core/story-ending';

describe('cutOffAnswer', () => {
  it('cuts at a share of the characters, earlier where the cut would end a sentence or a word', () => {
    // 20 characters; half is 10: "Tom ran. H" — ends mid-word, unfinished: kept.
    expect(cutOffAnswer('Tom ran. He smiled.!', 0.5)).toBe('Tom ran. H');
    // 16 characters; half is 8: "Tom ran." ends a sentence → 7 "Tom ran" (unfinished).
    expect(cutOffAnswer('Tom ran. He won.', 0.5)).toBe('Tom ran');
    // 12 characters; a quarter is 3: "Sam" (no space at its end).
    expect(cutOffAnswer('Sam is glad.', 0.25)).toBe('Sam');
    // 13 characters; half is 6: "A dog " ends on a space → 5 "A dog".
    expect(cutOffAnswer('A dog is fun.', 0.5)).toBe('A dog');
  });

  it('counts Chinese characters, not UTF-16 units, and never returns a finished text', () => {
    // 10 characters; half is 5: "小兔子很开".
    expect(cutOffAnswer('小兔子很开心。它笑了。', 0.5)).toBe('小兔子很开');
    // "它笑了。好！" has 6; half is 3 "它笑了" (not finished) — one before the 。.
    expect(cutOffAnswer('它笑了。好！', 0.5)).toBe('它笑了');
    // An emoji is one character: 4 characters, half is 2 → "😀a".
    expect(cutOffAnswer('😀ab.', 0.5)).toBe('😀a');
    for (const text of ['A.', '.', '!?', '']) {
      const cut = cutOffAnswer(text, 0.5);
      expect(cut === null || !isFinished(cut), text).toBe(true);
    }
    expect(cutOffAnswer('', 0.5)).toBeNull();
    expect(cutOffAnswer('.', 0.5)).toBeNull();
  });
});

describe('withCutOffAnswers', () => {
  it("appends the best answer's cuts, tied below every ranked answer", () => {
    const g = {
      prompt: 'Tell a story.\n',
      completions: ['Ann was sad.', 'Ann the cat won the race.', 'Ann ran home and'],
      ranks: [1, 0, 2],
    };
    const out = withCutOffAnswers(g);
    // The best (rank 0) has 25 characters: half 12 "Ann the cat " ends on a space → 11;
    // a quarter 6 "Ann th".
    expect(out.completions).toEqual([...g.completions, 'Ann the cat', 'Ann th']);
    expect(out.ranks).toEqual([1, 0, 2, 3, 3]);
    expect(out.added).toBe(2);
    expect(out.prompt).toBe(g.prompt);
    // The input is left as it was.
    expect(g.completions).toHaveLength(3);
  });

  it('adds nothing when the best answer is itself unfinished, and no duplicate of a ranked answer', () => {
    const unfinished = withCutOffAnswers({
      prompt: 'p',
      completions: ['Ann ran and', 'Ann won.'],
      ranks: [0, 1],
    });
    expect(unfinished.added).toBe(0);
    expect(unfinished.completions).toEqual(['Ann ran and', 'Ann won.']);
    // Half of "Bo is up." (9) is 4 "Bo i"; a quarter 2 "Bo" is also a ranked answer: left out.
    const dup = withCutOffAnswers({ prompt: 'p', completions: ['Bo is up.', 'Bo'], ranks: [0, 1] });
    expect(dup.completions).toEqual(['Bo is up.', 'Bo', 'Bo i']);
    expect(dup.ranks).toEqual([0, 1, 2]);
    expect(dup.added).toBe(1);
  });
});

describe('withCutOffAnswersIf', () => {
  it('adds cuts to ranked groups only when on, and leaves graded groups alone', () => {
    const ranked = { prompt: 'p', completions: ['Sam is glad.', 'Sam'], ranks: [0, 1] };
    const graded = { prompt: 'p', completions: ['Sam is glad.', 'Sam'], grades: [1, 0] };
    const off = withCutOffAnswersIf([ranked, graded], false);
    expect(off[0]).toBe(ranked);
    expect(off[1]).toBe(graded);
    const on = withCutOffAnswersIf([ranked, graded], true);
    // "Sam is glad." (12): half 6 "Sam is" and a quarter 3 "Sam", which is ranked already.
    expect(on[0]).toEqual({
      ...ranked,
      completions: ['Sam is glad.', 'Sam', 'Sam is'],
      ranks: [0, 1, 2],
      added: 1,
    });
    expect(on[1]).toBe(graded);
  });
});
