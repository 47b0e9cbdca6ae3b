// Live mode's measures of the reward model as it learns: how well it orders
// new samples before it trains on their ranking, and its accuracy on a fixed
// probe (the policy's samples on the held-out prompts as live mode begins),
// both against the preset's gold labeler.
import type { Labeler } from '../../core/labelers';
import { pairAgreement } from '../../core/statistics';

/** The reward model's scoring call (the reward worker's `score`). */
export interface RewardScorer {
  score(items: { prompt: string; response: string }[]): Promise<number[]>;
}

/** One held-out prompt of the probe: fixed samples with their gold scores. */
export interface ProbeGroup {
  prompt: string;
  texts: string[];
  gold: number[];
}

export function probeGroups(prompts: string[], texts: string[][], labeler: Labeler): ProbeGroup[] {
  return prompts.map((prompt, i) => ({
    prompt,
    texts: texts[i],
    gold: texts[i].map((text) => labeler.score(text, prompt)),
  }));
}

/**
 * The share of pairs of `completions` the reward model orders as the gold
 * labeler does (ties skipped); null when the labeler orders no pair.
 */
export async function freshAccuracy(
  scorer: RewardScorer,
  labeler: Labeler,
  prompt: string,
  completions: string[],
): Promise<number | null> {
  const rm = await scorer.score(completions.map((response) => ({ prompt, response })));
  const gold = completions.map((c) => labeler.score(c, prompt));
  const a = pairAgreement(rm, gold, [true, true]);
  return a.pairs === 0 ? null : a.same / a.pairs;
}

/**
 * The reward model's accuracy on the probe: over the pairs the gold labeler
 * orders, 1 when the reward model orders them alike, ½ when it ties them
 * (so an untrained reward model, which ties everything, scores chance);
 * null when the labeler orders no pair.
 */
export async function probeAccuracy(
  scorer: RewardScorer,
  probe: ProbeGroup[],
): Promise<number | null> {
  const items = probe.flatMap((g) => g.texts.map((response) => ({ prompt: g.prompt, response })));
  const scores = await scorer.score(items);
  let credit = 0;
  let pairs = 0;
  let offset = 0;
  for (const g of probe) {
    const r = scores.slice(offset, offset + g.texts.length);
    offset += g.texts.length;
    const strict = pairAgreement(r, g.gold, [true, true]);
    const ordered = pairAgreement(g.gold, g.gold, [true, true]).pairs;
    credit += strict.same + 0.5 * (ordered - strict.pairs);
    pairs += ordered;
  }
  return pairs > 0 ? credit / pairs : null;
}
