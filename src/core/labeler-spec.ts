/**
 * Labeler configuration as plain JSON (presets and URLs carry it): the spec
 * types and their validation, which names the offending field.
 */
import { ArgumentError } from './errors';
import type { EndingSentiment } from './story-ending';

/** A yes/no-ish property of a text, scored in [0, 1]. */
export type AttributeTest =
  | { kind: 'mentions'; word: string }
  | { kind: 'ending'; sentiment: EndingSentiment }
  | { kind: 'length'; unit: 'words' | 'sentences'; min: number; max: number }
  | { kind: 'dialogue' }
  | { kind: 'requested-animal' };

/** Labeler configuration as plain JSON, so presets and URLs can carry it. */
export type LabelerSpec =
  | { kind: 'happy-ending' }
  | { kind: 'mentions-requested-animal' }
  | {
      kind: 'short-and-sweet';
      targetWords: [number, number];
      /** Words past the range at which the score reaches 0 (default: the range's max). */
      falloffWords?: number;
    }
  | { kind: 'uses-dialogue' }
  | { kind: 'weighted'; terms: { test: AttributeTest; weight: number }[] };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function finite(x: unknown, path: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ArgumentError(path, `is ${JSON.stringify(x)}; expected a finite number`);
  }
  return x;
}

function oneOf<T extends string>(x: unknown, path: string, options: readonly T[]): T {
  if (typeof x !== 'string' || !(options as readonly string[]).includes(x)) {
    throw new ArgumentError(path, `is ${JSON.stringify(x)}; expected one of ${options.join(', ')}`);
  }
  return x as T;
}

function minMax(min: unknown, max: unknown, path: string): [number, number] {
  const lo = finite(min, `${path}.min`);
  const hi = finite(max, `${path}.max`);
  if (lo < 0 || hi < lo) throw new ArgumentError(path, `range [${lo}, ${hi}] is not 0 ≤ min ≤ max`);
  return [lo, hi];
}

/**
 * `value` as an object whose `kind` is one of `kinds`: the object (to read the
 * kind's other fields from) and its kind.
 */
function tagged<K extends string>(
  value: unknown,
  path: string,
  kinds: readonly K[],
): [Record<string, unknown>, K] {
  if (!isRecord(value)) throw new ArgumentError(path, 'expected an object');
  return [value, oneOf(value.kind, `${path}.kind`, kinds)];
}

const SENTIMENTS = ['happy', 'sad', 'open'] as const;
const ATTRIBUTE_KINDS = ['mentions', 'ending', 'length', 'dialogue', 'requested-animal'] as const;
const LABELER_KINDS = [
  'happy-ending',
  'mentions-requested-animal',
  'short-and-sweet',
  'uses-dialogue',
  'weighted',
] as const;

export function validateAttributeTest(value: unknown, path = 'test'): AttributeTest {
  const [test, kind] = tagged(value, path, ATTRIBUTE_KINDS);
  switch (kind) {
    case 'mentions':
      if (typeof test.word !== 'string' || test.word.trim() === '') {
        throw new ArgumentError(`${path}.word`, 'expected a non-empty string');
      }
      return { kind, word: test.word };
    case 'ending':
      return { kind, sentiment: oneOf(test.sentiment, `${path}.sentiment`, SENTIMENTS) };
    case 'length': {
      const unit = oneOf(test.unit, `${path}.unit`, ['words', 'sentences'] as const);
      const [min, max] = minMax(test.min, test.max, path);
      return { kind, unit, min, max };
    }
    case 'dialogue':
    case 'requested-animal':
      return { kind };
  }
}

/** Checks untrusted JSON and returns it typed; throws an ArgumentError naming the field. */
export function validateLabelerSpec(value: unknown, path = 'labeler'): LabelerSpec {
  const [spec, kind] = tagged(value, path, LABELER_KINDS);
  switch (kind) {
    case 'happy-ending':
    case 'mentions-requested-animal':
    case 'uses-dialogue':
      return { kind };
    case 'short-and-sweet': {
      const t = spec.targetWords;
      if (!Array.isArray(t) || t.length !== 2) {
        throw new ArgumentError(`${path}.targetWords`, 'expected [min, max]');
      }
      const f = spec.falloffWords;
      if (f !== undefined && (typeof f !== 'number' || !Number.isInteger(f) || f < 1 || f > 1000)) {
        throw new ArgumentError(
          `${path}.falloffWords`,
          `is ${JSON.stringify(f)}; expected an integer from 1 to 1000`,
        );
      }
      return {
        kind,
        targetWords: minMax(t[0], t[1], `${path}.targetWords`),
        ...(f !== undefined ? { falloffWords: f } : {}),
      };
    }
    case 'weighted': {
      if (!Array.isArray(spec.terms) || spec.terms.length === 0) {
        throw new ArgumentError(`${path}.terms`, 'expected a non-empty array');
      }
      const terms = spec.terms.map((term: unknown, i) => {
        const at = `${path}.terms[${i}]`;
        if (!isRecord(term)) throw new ArgumentError(at, 'expected { test, weight }');
        return {
          test: validateAttributeTest(term.test, `${at}.test`),
          weight: finite(term.weight, `${at}.weight`),
        };
      });
      return { kind, terms };
    }
  }
}
