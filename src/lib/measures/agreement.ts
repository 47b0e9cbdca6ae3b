// How often judges agree, over saved rankings: the share of sample pairs two
// of them order the same way (ties in either are skipped), as InstructGPT
// reports agreement between its labelers. Pure, so it is tested in Node.
import type { Labeler } from '../../core/labelers';
import { pairAgreement, totalAgreement, type Agreement } from '../../core/statistics';

export interface RankingLike {
  prompt: string;
  samples: string[];
  ranks: number[];
  by: 'person' | 'labeler';
}

export type Share = Agreement & { share: number };

export interface AgreementReport {
  /** The two labelers' (noisy) rankings of the same samples. */
  labelers: Share | null;
  /** The person's rankings against each labeler's scores. */
  personFirst: Share;
  personSecond: Share | null;
  /** The rankings a labeler made against the gold labeler's scores. */
  labelerGold: Share;
}

export interface Judges {
  first: Labeler | null;
  second: Labeler | null;
  gold: Labeler | null;
  /** A labeler's noisy ranking of one saved ranking's samples (seeded by its index). */
  rank(r: RankingLike, i: number, slot: 'first' | 'second'): number[];
}

/**
 * A labeler's scores of a ranking's samples, kept per labeler and ranking:
 * saved rankings never change and scoring is the costly part, so a report
 * redone after each new ranking scores only that one.
 */
const scored = new WeakMap<Labeler, WeakMap<RankingLike, number[]>>();
function scoresOf(l: Labeler, r: RankingLike): number[] {
  let byRanking = scored.get(l);
  if (!byRanking) scored.set(l, (byRanking = new WeakMap()));
  let s = byRanking.get(r);
  if (!s) byRanking.set(r, (s = r.samples.map((x) => l.score(x, r.prompt))));
  return s;
}

/** A person's (or labeler's) ranks against a labeler's scores, over many rankings. */
export function againstScores(rankings: readonly RankingLike[], l: Labeler | null): Share {
  if (!l) return totalAgreement([]);
  return totalAgreement(rankings.map((r) => pairAgreement(r.ranks, scoresOf(l, r), [false, true])));
}

export function agreementReport(rankings: readonly RankingLike[], j: Judges): AgreementReport {
  const people = rankings.filter((r) => r.by === 'person');
  return {
    labelers:
      j.first && j.second
        ? totalAgreement(
            rankings.map((r, i) => pairAgreement(j.rank(r, i, 'first'), j.rank(r, i, 'second'))),
          )
        : null,
    personFirst: againstScores(people, j.first),
    personSecond: j.second ? againstScores(people, j.second) : null,
    labelerGold: againstScores(
      rankings.filter((r) => r.by === 'labeler'),
      j.gold,
    ),
  };
}
