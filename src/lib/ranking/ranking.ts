// The ranking a person builds for one prompt's K samples, as pure data and
// pure functions (the component only renders it and forwards input).
//
// A ranking is a list of tiers, best first; a tier with more than one sample
// is a tie. Keyboard input follows the brief: digits pick best-first, `=`
// ties the next pick with the previous one, Backspace undoes, `s` skips,
// Enter submits. Drag and drop and touch use `placeAt` / `unplace` on the same
// state, so every input method shares one undo history.
//
// `toRanks` gives the convention of src/core/preferences.ts (ranks[i] = place of sample i,
// 0 = best, equal places = a tie), which InstructGPT's loss turns into
// C(K,2) comparisons minus the tied pairs.

import { comparisonCount, ranksToTiers, tiersToRanks } from '../../core/preferences';

// The page counts comparisons through this module (ui imports lib only).
export { comparisonCount };

export const MIN_K = 2;
export const MAX_K = 9;

export interface RankingState {
  readonly k: number;
  /** Best first; each tier lists sample indices that are tied. */
  readonly tiers: readonly (readonly number[])[];
  /** `=` was pressed: the next pick joins the last tier. */
  readonly tiePending: boolean;
  /** Earlier states, most recent last (for undo). */
  readonly history: readonly Omit<RankingState, 'history'>[];
}

export interface RankingResult {
  state: RankingState;
  /** Why the action did nothing, in words for the person. */
  problem?: string;
}

export type RankingAction =
  | { type: 'pick'; sample: number }
  | { type: 'tie' }
  | { type: 'undo' }
  | { type: 'skip' }
  | { type: 'submit' };

export function checkK(k: number): number {
  if (!Number.isInteger(k) || k < MIN_K || k > MAX_K) {
    throw new RangeError(`K is ${k}; expected an integer from ${MIN_K} to ${MAX_K}`);
  }
  return k;
}

export function emptyRanking(k: number): RankingState {
  return { k: checkK(k), tiers: [], tiePending: false, history: [] };
}

/** Sample labels as the person sees them: 1-based digits. */
export const sampleLabel = (i: number) => String(i + 1);

/**
 * What to say of each written sample's text itself, or null: that it is empty
 * (the model ended its answer at once), or the first earlier sample with the
 * very same text (the model drew it twice). Ranking one copy above the other
 * teaches the reward model nothing: it scores both alike, so their pair's
 * loss has no gradient.
 */
export type SampleNote = { kind: 'empty' } | { kind: 'same'; as: number } | null;

export function sampleNotes(samples: readonly string[]): SampleNote[] {
  return samples.map((text, i) => {
    if (text.trim() === '') return { kind: 'empty' };
    const j = samples.indexOf(text);
    return j < i ? { kind: 'same', as: j } : null;
  });
}

function snapshot(s: RankingState): Omit<RankingState, 'history'> {
  return { k: s.k, tiers: s.tiers, tiePending: s.tiePending };
}

function next(s: RankingState, tiers: number[][], tiePending = false): RankingState {
  return { k: s.k, tiers, tiePending, history: [...s.history, snapshot(s)] };
}

function withoutSample(tiers: readonly (readonly number[])[], i: number): number[][] {
  return tiers.map((t) => t.filter((x) => x !== i)).filter((t) => t.length > 0);
}

export function placedSamples(s: RankingState): number[] {
  return s.tiers.flat();
}

export function unrankedSamples(s: RankingState): number[] {
  const placed = new Set(placedSamples(s));
  return Array.from({ length: s.k }, (_, i) => i).filter((i) => !placed.has(i));
}

export function isComplete(s: RankingState): boolean {
  return unrankedSamples(s).length === 0;
}

function checkSample(s: RankingState, i: number): string | undefined {
  if (!Number.isInteger(i) || i < 0 || i >= s.k) {
    return `There is no sample ${sampleLabel(i)}: the samples are numbered 1 to ${s.k}.`;
  }
  return undefined;
}

/** Places sample `i` next: below the last tier, or in it after `=`. */
export function pick(s: RankingState, i: number): RankingResult {
  const bad = checkSample(s, i);
  if (bad) return { state: s, problem: bad };
  if (placedSamples(s).includes(i)) {
    return {
      state: s,
      problem: `Sample ${sampleLabel(i)} is already ranked; Backspace undoes the last step.`,
    };
  }
  const tiers = s.tiers.map((t) => [...t]);
  if (s.tiePending && tiers.length > 0) tiers[tiers.length - 1].push(i);
  else tiers.push([i]);
  return { state: next(s, tiers) };
}

