/**
 * Cut-off answers for the reward model: a person who ranks never sees an
 * answer that stops mid-sentence (the ranking queue samples whole answers),
 * yet PPO finds such answers at once when the reward model happens to like
 * their first words (zh-micro stopped after three characters, "一只叫", which
 * the reward model scored above whole stories). Each ranking therefore gains
 * its best answer cut off halfway and a quarter of the way, ranked below
 * every whole answer: an unfinished story is worse than any finished one, as
 * the gold labelers judge (`isFinished`). The added answers train the reward
 * model but never count in its accuracy. The `rm.cutOff` setting turns this
 * on; it is off by default because on the default lesson it cost RRHF its
 * lift while lifting PPO further (docs/lessons.md).
 */
import { isFinished } from './story-ending';
import type { Preference, RankedPreference } from './preferences';

/** Where answers are cut, as shares of the best answer's characters. */
export const CUT_OFF_SHARES = [0.5, 0.25] as const;

/**
 * `text` cut to about `share` of its characters, moved earlier until it does
 * not end a sentence (or end on a space); null when no such cut leaves at
 * least one character.
 */
export function cutOffAnswer(text: string, share: number): string | null {
  const chars = Array.from(text);
  for (let n = Math.max(1, Math.floor(chars.length * share)); n >= 1; n--) {
    const cut = chars.slice(0, n).join('');
    if (cut.trim() !== cut || cut.length === 0) continue;
    if (!isFinished(cut) && cut !== text) return cut;
  }
  return null;
}

/**
 * The group with its best answer's cut-off versions appended, tied with each
 * other below every ranked answer; `added` says how many were appended (the
 * reward model leaves them out of its accuracy). A group whose best answer is
 * already unfinished, or too short to cut, comes back with `added: 0`.
 */
export function withCutOffAnswers<G extends RankedPreference>(g: G): G & { added: number } {
  const best = g.ranks.indexOf(Math.min(...g.ranks));
  if (best < 0 || !isFinished(g.completions[best])) return { ...g, added: 0 };
  const text = g.completions[best];
  const cuts = [
    ...new Set(CUT_OFF_SHARES.map((s) => cutOffAnswer(text, s)).filter((c) => c !== null)),
  ].filter((c) => !g.completions.includes(c));
  const last = Math.max(...g.ranks) + 1;
  // Grades, if any, would no longer cover every completion: the ranks carry the order.
  const { grades: _grades, ...ranked } = g;
  const out = {
    ...ranked,
    completions: [...g.completions, ...cuts],
    ranks: [...g.ranks, ...cuts.map(() => last)],
    added: cuts.length,
  };
  return out as G & { added: number };
}

/**
 * Records as the reward model trains on them: with `on`, every ranked record
 * gains its cut-off answers (`withCutOffAnswers`); records graded only, and
 * every record with `on` false, are returned as they are.
 */
export function withCutOffAnswersIf<G extends Preference>(
  groups: G[],
  on: boolean | undefined,
): G[] {
  if (!on) return groups;
  return groups.map((g) =>
    g.ranks !== undefined ? withCutOffAnswers(g as G & RankedPreference) : g,
  );
}
