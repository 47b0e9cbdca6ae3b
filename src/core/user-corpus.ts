/**
 * Checks a person's own text before a tokenizer and a fresh model are made
 * from it (the "your own text" preset). Each refusal says what is wrong and
 * what to do, and nothing is created for text that fails.
 */
import { ArgumentError } from './errors';
import { CharTokenizer } from './tokenizer';

export interface UserCorpusLimits {
  /** The model's context: the text must fill at least one window of it (+1 target). */
  blockSize: number;
  /** Largest vocabulary, special ids included. */
  maxVocab: number;
}

export const USER_CORPUS_LIMITS: UserCorpusLimits = { blockSize: 128, maxVocab: 512 };

/** Share of code points that are control characters other than tab/newline/CR, or U+FFFD. */
function binaryShare(chars: string[]): number {
  let bad = 0;
  for (const c of chars) {
    const cp = c.codePointAt(0) ?? 0;
    if ((cp < 32 && cp !== 9 && cp !== 10 && cp !== 13) || cp === 0x7f || cp === 0xfffd) bad++;
  }
  return bad / chars.length;
}

/** Returns a tokenizer for `text`, or throws an ArgumentError saying what to fix. */
export function tokenizerForUserText(
  text: string,
  limits: UserCorpusLimits = USER_CORPUS_LIMITS,
): CharTokenizer {
  const chars = Array.from(text ?? '');
  if (chars.length === 0 || text.trim() === '') {
    throw new ArgumentError('text', 'is empty: paste or type some text to train on');
  }
  if (binaryShare(chars) > 0.01) {
    throw new ArgumentError(
      'text',
      'looks like binary data (control characters or undecodable bytes): use a plain-text file',
    );
  }
  if (chars.length < limits.blockSize + 1) {
    throw new ArgumentError(
      'text',
      `has ${chars.length} characters; at least ${limits.blockSize + 1} are needed to fill one ` +
        'context window — paste more text',
    );
  }
  const distinct = new Set(chars).size;
  if (distinct + 4 > limits.maxVocab) {
    throw new ArgumentError(
      'text',
      `has ${distinct} distinct characters; the model's vocabulary holds ${limits.maxVocab - 4} — ` +
        'use text in fewer scripts, or remove rare symbols',
    );
  }
  return CharTokenizer.fromText(text, limits.maxVocab);
}
