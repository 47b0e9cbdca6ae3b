import { describe, expect, it } from 'vitest';
import {
  checkDemonstration,
  checkPrompt,
  isValidDemo,
  normaliseDemonstration,
  promptTokens,
} from '../../../src/lib/stages/demonstrations';

const ok = { prompt: 'Write a story about a cat.', response: 'The cat slept in the sun.' };

describe('demonstrations', () => {
  it('accepts a plain one and normalises the prompt to end in one newline', () => {
    const c = checkDemonstration(ok);
    expect(isValidDemo(c)).toBe(true);
    expect(c.notes).toEqual([]);
    expect(normaliseDemonstration({ prompt: 'Hi  \n\n', response: '  Yes. ' })).toEqual({
      prompt: 'Hi\n',
      response: 'Yes.',
    });
  });

  it('refuses empty fields', () => {
    const c = checkDemonstration({ prompt: '  ', response: '\n' });
    expect(c.prompt).toMatch(/Write a prompt/);
    expect(c.response).toMatch(/Write the response/);
  });

  it('refuses a prompt that leaves no room in the context', () => {
    const long = 'a b '.repeat(40); // 160 characters
    expect(checkPrompt(long)).toMatch(/tokens long, but the model sees only 128/);
    // 'Hi\n' plus the start token: 4 tokens.
    expect(promptTokens('Hi')).toBe(4);
  });

  it('refuses absurd responses: huge, or one character repeated', () => {
    expect(checkDemonstration({ ...ok, response: 'x'.repeat(3000) }).response).toMatch(
      /3000 characters/,
    );
    expect(checkDemonstration({ ...ok, response: `Yes${'!'.repeat(30)}` }).response).toMatch(
      /repeats “!”/,
    );
  });

  it('notes (without refusing) a cut-off end and unknown characters', () => {
    const c = checkDemonstration(
      { prompt: 'Tell a story.', response: 'Once upon a time ✨ '.repeat(8) },
      { contextLength: 128, vocabulary: [...'Tel astory.Oncupimh'] },
    );
    expect(isValidDemo(c)).toBe(true);
    expect(c.notes.join(' ')).toMatch(/never seen \(✨\)/);
    expect(c.notes.join(' ')).toMatch(/trains on the first 128/);
  });
});
