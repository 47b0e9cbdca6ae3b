/**
 * The preference record: one prompt's K answers and how a person (or a
 * simulated labeler) judged them. It is the one shape a ranking keeps from the
 * ranking board to the reward model's trainer — as text on the page and in the
 * reward worker's API (`Preference`), as token ids inside the trainer
 * (`Preference<number[]>`) — and this file holds every conversion into and out
 * of it: the board's tiers, 1–7 grades, scores, pairs, the saved row.
 *
 * Ranks follow src/core's convention (InstructGPT, Ouyang et al. 2022):
 * ranks[i] is answer i's place, 0 = best; equal places are a tie and give no
 * comparison, so a ranking of K answers gives C(K,2) pairs minus the tied ones.
 * Pure TypeScript: the page, the workers and the scripts share it.
 */
import { ArgumentError, assertFiniteArray, assertNonEmpty } from './errors';

interface PreferenceBase<T> {
  prompt: T;
  /** The K answers, in the order they were shown. */
  completions: T[];
  /**
   * How many of the last completions were added, not judged by a person (cut-off
   * answers, src/core/cut-off.ts): they train the reward model but count in no
   * accuracy and no held-out measure.
   */
  added?: number;
}

/**
 * One judgement of one prompt's answers: ranked (`ranks`), graded (`grades`:
 * direct-score targets in [0, 1], higher is better), or both (a graded ranking,
 * whose ranks follow its grades). A record with grades only ranks by them.
 * `T` is a text (string) or its token ids (number[]).
 */
export type Preference<T = string> = PreferenceBase<T> &
  ({ ranks: number[]; grades?: number[] } | { ranks?: undefined; grades: number[] });

/** A preference with ranks, as every ranking the page saves is (graded ones too). */
export type RankedPreference<T = string> = Preference<T> & { ranks: number[] };

/**
 * A preference as it is saved (IndexedDB rows, session files): the answers
 * under `samples` and the person's own 1–7 grades. Rows saved by every earlier
 * version have this shape, so it does not change; `preferenceFromRow` reads it.
 */
export interface PreferenceRow {
  prompt: string;
  /** The K completions in the order they were shown. */
  samples: string[];
  /** ranks[i] = place of samples[i], 0 = best; equal places are ties. */
  ranks: number[];
  /** 1–7 grades, when the samples were graded rather than ranked (`ranks` then follows them). */
  grades?: number[];
}

/** The saved row as the reward model reads it (arrays copied: the page's may be Svelte proxies). */
export function preferenceFromRow(r: PreferenceRow): RankedPreference {
  return {
    prompt: r.prompt,
    completions: [...r.samples],
    ranks: [...r.ranks],
    ...(r.grades ? { grades: r.grades.map(gradeToTarget) } : {}),
  };
}

/** ranks[i] = tier of sample i (0 = best) for tiers listed best first; null while a sample of the K is in none. */
export function tiersToRanks(tiers: readonly (readonly number[])[], k: number): number[] | null {
  const ranks = new Array<number | null>(k).fill(null);
  tiers.forEach((t, place) => t.forEach((i) => (ranks[i] = place)));
  return ranks.every((r) => r !== null) ? (ranks as number[]) : null;
}

/** The tiers of a ranking, best first, each listing its tied samples in index order. */
export function ranksToTiers(ranks: readonly number[]): number[][] {
  return [...new Set(ranks)]
    .sort((a, b) => a - b)
    .map((place) => ranks.flatMap((r, i) => (r === place ? [i] : [])));
}

/**
 * Ranks from scores or grades (higher is better): a sample's place is how many
 * score strictly higher, so equal scores tie. The page's grading and the
 * reward model's graded records both rank by it.
 */
export function ranksFromScores(scores: readonly number[]): number[] {
  assertFiniteArray('scores', scores);
  return scores.map((g) => scores.filter((h) => h > g).length);
}

/** A 1–7 grade as the direct-score objective's target in [0, 1]. */
export function gradeToTarget(grade: number): number {
  if (!Number.isInteger(grade) || grade < 1 || grade > 7) {
    throw new ArgumentError('grade', `is ${grade}; expected an integer from 1 to 7`);
  }
  return (grade - 1) / 6;
}

/** Ranks → targets in [0, 1] for the direct-score objective (best 1, worst 0, places evenly between). */
export function ranksToGrades(ranks: readonly number[]): number[] {
  const worst = Math.max(...ranks);
  return ranks.map((r) => (worst === 0 ? 1 : (worst - r) / worst));
}

/** The record's ranks: its own, or its grades' order. */
export function ranksOf<T>(p: Preference<T>): number[] {
  return p.ranks !== undefined ? p.ranks : ranksFromScores(p.grades);
}

/** What the direct-score objective regresses on: the grades, or targets from the ranks. */
export function directTargets<T>(p: Preference<T>): number[] {
  return p.grades ?? ranksToGrades(p.ranks!);
}

/**
 * All [better, worse] index pairs of a ranking: `ranks[i]` is completion i's
 * place (0 = best; equal places are ties and give no pair). Pairs are ordered by
 * the lower index i, then the higher index j.
 */
export function rankingToPairs(ranks: readonly number[]): [number, number][] {
  assertNonEmpty('ranks', ranks);
  assertFiniteArray('ranks', ranks);
  const pairs: [number, number][] = [];
  for (let i = 0; i < ranks.length; i++) {
    for (let j = i + 1; j < ranks.length; j++) {
      if (ranks[i] < ranks[j]) pairs.push([i, j]);
      else if (ranks[j] < ranks[i]) pairs.push([j, i]);
    }
  }
  return pairs;
}

/** Comparisons a ranking gives the reward model: pairs at different places (ties give none). */
export function comparisonCount(ranks: readonly number[]): number {
  let n = 0;
  for (let i = 0; i < ranks.length; i++) {
    for (let j = i + 1; j < ranks.length; j++) if (ranks[i] !== ranks[j]) n++;
  }
  return n;
}

/** The record as the person judged it: without its added completions. */
export function rankedOnly<P extends Preference<unknown>>(p: P): P {
  if (p.ranks === undefined || !p.added) return p;
  const k = p.completions.length - p.added;
  return { ...p, completions: p.completions.slice(0, k), ranks: p.ranks.slice(0, k), added: 0 };
}

/** Why a record cannot be learned from, or null when it can. */
export function preferenceProblem<T>(p: Preference<T>): string | null {
  const n = p.completions.length;
  if (n < 2) return `has ${n} completion(s); at least 2 are needed`;
  const added = p.ranks !== undefined ? (p.added ?? 0) : 0;
  if (!Number.isInteger(added) || added < 0 || added > n - 2) {
    return `says ${added} completions were added; expected an integer from 0 to ${n - 2}`;
  }
  const labels = p.ranks !== undefined ? p.ranks : p.grades;
  if (labels.length !== n) {
    return `has ${n} completions but ${labels.length} ${p.ranks !== undefined ? 'ranks' : 'grades'}`;
  }
  if (p.grades && p.grades.length !== n) {
    return `has ${n} completions but ${p.grades.length} grades`;
  }
  return null;
}

/** Throws an ArgumentError naming `name` and the first record that cannot be learned from. */
export function checkPreferences<T>(name: string, records: readonly Preference<T>[]): void {
  assertNonEmpty(name, records);
  records.forEach((p, i) => {
    const problem = preferenceProblem(p);
    if (problem) throw new ArgumentError(name, `group ${i} ${problem}`);
  });
}
