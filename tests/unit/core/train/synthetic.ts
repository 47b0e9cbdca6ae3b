/**
 * A synthetic preference for trainer tests: strings over ten letters, and
 * "more vowels is better". The true score is the vowel share of a response.
 */
import { CharTokenizer } from '../../../../src/core/tokenizer';
import { mulberry32 } from '../../../../src/core/random';

export const tokenizer = new CharTokenizer('aeioubcdfg'.split(''));
export const VOWELS = new Set('aeiou');
export const tinyConfig = {
  vocabSize: tokenizer.vocabSize,
  blockSize: 24,
  nLayer: 1,
  nHead: 2,
  nEmbd: 32,
};

export function vowelShare(ids: number[]): number {
  const text = tokenizer.decode(ids);
  if (text.length === 0) return 0;
  return [...text].filter((c) => VOWELS.has(c)).length / ids.length;
}

export function randomString(len: number, rng: () => number): number[] {
  return Array.from({ length: len }, () => 4 + Math.floor(rng() * 10));
}

/** K random strings for one prompt, ranked by vowel count (ties share a place). */
export function vowelGroup(k: number, rng: () => number) {
  const prompt = randomString(2, rng);
  const completions = Array.from({ length: k }, () => randomString(6, rng));
  const counts = completions.map(
    (c) => c.filter((id) => VOWELS.has(tokenizer.decode([id]))).length,
  );
  const ranks = counts.map((n) => counts.filter((m) => m > n).length);
  return { prompt, completions, ranks };
}

export { mulberry32 };
