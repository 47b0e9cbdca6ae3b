import { describe, expect, it } from 'vitest';
import {
  ImportRefused,
  JSONL_LIMITS,
  checkJsonl,
  describeProblems,
} from '../../../src/lib/persistence/import-validate';

const vocabulary = [...'abcdefghijklmnopqrstuvwxyz .,!?'];
const limits = { contextLength: 128, vocabulary, ...JSONL_LIMITS };
const jsonl = (...rows: unknown[]) =>
  rows.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n');

describe('JSONL import checks', () => {
  it('accepts good rankings, preferences and demonstrations, found from their fields', () => {
    const r = checkJsonl(
      jsonl({ prompt: 'tell a story', completions: ['a b', 'c'], ranks: [1, 0] }),
      null,
      limits,
    );
    expect(r.kind).toBe('rankings');
    expect(r.problems).toEqual([]);
    // Prompts are stored as the presets have them: ending with one newline.
    expect(r.rows).toEqual([
      { prompt: 'tell a story\n', completions: ['a b', 'c'], ranks: [1, 0] },
    ]);
    expect(
      checkJsonl(jsonl({ prompt: 'p', chosen: 'yes', rejected: 'no' }), null, limits).kind,
    ).toBe('preferences');
    const d = checkJsonl(jsonl({ prompt: 'p', completion: ' fine. ' }, ''), null, limits);
    expect(d.kind).toBe('demonstrations');
    expect(d.rows).toEqual([{ prompt: 'p\n', completion: 'fine.' }]);
  });

  it('names the line and the problem of every bad row', () => {
    const text = jsonl(
      { prompt: 'ok', chosen: 'yes', rejected: 'no' },
      '{"prompt": "broken"',
      { prompt: 'ok', chosen: 5, rejected: 'no' },
      '',
      { prompt: 'ok', chosen: 'café', rejected: 'no' },
      [1, 2],
      { prompt: '', chosen: '', rejected: 'no' },
      { prompt: 'ok', chosen: 'x' },
    );
    const r = checkJsonl(text, null, limits);
    expect(r.rows).toHaveLength(1);
    expect(r.lines).toEqual([1]);
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 5, 6, 7, 8]);
    const said = describeProblems(r.problems);
    expect(said[0]).toMatch(/^line 2: not valid JSON/);
    expect(said[1]).toBe('line 3: “chosen” must be a string, not number');
    expect(said[2]).toBe("line 5: “chosen” has characters outside the model's vocabulary: “é”");
    expect(said[3]).toBe('line 6: expected a JSON object, found an array');
    // An empty answer can be ranked (a sample may end at once); an empty prompt cannot.
    expect(said[4]).toBe('line 7: “prompt” is empty');
    expect(said[5]).toBe('line 8: missing “rejected”');
  });

  it('checks rankings: 2 to 9 completions, one whole-number rank each', () => {
    const r = checkJsonl(
      jsonl(
        { prompt: 'p', completions: ['a'], ranks: [0] },
        { prompt: 'p', completions: ['a', 'b'], ranks: [0, 2] },
        { prompt: 'p', completions: ['a', 'b'], ranks: [0] },
        { prompt: 'p', completions: 'a,b', ranks: [0, 1] },
      ),
      'rankings',
      limits,
    );
    expect(describeProblems(r.problems)).toEqual([
      'line 1: “completions” has 1 entries (2 to 9)',
      'line 2: “ranks[1]” is 2; expected a whole number from 0 to 1',
      'line 3: “ranks” has 1 entries for 2 completions',
      'line 4: “completions” must be an array of strings, not string',
    ]);
  });

  it('keeps 1–7 grades of graded rankings, and checks them', () => {
    const r = checkJsonl(
      jsonl(
        { prompt: 'p', completions: ['a', 'b'], ranks: [1, 0], grades: [3, 6] },
        { prompt: 'p', completions: ['a', 'b'], ranks: [1, 0], grades: [0, 9] },
      ),
      'rankings',
      limits,
    );
    expect(r.rows).toEqual([
      { prompt: 'p\n', completions: ['a', 'b'], ranks: [1, 0], grades: [3, 6] },
    ]);
    expect(describeProblems(r.problems)).toEqual([
      'line 2: “grades” must hold one whole number from 1 to 7 per completion',
    ]);
  });

  it('refuses a file as a whole when it cannot be read at all', () => {
    expect(() => checkJsonl('', null, limits)).toThrow(ImportRefused);
    expect(() => checkJsonl('\n\n', null, limits)).toThrow(/no rows/);
    expect(() => checkJsonl(jsonl({ text: 'x' }), null, limits)).toThrow(
      /none of the known sets of fields/,
    );
    expect(() => checkJsonl('x'.repeat(100), null, { ...limits, maxBytes: 50 })).toThrow(
      /The file is 0.0 MB; the limit is 0.0 MB/,
    );
  });

  it('stops reading after the row limit, and says so', () => {
    const rows = Array.from({ length: 5 }, () => ({ prompt: 'p', completion: 'c' }));
    const r = checkJsonl(jsonl(...rows), null, { ...limits, maxRows: 3 });
    expect(r.rows).toHaveLength(3);
    expect(describeProblems(r.problems)).toEqual([
      'line 4: more than 3 rows; the rest is not read',
    ]);
  });
});

describe('demonstrations the model cannot write', () => {
  it('keeps text outside the vocabulary in demonstrations and names its characters', () => {
    // What the page's own demonstrations export holds when a person wrote such text.
    const text = jsonl(
      { prompt: 'tell a story', completion: 'a cat ate 中文 cake.' },
      { prompt: 'tell a story <b>', completion: 'fine 🙂.' },
      { prompt: 'tell a story', completion: '' },
    );
    const r = checkJsonl(text, null, limits);
    expect(r.kind).toBe('demonstrations');
    expect(r.rows).toEqual([
      { prompt: 'tell a story\n', completion: 'a cat ate 中文 cake.' },
      { prompt: 'tell a story <b>\n', completion: 'fine 🙂.' },
    ]);
    // Only the rows imported count; the empty one is a problem of its own.
    expect(r.problems).toEqual([{ line: 3, problem: '“completion” is empty' }]);
    expect(r.unwritable).toEqual(['中', '文', '<', '>', '🙂']);
    // Rankings and preferences must still be text the model reads.
    const ranked = checkJsonl(
      jsonl({ prompt: 'p', completions: ['中', 'b'], ranks: [0, 1] }),
      null,
      limits,
    );
    expect(ranked.rows).toEqual([]);
    expect(ranked.unwritable).toEqual([]);
  });
});
