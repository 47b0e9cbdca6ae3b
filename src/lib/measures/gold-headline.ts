// The Optimise stage's headline: the share of answers that have the preset's
// property, as its gold labeler judges them (full marks, score ≥ 1), for the
// SFT model and then for PPO and RRHF — "Answers with a happy ending: SFT 18%
// → PPO 83% → RRHF 71%". Plain TypeScript: the words come through `tr`, so
// the page passes `t` and tests pass the catalogues.
import type { AttributeTest, LabelerSpec } from '../../core/labeler-spec';
import type { Translate } from '../i18n/format';
import type { MessageKey } from '../i18n/en';
import type { Series } from './metrics';
import { OPTIMISER_NAMES, type OptimiserKind } from '../optimisers';

export type { Translate };

/** A score at or above this is full marks: the answer has the property. */
export const FULL_MARKS = 1;

/** PPO's and RRHF's shares are the mean of this many latest iterations. */
export const RECENT_ITERATIONS = 3;

/** The clause a weighted labeler's term adds, or its negation when its weight is negative. */
function termClause(test: AttributeTest, negated: boolean, tr: Translate): string {
  const not = negated ? 'Not' : '';
  switch (test.kind) {
    case 'ending':
      return tr(`gold.term${not}.ending.${test.sentiment}` as MessageKey);
    case 'mentions':
      return tr(`gold.term${not}.mentions` as MessageKey, { word: test.word });
    case 'length':
      return tr(`gold.term${not}.length.${test.unit}` as MessageKey, {
        min: test.min,
        max: test.max,
      });
    case 'dialogue':
      return tr(`gold.term${not}.dialogue` as MessageKey);
    case 'requested-animal':
      return tr(`gold.term${not}.animal` as MessageKey);
  }
}

/** "a, b and c" in the current language. */
function joinClauses(parts: string[], tr: Translate): string {
  if (parts.length <= 1) return parts.join('');
  return parts.slice(0, -1).join(tr('gold.comma')) + tr('gold.and') + parts[parts.length - 1];
}

/**
 * What full marks from the gold labeler mean, as the name of the property a
 * preset teaches. A weighted labeler gives full marks only when every term
 * with a positive weight is met and none with a negative weight is, so its
 * name lists them all.
 */
export function propertyName(spec: LabelerSpec, tr: Translate): string {
  switch (spec.kind) {
    case 'happy-ending':
      return tr('gold.property.happy');
    case 'mentions-requested-animal':
      return tr('gold.property.animal');
    case 'short-and-sweet':
      return tr('gold.property.short', { min: spec.targetWords[0], max: spec.targetWords[1] });
    case 'uses-dialogue':
      return tr('gold.property.dialogue');
    case 'weighted': {
      // One positive term is the same property as the labeler of that one test.
      const live = spec.terms.filter((term) => term.weight !== 0);
      const one = live.length === 1 && live[0].weight > 0 ? live[0].test : null;
      if (one?.kind === 'ending' && one.sentiment === 'happy') return tr('gold.property.happy');
      if (one?.kind === 'dialogue') return tr('gold.property.dialogue');
      if (one?.kind === 'requested-animal') return tr('gold.property.animal');
      const clauses = spec.terms
        .filter((term) => term.weight !== 0)
        .map((term) => termClause(term.test, term.weight < 0, tr));
      if (clauses.length === 0) return tr('gold.property.fullMarks');
      return tr('gold.property.weighted', { terms: joinClauses(clauses, tr) });
    }
  }
}

/** What a labeler prefers, in the page's language (shown on the Rank stage). */
export function labelerDescription(spec: LabelerSpec, tr: Translate): string {
  const taste = ((): string => {
    switch (spec.kind) {
      case 'happy-ending':
        return tr('labeler.describe.happy');
      case 'mentions-requested-animal':
        return tr('labeler.describe.animal');
      case 'short-and-sweet': {
        const [min, max] = spec.targetWords;
        return tr('labeler.describe.short', { min, max, falloff: spec.falloffWords ?? max });
      }
      case 'uses-dialogue':
        return tr('labeler.describe.dialogue');
      case 'weighted': {
        const terms = spec.terms.map((term) =>
          tr('labeler.describe.term', {
            weight: term.weight,
            clause: termClause(term.test, false, tr),
          }),
        );
        return tr('labeler.describe.weighted', { terms: terms.join(tr('gold.comma')) });
      }
    }
  })();
  return `${taste} ${tr('labeler.unfinished')}`;
}

/** A share of answers with the property, and how many answers it counts. */
export interface GoldShare {
  share: number;
  answers: number;
  /** Iterations averaged (PPO, RRHF); 0 for the SFT model's own sample. */
  iterations: number;
}

/** The share over a set of gold scores (the SFT model's sample). */
export function shareOfScores(scores: readonly number[]): GoldShare | null {
  if (scores.length === 0) return null;
  const hits = scores.filter((s) => s >= FULL_MARKS).length;
  return { share: hits / scores.length, answers: scores.length, iterations: 0 };
}

/**
 * The mean of the last `last` iterations' shares (a `…/gold_share` series),
 * skipping gaps; `answersPerIteration` is the run's batch of samples.
 */
export function recentShare(
  series: Series | undefined,
  answersPerIteration: number,
  last = RECENT_ITERATIONS,
): GoldShare | null {
  const values = (series?.y ?? []).filter((v) => Number.isFinite(v)).slice(-last);
  if (values.length === 0) return null;
  return {
    share: values.reduce((a, b) => a + b, 0) / values.length,
    answers: values.length * answersPerIteration,
    iterations: values.length,
  };
}

/** A part of the headline: the SFT model, or one optimiser. */
export interface HeadlinePart {
  id: 'sft' | OptimiserKind;
  /** "SFT", "PPO", …: the same in every language. */
  model: string;
  /** null while not known yet (shown as "…"). */
  reading: GoldShare | null;
}

/** SFT, then the optimisers the mode runs, in the order the arrows read. */
export function headlineParts(
  kinds: readonly OptimiserKind[],
  readings: { sft: GoldShare | null } & Partial<Record<OptimiserKind, GoldShare | null>>,
): HeadlinePart[] {
  return [
    { id: 'sft', model: 'SFT', reading: readings.sft },
    ...kinds.map((k) => ({ id: k, model: OPTIMISER_NAMES[k], reading: readings[k] ?? null })),
  ];
}