/** `=`: the next pick ties with the sample picked last. */
export function tie(s: RankingState): RankingResult {
  if (s.tiers.length === 0) {
    return { state: s, problem: 'Pick the best sample first; `=` then ties the next one with it.' };
  }
  if (isComplete(s)) return { state: s, problem: 'Every sample is ranked already.' };
  if (s.tiePending) return { state: s };
  return {
    state: next(
      s,
      s.tiers.map((t) => [...t]),
      true,
    ),
  };
}

export function undo(s: RankingState): RankingResult {
  const prev = s.history[s.history.length - 1];
  if (!prev) return { state: s, problem: 'Nothing to undo.' };
  return { state: { ...prev, history: s.history.slice(0, -1) } };
}

/**
 * Drag and drop: puts sample `i` at tier position `tier` — as a new tier
 * inserted there (`join` false), or into that tier as a tie (`join` true).
 * `tier` counts tiers after `i` is taken out of its old place.
 */
export function placeAt(s: RankingState, i: number, tier: number, join: boolean): RankingResult {
  const bad = checkSample(s, i);
  if (bad) return { state: s, problem: bad };
  const tiers = withoutSample(s.tiers, i);
  const at = Math.max(0, Math.min(tier, tiers.length));
  if (join && at < tiers.length) tiers[at] = [...tiers[at], i];
  else tiers.splice(at, 0, [i]);
  const same = JSON.stringify(tiers) === JSON.stringify(s.tiers);
  return { state: same ? s : next(s, tiers) };
}

/** Takes sample `i` out of the ranking, back among the unranked ones. */
export function unplace(s: RankingState, i: number): RankingResult {
  if (!placedSamples(s).includes(i)) return { state: s };
  return { state: next(s, withoutSample(s.tiers, i)) };
}

/** ranks[i] = tier of sample i (0 = best); null while a sample is unranked. */
export function toRanks(s: RankingState): number[] | null {
  return tiersToRanks(s.tiers, s.k);
}

/** C(K,2): the comparisons a ranking of K samples without ties gives. */
export const pairsOf = (k: number) => (k * (k - 1)) / 2;

export type SubmitCheck = { ok: true; ranks: number[] } | { ok: false; problem: string };

/**
 * Whether the ranking can be submitted. With exactly one sample left the
 * meaning is unambiguous (it is the worst), so it is placed last; with more
 * left the person is told which ones are missing and nothing is changed.
 */
export function checkSubmit(s: RankingState): SubmitCheck {
  const left = unrankedSamples(s);
  let state = s;
  // After `=`, the pick joins the previous tier: "=" then Enter ties the last two.
  if (left.length === 1) state = pick(s, left[0]).state;
  const ranks = toRanks(state);
  if (!ranks) {
    const missing = unrankedSamples(state).map(sampleLabel).join(', ');
    return {
      ok: false,
      problem: `Samples ${missing} are not ranked yet: press their digits best-first (or s to skip this prompt).`,
    };
  }
  if (comparisonCount(ranks) === 0) {
    return {
      ok: false,
      problem:
        'Every sample is tied, which gives the reward model no comparison. Rank at least two apart, or press s to skip.',
    };
  }
  return { ok: true, ranks };
}

/** The state after a successful submit with one sample left: shown briefly before the next prompt. */
export function completed(s: RankingState): RankingState {
  const left = unrankedSamples(s);
  return left.length === 1 ? pick(s, left[0]).state : s;
}

/** The keyboard shortcut for a key, or null for keys the ranking ignores. */
export function keyAction(key: string, k: number): RankingAction | null {
  if (/^[1-9]$/.test(key)) return { type: 'pick', sample: Number(key) - 1 };
  if (key === '=' || key === '+') return { type: 'tie' };
  if (key === 'Backspace' || key === 'u') return { type: 'undo' };
  if (key === 's' || key === 'S') return { type: 'skip' };
  if (key === 'Enter') return { type: 'submit' };
  if (key === 'a' || key === 'A') return k === 2 ? { type: 'pick', sample: 0 } : null;
  if (key === 'b' || key === 'B') return k === 2 ? { type: 'pick', sample: 1 } : null;
  return null;
}

/** Applies an editing action (pick, tie, undo); skip and submit are the caller's. */
export function applyAction(s: RankingState, a: RankingAction): RankingResult {
  switch (a.type) {
    case 'pick':
      return pick(s, a.sample);
    case 'tie':
      return tie(s);
    case 'undo':
      return undo(s);
    default:
      return { state: s };
  }
}

/** One-line summary such as "3 > 1 = 4 > 2" (1-based labels). */
export function describeRanking(s: RankingState): string {
  return s.tiers.map((t) => t.map(sampleLabel).join(' = ')).join(' > ');
}

/** The same summary of saved ranks. */
export function describeRanks(ranks: readonly number[]): string {
  return describeRanking({
    k: ranks.length,
    tiers: ranksToTiers(ranks),
    tiePending: false,
    history: [],
  });
}
