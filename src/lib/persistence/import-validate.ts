// Checking a JSONL file before anything from it is written. Every line is
// parsed and checked on its own (valid JSON, an object, the fields of its
// kind with the right types, text the model can read), so the person gets
// every problem at once with its line number, and then chooses: refuse the
// file as a whole, or import the valid rows and see the rejected ones listed.
import {
  MAX_RESPONSE_CHARS,
  charCount,
  checkPrompt,
  normalisePrompt,
  type TextLimits,
} from '../stages/demonstrations';
import type { DemonstrationRow, PreferenceRow, RankingRow } from '../share/export-formats';

export type ImportKind = 'rankings' | 'preferences' | 'demonstrations';

export const KIND_FIELDS: Record<ImportKind, readonly string[]> = {
  rankings: ['prompt', 'completions', 'ranks'],
  preferences: ['prompt', 'chosen', 'rejected'],
  demonstrations: ['prompt', 'completion'],
};

export type RowOf<K extends ImportKind> = K extends 'rankings'
  ? RankingRow
  : K extends 'preferences'
    ? PreferenceRow
    : DemonstrationRow;

export interface LineProblem {
  /** 1-based, as an editor shows it. */
  line: number;
  problem: string;
}

export interface ImportCheck<K extends ImportKind> {
  kind: K;
  rows: RowOf<K>[];
  /** The line each row came from. */
  lines: number[];
  problems: LineProblem[];
  /**
   * Characters of the rows the model's vocabulary lacks, where they are
   * kept (demonstrations: a person's own text, which the model reads as
   * “unknown” and cannot write). Rows of other kinds with such characters
   * are problems instead.
   */
  unwritable: string[];
}

/** A refusal of the whole file before its lines are read (size, encoding, kind). */
export class ImportRefused extends Error {}

export interface ImportLimits extends TextLimits {
  maxBytes: number;
  maxRows: number;
}

export const JSONL_LIMITS = { maxBytes: 20 * 1024 * 1024, maxRows: 100_000 };

const MIN_K = 2;
const MAX_K = 9;

const mb = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MB`;

/** Refuses a file by its size before reading it. */
export function checkSize(bytes: number, maxBytes: number): void {
  if (bytes > maxBytes) {
    throw new ImportRefused(`The file is ${mb(bytes)}; the limit is ${mb(maxBytes)}.`);
  }
  if (bytes === 0) throw new ImportRefused('The file is empty.');
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Which kind a row looks like, from its fields. */
export function kindOf(row: unknown): ImportKind | null {
  if (!isRecord(row)) return null;
  for (const kind of ['rankings', 'preferences', 'demonstrations'] as const) {
    if (KIND_FIELDS[kind].every((f) => f in row)) return kind;
  }
  return null;
}

const typeName = (x: unknown) => (x === null ? 'null' : Array.isArray(x) ? 'an array' : typeof x);

/** What the tokenizer prints for its UNK token: a model's own samples may hold it. */
const UNK_CHAR = '\uFFFD';

/** Characters of `s` the model does not know (newline and the UNK mark are always fine). */
function outside(s: string, known: Set<string> | null): string[] {
  if (!known) return [];
  return [...new Set([...s].filter((c) => c !== '\n' && c !== UNK_CHAR && !known.has(c)))];
}

/** Characters as a person can read them in a sentence: “é”, spaces by their code (U+0009). */
export const showChars = (cs: string[]) =>
  cs
    .slice(0, 8)
    .map((c) => (/\s/.test(c) ? `U+${c.codePointAt(0)!.toString(16).toUpperCase()}` : `“${c}”`))
    .join(', ') + (cs.length > 8 ? ` and ${cs.length - 8} more` : '');

class RowChecker {
  readonly problems: string[] = [];
  constructor(
    private readonly limits: ImportLimits,
    private readonly known: Set<string> | null,
    /** Where unknown characters are kept rather than refused (demonstrations). */
    private readonly unwritable: Set<string> | null = null,
  ) {}

  /** A string field; `emptyOk` for a model's answer (a sample may end at once). */
  text(row: Record<string, unknown>, field: string, emptyOk = false): string {
    const v = row[field];
    if (typeof v !== 'string') {
      this.problems.push(`“${field}” must be a string, not ${typeName(v)}`);
      return '';
    }
    this.readable(field, v, emptyOk);
    return v;
  }

  readable(field: string, v: string, emptyOk = false): void {
    if (v.trim() === '' && !emptyOk) this.problems.push(`“${field}” is empty`);
    else if (charCount(v) > MAX_RESPONSE_CHARS) {
      this.problems.push(
        `“${field}” has ${charCount(v)} characters (at most ${MAX_RESPONSE_CHARS})`,
      );
    }
    const bad = outside(v, this.known);
    if (bad.length > 0 && this.unwritable) {
      for (const c of bad) this.unwritable.add(c);
    } else if (bad.length > 0) {
      this.problems.push(
        `“${field}” has characters outside the model's vocabulary: ${showChars(bad)}`,
      );
    }
  }

  prompt(row: Record<string, unknown>): string {
    const raw = this.text(row, 'prompt');
    if (raw.trim() === '') return '';
    const problem = checkPrompt(raw, this.limits);
    if (problem) this.problems.push(`“prompt”: ${problem}`);
    return normalisePrompt(raw);
  }

  ranking(row: Record<string, unknown>): RankingRow {
    const prompt = this.prompt(row);
    const { completions, ranks } = row;
    if (!Array.isArray(completions)) {
      this.problems.push(`“completions” must be an array of strings, not ${typeName(completions)}`);
      return { prompt, completions: [], ranks: [] };
    }
    if (completions.length < MIN_K || completions.length > MAX_K) {
      this.problems.push(`“completions” has ${completions.length} entries (${MIN_K} to ${MAX_K})`);
    }
    completions.forEach((c, i) => {
      if (typeof c !== 'string')
        this.problems.push(`“completions[${i}]” must be a string, not ${typeName(c)}`);
      else this.readable(`completions[${i}]`, c, true);
    });
    if (!Array.isArray(ranks)) {
      this.problems.push(`“ranks” must be an array of whole numbers, not ${typeName(ranks)}`);
      return { prompt, completions: completions as string[], ranks: [] };
    }
    if (ranks.length !== completions.length) {
      this.problems.push(
        `“ranks” has ${ranks.length} entries for ${completions.length} completions`,
      );
    }
    ranks.forEach((r, i) => {
      if (typeof r !== 'number' || !Number.isInteger(r) || r < 0 || r >= completions.length) {
        this.problems.push(
          `“ranks[${i}]” is ${JSON.stringify(r)}; expected a whole number from 0 to ${completions.length - 1}`,
        );
      }
    });
    const out: RankingRow = {
      prompt,
      completions: completions as string[],
      ranks: ranks as number[],
    };
    // Optional: 1–7 grades, when the completions were graded rather than ranked.
    if (row.grades !== undefined) {
      const g = row.grades;
      const ok =
        Array.isArray(g) &&
        g.length === completions.length &&
        g.every((x) => typeof x === 'number' && Number.isInteger(x) && x >= 1 && x <= 7);
      if (ok) out.grades = g as number[];
      else this.problems.push('“grades” must hold one whole number from 1 to 7 per completion');
    }
    return out;
  }

  preference(row: Record<string, unknown>): PreferenceRow {
    const prompt = this.prompt(row);
    // Two samples may read the same and still be ranked apart: that is the person's call.
    const chosen = this.text(row, 'chosen', true);
    const rejected = this.text(row, 'rejected', true);
    return { prompt, chosen, rejected };
  }

  demonstration(row: Record<string, unknown>): DemonstrationRow {
    const prompt = this.prompt(row);
    return { prompt, completion: this.text(row, 'completion').trim() };
  }
}

