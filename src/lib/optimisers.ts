// The optimisers Optimise offers (PPO, RRHF, DPO, GRPO), what the page needs
// to know of each in one place, and the choice of one or two of them to run
// side by side from the same SFT start, with the string a URL, a share link
// and a saved session carry for it ("ppo", "both", "ppo,dpo").
import type { Settings } from './settings/settings';

export const OPTIMISERS = ['ppo', 'rrhf', 'dpo', 'grpo'] as const;
export type OptimiserKind = (typeof OPTIMISERS)[number];

export const OPTIMISER_NAMES: Record<OptimiserKind, string> = {
  ppo: 'PPO',
  rrhf: 'RRHF',
  dpo: 'DPO',
  grpo: 'GRPO',
};

export function isOptimiser(x: unknown): x is OptimiserKind {
  return (OPTIMISERS as readonly unknown[]).includes(x);
}

/** The prefix of each loop's gold metrics (`…/gold_mean`, `…/gold_share`) and RM score. */
const PREFIX: Record<OptimiserKind, string> = {
  ppo: 'env',
  rrhf: 'rrhf',
  dpo: 'dpo',
  grpo: 'grpo',
};

/** The gold labeler's mean score of a run's latest samples. */
export const goldMetric = (kind: OptimiserKind) => `${PREFIX[kind]}/gold_mean`;
/** The share of a run's latest samples with the preset's property. */
export const goldShareMetric = (kind: OptimiserKind) => `${PREFIX[kind]}/gold_share`;
/** The reward model's mean score of a run's samples; DPO samples only for the gold curve, unscored. */
export const rewardMetric = (kind: OptimiserKind): string | null =>
  kind === 'dpo' ? null : `${PREFIX[kind]}/reward_mean`;

/** Whether an optimiser learns from the reward model (all but DPO, which learns from the rankings). */
export const needsRewardModel = (kind: OptimiserKind) => kind !== 'dpo';

/** How many answers one iteration's gold share is taken over. */
export function answersPerIteration(kind: OptimiserKind, s: Settings): number {
  switch (kind) {
    case 'ppo':
      return s['ppo.batchSize'];
    case 'rrhf':
      return s['rrhf.batchSize'] * s['rrhf.k'];
    case 'dpo':
      // The DPO loop answers a few prompts after each step for its curves (workers/dpo-task.ts).
      return 4;
    case 'grpo':
      return s['grpo.batchSize'] * s['grpo.k'];
  }
}

/** What Optimise runs, as written in URLs and sessions: one optimiser, or two joined by a comma. */
export type OptimiseMode = string;

/** Every mode: each optimiser alone, and each pair in OPTIMISERS' order ("both" is PPO with RRHF). */
export const OPTIMISE_MODES: readonly OptimiseMode[] = [
  ...OPTIMISERS,
  'both',
  ...OPTIMISERS.flatMap((a, i) =>
    OPTIMISERS.slice(i + 1)
      .filter((b) => !(a === 'ppo' && b === 'rrhf'))
      .map((b) => `${a},${b}`),
  ),
];

/** The optimisers a mode runs, in lane order (the first trains in the main workers), or null. */
export function optimisersOf(mode: string): OptimiserKind[] | null {
  if (mode === 'both') return ['ppo', 'rrhf'];
  const kinds = mode.split(',');
  if (kinds.length > 2 || !kinds.every(isOptimiser) || new Set(kinds).size !== kinds.length) {
    return null;
  }
  return [...kinds].sort((a, b) => OPTIMISERS.indexOf(a) - OPTIMISERS.indexOf(b));
}

/** A mode written in another order ("grpo,ppo") in its usual form ("ppo,grpo"); else as it is. */
export function normaliseMode(text: string): string {
  const kinds = optimisersOf(text);
  return kinds ? modeOf(kinds) : text;
}

/** The mode that runs these one or two optimisers (order does not matter). */
export function modeOf(kinds: readonly OptimiserKind[]): OptimiseMode {
  const sorted = [...new Set(kinds)].sort((a, b) => OPTIMISERS.indexOf(a) - OPTIMISERS.indexOf(b));
  if (sorted.length === 0 || sorted.length > 2) {
    throw new RangeError(`Optimise runs one or two optimisers, not ${sorted.length}.`);
  }
  const mode = sorted.join(',');
  return mode === 'ppo,rrhf' ? 'both' : mode;
}

/**
 * The person ticks `kind` on or off: off leaves at least one; a third on
 * keeps the one ticked last (`lastTicked`) and drops the other, or, when
 * neither was ticked here (the choice came with the page), keeps the first.
 */
export function toggleOptimiser(
  chosen: readonly OptimiserKind[],
  kind: OptimiserKind,
  lastTicked: OptimiserKind | null,
): OptimiseMode {
  if (chosen.includes(kind)) {
    return chosen.length > 1 ? modeOf(chosen.filter((k) => k !== kind)) : modeOf(chosen);
  }
  if (chosen.length < 2) return modeOf([...chosen, kind]);
  const keep = lastTicked && chosen.includes(lastTicked) ? lastTicked : chosen[0];
  return modeOf([keep, kind]);
}
