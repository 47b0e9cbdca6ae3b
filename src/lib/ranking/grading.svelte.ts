// Direct score or ranking? InstructGPT asks labelers to rank, not to grade,
// because rankings agree better between labelers. Here the person (or two
// simulated labelers who share a taste but not a calibration: one lenient,
// one harsh) grades samples 1–7 instead of ranking them; every graded group
// is also a ranking (its grades in order). Both reward-model objectives are
// then trained from the same SFT start on the same samples — pairwise on the
// order, direct on the grades — and compared on held-out pairs ordered by the
// gold labeler.
import { errorMessage } from '../../core/errors';
import { rewardLoopSettings } from '../settings/run-settings';
import {
  labelGroup,
  pairAgreement,
  totalAgreement,
  type Agreement,
  type Grader,
} from '../../core/statistics';
import { ranksFromScores } from '../../core/preferences';
import { mulberry32 } from '../../core/random';
import { splitHeldout, trainingPreferences } from '../stages/reward-data';
import type { Labeler } from '../../core/labelers';
import type { ModelLanes } from '../bridge/lanes';
import type { StoredRanking } from '../persistence/storage';
import type { Settings } from '../settings/settings';
import type { TrainingRun } from '../stages/training-run.svelte';
import type { RankItem } from './rank-queue';
import type { RaterSlot } from './raters.svelte';
import { t } from '../i18n/index.svelte';

export type InputMode = 'rank' | 'grade';

/** The same taste, calibrated differently (InstructGPT's labelers disagreed on scale more than on order). */
export const GRADERS: readonly Grader[] = [
  { noise: 0.15, offset: 0.2 },
  { noise: 0.15, offset: -0.2 },
];

export interface ObjectiveResult {
  accuracy: number;
  pairs: number;
}

export interface Comparison {
  pairwise: ObjectiveResult;
  direct: ObjectiveResult;
  train: number;
  heldout: number;
}

/** What grading uses of the page: the ranking session, the simulated labelers and the workers. */
export interface GradingPage {
  readonly workers: ModelLanes | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly settings: Settings;
  readonly labeler: Labeler | null;
  readonly ranking: {
    readonly rankings: StoredRanking[];
    start(): Promise<void>;
    waitForCurrent(): Promise<RankItem | null>;
    submit(ranks: number[], by?: 'person' | 'labeler', grades?: number[]): Promise<string | null>;
  };
  readonly raters: { labeler(slot: RaterSlot): Labeler | null };
  readonly sft: { fix(): Promise<void> };
  readonly rm: { readonly run: TrainingRun };
  readonly optimise: { readonly active: boolean };
  readonly live: { readonly active: boolean };
}

export class Grading {
  /** How the Rank stage asks for judgements. */
  mode: InputMode = $state('rank');
  /** The two simulated labelers on the same groups: agreement of their rankings and grades. */
  agreement: { rankings: Agreement[]; grades: Agreement[]; same: number; total: number } = $state({
    rankings: [],
    grades: [],
    same: 0,
    total: 0,
  });
  busy = $state(false);
  comparison: Comparison | null = $state.raw(null);
  problem: string | null = $state(null);
  private seed = 1;

  constructor(private readonly pg: GradingPage) {}

  /** Graded groups saved so far. */
  get graded(): number {
    return this.pg.ranking.rankings.filter((r) => r.grades).length;
  }

  get labelerAgreement() {
    const a = this.agreement;
    return {
      rankings: totalAgreement(a.rankings),
      grades: totalAgreement(a.grades),
      sameGrade: a.total > 0 ? a.same / a.total : NaN,
    };
  }

  /** Saves the person's 1–7 grades of the prompt on screen (its ranking follows them). */
  submitGrades(grades: number[]): Promise<string | null> {
    return this.pg.ranking.submit(ranksFromScores(grades), 'person', grades);
  }

  /**
   * Two simulated labelers grade the next `n` prompts; each prompt is kept
   * with the grades (and order) of one of them, taking turns, as a crowd
   * would; both labelers' answers count toward their agreement.
   */
  async labelersGrade(n: number): Promise<void> {
    const session = this.pg.ranking;
    const taste = this.pg.raters.labeler('first');
    if (!taste || this.busy) return;
    this.busy = true;
    this.problem = null;
    try {
      await session.start();
      for (let i = 0; i < n; i++) {
        const item = await session.waitForCurrent();
        if (!item) throw new Error(t('problem.samples'));
        const scores = item.samples.map((s) => taste.score(s, item.prompt));
        const rng = this.nextRng();
        const said = GRADERS.map((g) => labelGroup(scores, g, rng));
        const a = this.agreement;
        a.rankings.push(pairAgreement(said[0].ranks, said[1].ranks));
        a.grades.push(pairAgreement(said[0].grades, said[1].grades, [true, true]));
        a.same += said[0].grades.filter((g, j) => g === said[1].grades[j]).length;
        a.total += scores.length;
        const who = this.graded % 2;
        const problem = await session.submit(said[who].ranks, 'labeler', said[who].grades);
        if (problem) throw new Error(problem);
      }
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }

  private nextRng(): () => number {
    return mulberry32(7919 * this.seed++);
  }

  blockers(): string[] {
    const out: string[] = [];
    if (!this.pg.ready) out.push(t('problem.noModel'));
    if (this.pg.rm.run.active || this.pg.optimise.active || this.pg.live.active) {
      out.push(t('problem.comparisonBusy'));
    }
    if (this.graded < 4) out.push(t('problem.gradeMore'));
    return out;
  }

  /** Trains both objectives on the graded groups and measures each on held-out pairs. */
  async compare(): Promise<void> {
    const workers = this.pg.workers;
    if (!workers || this.busy || this.blockers().length > 0) return;
    this.busy = true;
    this.problem = null;
    try {
      await this.pg.sft.fix();
      const groups = trainingPreferences(this.pg.ranking.rankings.filter((r) => r.grades));
      const { train, heldout } = splitHeldout(
        groups,
        Math.max(this.pg.settings['rm.heldoutShare'], 0.25),
      );
      // Held-out pairs in the gold labeler's order: which objective learned the taste?
      const gold = this.pg.labeler;
      const truth = heldout
        .map((g) => ({
          ...g,
          ranks: gold
            ? ranksFromScores(g.completions.map((c) => gold.score(c, g.prompt)))
            : g.ranks,
        }))
        .filter((g) => g.ranks.some((r) => r !== g.ranks[0]));
      if (truth.length === 0) throw new Error(t('problem.allEqual'));
      const s = this.pg.settings;
      const settings = rewardLoopSettings(s, this.pg.seed);
      const trial = (objective: 'pairwise' | 'direct') =>
        workers.trialRewardModel(
          train,
          truth,
          { ...settings, objective },
          { onMetrics: () => undefined },
        );
      const pairwise = await trial('pairwise');
      const direct = await trial('direct');
      this.comparison = {
        pairwise: { accuracy: pairwise.accuracy, pairs: pairwise.pairs },
        direct: { accuracy: direct.accuracy, pairs: direct.pairs },
        train: train.length,
        heldout: truth.length,
      };
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.busy = false;
    }
  }
}
