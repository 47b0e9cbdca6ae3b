// Merging rankings from several sessions (or files) into one reward-model
// training set. A ranking is the same ranking when the prompt, the
// completions and the ranks are: merging twice, or merging a session into
// itself, adds nothing, and nothing already there is ever replaced.

export interface RankingLike {
  presetId: string;
  prompt: string;
  samples: string[];
  ranks: number[];
  grades?: number[];
}

/** Identity of a ranking's content (not of its row: ids and dates differ between sessions). */
export function rankingKey(r: RankingLike): string {
  return JSON.stringify([r.presetId, r.prompt, r.samples, r.ranks, r.grades ?? null]);
}

export interface MergeResult<T> {
  /** Rows to add, in the order met, each once. */
  added: T[];
  /** Rows left out because an equal one is already there (or earlier in the sources). */
  duplicates: number;
}

/** What to add to `existing` so it holds every distinct ranking of `sources` too. */
export function mergeRankings<T extends RankingLike>(
  existing: readonly RankingLike[],
  sources: readonly (readonly T[])[],
): MergeResult<T> {
  const seen = new Set(existing.map(rankingKey));
  const added: T[] = [];
  let duplicates = 0;
  for (const source of sources) {
    for (const r of source) {
      const key = rankingKey(r);
      if (seen.has(key)) duplicates++;
      else {
        seen.add(key);
        added.push(r);
      }
    }
  }
  return { added, duplicates };
}

/** Same for demonstrations: equal when preset, prompt and response are. */
export function mergeDemonstrations<
  T extends { presetId: string; prompt: string; response: string },
>(
  existing: readonly { presetId: string; prompt: string; response: string }[],
  incoming: readonly T[],
): MergeResult<T> {
  const key = (d: { presetId: string; prompt: string; response: string }) =>
    JSON.stringify([d.presetId, d.prompt, d.response]);
  const seen = new Set(existing.map(key));
  const added: T[] = [];
  let duplicates = 0;
  for (const d of incoming) {
    if (seen.has(key(d))) duplicates++;
    else {
      seen.add(key(d));
      added.push(d);
    }
  }
  return { added, duplicates };
}