/**
 * Parses and checks JSONL text. `kind` null: taken from the first row's
 * fields. Throws ImportRefused when the file as a whole cannot be read.
 */
export function checkJsonl<K extends ImportKind>(
  text: string,
  kind: K | null,
  limits: ImportLimits,
): ImportCheck<K> {
  checkSize(new TextEncoder().encode(text).length, limits.maxBytes);
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const known =
    limits.vocabulary && limits.vocabulary.length > 0 ? new Set(limits.vocabulary) : null;
  let k: ImportKind | null = kind;
  const out: ImportCheck<ImportKind> = {
    kind: kind ?? 'rankings',
    rows: [],
    lines: [],
    problems: [],
    unwritable: [],
  };
  const unwritable = new Set<string>();
  let count = 0;
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.trim() === '') return;
    if (++count > limits.maxRows) {
      if (count === limits.maxRows + 1) {
        out.problems.push({
          line,
          problem: `more than ${limits.maxRows} rows; the rest is not read`,
        });
      }
      return;
    }
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (e) {
      out.problems.push({ line, problem: `not valid JSON (${(e as Error).message})` });
      return;
    }
    if (!isRecord(value)) {
      out.problems.push({ line, problem: `expected a JSON object, found ${typeName(value)}` });
      return;
    }
    if (k === null) {
      k = kindOf(value);
      if (k === null) {
        throw new ImportRefused(
          `Line ${line} has none of the known sets of fields: {prompt, completions, ranks} (rankings), {prompt, chosen, rejected} (TRL preferences) or {prompt, completion} (demonstrations).`,
        );
      }
      out.kind = k;
    }
    const missing = KIND_FIELDS[k].filter((f) => !(f in value));
    if (missing.length > 0) {
      out.problems.push({ line, problem: `missing ${missing.map((f) => `“${f}”`).join(', ')}` });
      return;
    }
    // A row's unknown characters count only if the row is imported.
    const seen = new Set<string>();
    const check = new RowChecker(limits, known, k === 'demonstrations' ? seen : null);
    const row =
      k === 'rankings'
        ? check.ranking(value)
        : k === 'preferences'
          ? check.preference(value)
          : check.demonstration(value);
    if (check.problems.length > 0) {
      out.problems.push({ line, problem: check.problems.join('; ') });
      return;
    }
    out.rows.push(row);
    out.lines.push(line);
    for (const c of seen) unwritable.add(c);
  });
  if (count === 0) throw new ImportRefused('The file has no rows.');
  out.unwritable = [...unwritable];
  return out as ImportCheck<K>;
}

/** "line 3: not valid JSON …" for the first few problems, and how many more. */
export function describeProblems(problems: readonly LineProblem[], max = 10): string[] {
  const shown = problems.slice(0, max).map((p) => `line ${p.line}: ${p.problem}`);
  if (problems.length > max) shown.push(`and ${problems.length - max} more problems`);
  return shown;
}
