import { describe, expect, it } from 'vitest';
import { tokenizerForUserText } from '../../../src/core/user-corpus';

const limits = { blockSize: 16, maxVocab: 4 + 10 };

describe('tokenizerForUserText', () => {
  it('makes a tokenizer for good text', () => {
    const t = tokenizerForUserText('abcab cab abc cab abc', limits);
    expect(t.vocabSize).toBe(4 + 4); // a, b, c and the space
  });

  it('refuses empty, too short, binary and too varied text with what to do', () => {
    expect(() => tokenizerForUserText('', limits)).toThrow(/is empty: paste or type/);
    expect(() => tokenizerForUserText('   \n ', limits)).toThrow(/is empty/);
    expect(() => tokenizerForUserText('abc', limits)).toThrow(/has 3 characters; at least 17/);
    expect(() => tokenizerForUserText('ab\u0000\u0001cd'.repeat(5), limits)).toThrow(/binary/);
    expect(() => tokenizerForUserText('abcdefghijklmnopqrstuvwxyz', limits)).toThrow(
      /26 distinct characters; the model's vocabulary holds 10/,
    );
  });
});
