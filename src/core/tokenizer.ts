/**
 * Character-level tokenizer over Unicode code points (DESIGN.md, "Models").
 *
 * Ids 0..3 are special: PAD, BOS, EOS, UNK. The vocabulary ships with every
 * checkpoint, so a model always decodes with the characters it was trained on.
 * Characters the vocabulary lacks map to UNK and are counted, so the UI can say
 * "3 characters were not known to this model" instead of failing silently.
 */
import { ArgumentError } from './errors';

export const PAD_ID = 0;
export const BOS_ID = 1;
export const EOS_ID = 2;
export const UNK_ID = 3;
const N_SPECIAL = 4;
const UNK_CHAR = '\uFFFD';

export interface TokenizerJSON {
  kind: 'char';
  /** The vocabulary after the four special ids, one code point per entry. */
  chars: string[];
}

export interface EncodeReport {
  ids: number[];
  /** How many characters mapped to UNK, and which distinct ones. */
  unknownCount: number;
  unknownChars: string[];
}

export class CharTokenizer {
  readonly chars: readonly string[];
  private readonly index: Map<string, number>;

  constructor(chars: readonly string[]) {
    const seen = new Set<string>();
    for (const [i, c] of chars.entries()) {
      if (Array.from(c).length !== 1) {
        throw new ArgumentError(
          'chars',
          `entry ${i} is not a single code point: ${JSON.stringify(c)}`,
        );
      }
      if (seen.has(c)) throw new ArgumentError('chars', `duplicate character ${JSON.stringify(c)}`);
      seen.add(c);
    }
    this.chars = [...chars];
    this.index = new Map(this.chars.map((c, i) => [c, i + N_SPECIAL]));
  }

  /** A vocabulary of every distinct code point in `text`, sorted by code point. */
  static fromText(text: string, maxVocab = Infinity): CharTokenizer {
    if (text.length === 0)
      throw new ArgumentError('text', 'is empty; a vocabulary needs some text');
    const distinct = [...new Set(Array.from(text))].sort(
      (a, b) => (a.codePointAt(0) ?? 0) - (b.codePointAt(0) ?? 0),
    );
    if (distinct.length + N_SPECIAL > maxVocab) {
      throw new ArgumentError(
        'text',
        `has ${distinct.length} distinct characters; the limit is ${maxVocab - N_SPECIAL}`,
      );
    }
    return new CharTokenizer(distinct);
  }

  static fromJSON(json: TokenizerJSON): CharTokenizer {
    if (json?.kind !== 'char' || !Array.isArray(json.chars)) {
      throw new ArgumentError('tokenizer', 'is not a character tokenizer description');
    }
    return new CharTokenizer(json.chars);
  }

  toJSON(): TokenizerJSON {
    return { kind: 'char', chars: [...this.chars] };
  }

  get vocabSize(): number {
    return this.chars.length + N_SPECIAL;
  }

  encodeReport(text: string, opts: { bos?: boolean; eos?: boolean } = {}): EncodeReport {
    const ids: number[] = opts.bos ? [BOS_ID] : [];
    const unknown = new Set<string>();
    let unknownCount = 0;
    for (const c of text) {
      const id = this.index.get(c);
      if (id === undefined) {
        ids.push(UNK_ID);
        unknownCount++;
        unknown.add(c);
      } else ids.push(id);
    }
    if (opts.eos) ids.push(EOS_ID);
    return { ids, unknownCount, unknownChars: [...unknown] };
  }

  encode(text: string, opts: { bos?: boolean; eos?: boolean } = {}): number[] {
    return this.encodeReport(text, opts).ids;
  }

  /** Text for `ids`; PAD/BOS/EOS are dropped, UNK shows as U+FFFD. */
  decode(ids: ArrayLike<number>): string {
    let out = '';
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      if (id === UNK_ID) out += UNK_CHAR;
      else if (id >= N_SPECIAL && id < this.vocabSize) out += this.chars[id - N_SPECIAL];
      else if (id < 0 || id >= this.vocabSize || !Number.isInteger(id)) {
        throw new ArgumentError('ids', `entry ${i} (${id}) is outside the vocabulary`);
      }
    }
    return out;
  }
}
