/**
 * Simulated labelers: rule-based judges of generated stories, built from a
 * `LabelerSpec` on the attributes detected in `text-attributes.ts` and
 * `story-ending.ts`.
 *
 * `noisyRanking` turns labeler scores into the ranking a person would type, with a
 * temperature for how unreliable that person is (Plackett–Luce, see below).
 */
import { ArgumentError, assertFiniteArray } from './errors';
import { validateLabelerSpec, type AttributeTest, type LabelerSpec } from './labeler-spec';
import { endingSentiment, isFinished, type EndingSentiment } from './story-ending';
import {
  detectAnimals,
  hasDialogue,
  mentionsWord,
  requestedAnimal,
  sentenceCount,
  wordCount,
} from './text-attributes';

export interface Labeler {
  id: string;
  name: string;
  description: string;
  /** Score in [0, 1]; higher is preferred. `prompt` is what the text answers, if any. */
  score(text: string, prompt?: string): number;
}

// ---------------------------------------------------------------------------
// Labelers

const ENDING_SCORE: Record<EndingSentiment, number> = { happy: 1, open: 0.5, sad: 0 };

/** 1 inside [min, max]; falls off linearly to 0 at 0 below and at max + falloff above. */
function rangeScore(x: number, min: number, max: number, falloff = max): number {
  if (x >= min && x <= max) return 1;
  if (x < min) return min === 0 ? 1 : x / min;
  return Math.max(0, 1 - (x - max) / Math.max(falloff, 1));
}

/** 1 for the requested animal, 0.25 for some other animal (still an animal story), else 0. */
function requestedAnimalScore(text: string, prompt?: string): number {
  const animals = detectAnimals(text);
  const wanted = prompt === undefined ? undefined : requestedAnimal(prompt);
  if (wanted === undefined) return animals.length > 0 ? 1 : 0;
  if (animals.includes(wanted)) return 1;
  return animals.length > 0 ? 0.25 : 0;
}

export function scoreAttribute(test: AttributeTest, text: string, prompt?: string): number {
  switch (test.kind) {
    case 'mentions':
      return mentionsWord(text, test.word) ? 1 : 0;
    case 'ending':
      return endingSentiment(text) === test.sentiment ? 1 : 0;
    case 'length': {
      const n = test.unit === 'words' ? wordCount(text) : sentenceCount(text);
      return rangeScore(n, test.min, test.max);
    }
    case 'dialogue':
      return hasDialogue(text) ? 1 : 0;
    case 'requested-animal':
      return requestedAnimalScore(text, prompt);
  }
}

function describeTest(test: AttributeTest): string {
  switch (test.kind) {
    case 'mentions':
      return `mentions "${test.word}"`;
    case 'ending':
      return `ends ${{ happy: 'happily', sad: 'sadly', open: 'open' }[test.sentiment]}`;
    case 'length':
      return `is ${test.min}–${test.max} ${test.unit} long`;
    case 'dialogue':
      return 'has dialogue';
    case 'requested-animal':
      return 'mentions the requested animal';
  }
}

/**
 * A labeler judges whole stories: text cut off before its ending gets no credit
 * (0), whatever its first sentences promised, as a person would judge it.
 */
export function makeLabeler(spec: LabelerSpec): Labeler {
  const judge = makeJudge(spec);
  return { ...judge, score: (text, prompt) => (isFinished(text) ? judge.score(text, prompt) : 0) };
}

function makeJudge(spec: LabelerSpec): Labeler {
  const checked = validateLabelerSpec(spec);
  switch (checked.kind) {
    case 'happy-ending':
      return {
        id: 'happy-ending',
        name: 'Happy ending',
        description: 'Prefers stories that end happily (1), then open endings (0.5), then sad (0).',
        score: (text) => ENDING_SCORE[endingSentiment(text)],
      };
    case 'mentions-requested-animal':
      return {
        id: 'mentions-requested-animal',
        name: 'Mentions the animal',
        description:
          'Prefers stories that name the animal the prompt asks for (1); another animal scores 0.25, none 0.',
        score: requestedAnimalScore,
      };
    case 'short-and-sweet': {
      const [min, max] = checked.targetWords;
      const falloff = checked.falloffWords ?? max;
      return {
        id: `short-and-sweet-${min}-${max}${checked.falloffWords ? `-${falloff}` : ''}`,
        name: 'Short and sweet',
        description: `Prefers stories of ${min}–${max} words (Chinese: characters); shorter ones score less, and each word over ${max} costs 1/${falloff}.`,
        score: (text) => rangeScore(wordCount(text), min, max, falloff),
      };
    }
    case 'uses-dialogue':
      return {
        id: 'uses-dialogue',
        name: 'Uses dialogue',
        description:
          'Prefers stories in which someone speaks in quotes (1) over those without (0).',
        score: (text) => (hasDialogue(text) ? 1 : 0),
      };
    case 'weighted':
      return weightedLabeler(checked.terms);
  }
}

/**
 * Σ wᵢ·tᵢ rescaled to [0, 1]: with P the sum of positive weights and N the sum of
 * |negative| ones, the raw sum lies in [−N, P], so (raw + N) / (P + N) is in [0, 1].
 */
function weightedLabeler(terms: { test: AttributeTest; weight: number }[]): Labeler {
  const positive = terms.reduce((s, t) => s + Math.max(0, t.weight), 0);
  const negative = terms.reduce((s, t) => s + Math.max(0, -t.weight), 0);
  const span = positive + negative;
  return {
    id: 'weighted',
    name: 'Weighted',
    description:
      'Weighted mix: ' + terms.map((t) => `${t.weight} × ${describeTest(t.test)}`).join(', '),
    score(text, prompt) {
      if (span === 0) return 0;
      const raw = terms.reduce((s, t) => s + t.weight * scoreAttribute(t.test, text, prompt), 0);
      return (raw + negative) / span;
    },
  };
}

// ---------------------------------------------------------------------------
// Noisy rankings

/**
 * A ranking as a noisy labeler would give it: `ranks[i]` is the place of item i,
 * 0 = best.
 *
 * temperature > 0: a Plackett–Luce sample with weights exp(score/temperature) — the
 * ranking generalisation of Bradley–Terry (P(i above j) = σ((sᵢ − sⱼ)/T)). Drawn with
 * the Gumbel-max trick: sorting sᵢ/T + Gumbel noise gives exactly a Plackett–Luce
 * permutation. Large temperatures approach a uniformly random order.
 *
 * temperature = 0: the deterministic order by score; equal scores share a place and
 * places stay consecutive (scores [1, 1, 0] → ranks [0, 0, 1]), as ties in the UI do.
 */
export function noisyRanking(scores: number[], temperature: number, rng: () => number): number[] {
  assertFiniteArray('scores', scores);
  if (typeof temperature !== 'number' || !Number.isFinite(temperature) || temperature < 0) {
    throw new ArgumentError(
      'temperature',
      `is ${String(temperature)}; expected a finite number ≥ 0`,
    );
  }
  if (temperature === 0) {
    const distinct = [...new Set(scores)].sort((a, b) => b - a);
    return scores.map((s) => distinct.indexOf(s));
  }
  const keys = scores.map((s) => {
    // rng() may return exactly 0; the Gumbel transform needs u in (0, 1).
    const u = Math.min(Math.max(rng(), Number.MIN_VALUE), 1 - Number.EPSILON);
    return s / temperature - Math.log(-Math.log(u));
  });
  const order = keys.map((_, i) => i).sort((a, b) => keys[b] - keys[a]);
  const ranks = new Array<number>(scores.length);
  order.forEach((item, place) => (ranks[item] = place));
  return ranks;
}
