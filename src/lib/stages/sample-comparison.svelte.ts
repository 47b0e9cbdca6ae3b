// The Optimise stage's "samples that show change": the current policies of
// the optimisers beside the SFT model on a few fixed held-out prompts, all sampled
// with one seed (common random numbers), each answer scored by the reward
// model and the preset's gold labeler; and the SFT model's gold share, the
// start of the stage's headline. Refreshes queue up one at a time.
import { errorMessage } from '../../core/errors';
import type { Labeler } from '../../core/labelers';
import type { Preset } from '../../core/presets';
import type { Lane, ModelLanes } from '../bridge/lanes';
import { OPTIMISERS, type OptimiserKind } from '../optimisers';
import { sampleTexts, type SamplingOptions } from '../bridge/sampling';
import { shareOfScores, type GoldShare } from '../measures/gold-headline';
import type { ScoredText } from '../measures/scored-text';
import { rankSampling } from '../settings/run-settings';
import type { Settings } from '../settings/settings';
import type { TrainingRun } from './training-run.svelte';
import { t } from '../i18n/index.svelte';

/** One fixed prompt of the "samples that show change" panel. */
export type CompareRow = { prompt: string } & Record<'sft' | OptimiserKind, ScoredText | null>;

/** A row with no answers yet. */
const emptyRow = (prompt: string): CompareRow => ({
  prompt,
  sft: null,
  ppo: null,
  rrhf: null,
  dpo: null,
  grpo: null,
});

/** What the panel uses of the page. */
export interface SampleComparisonPage {
  readonly workers: ModelLanes | null;
  readonly preset: Preset | null;
  readonly labeler: Labeler | null;
  readonly seed: number;
  readonly settings: Settings;
  readonly rm: { readonly ready: boolean };
  say(text: string, kind?: 'info' | 'problem'): void;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
  samplingOptions(k?: number, seed?: number): SamplingOptions;
  scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]>;
}

/** What the panel asks the optimisers: their runs, and which lane holds which policy. */
export interface Optimisers {
  runOf(kind: OptimiserKind): TrainingRun;
  laneOf(kind: OptimiserKind): Lane;
  holds(lane: Lane): string | null;
}

/** How many fixed prompts the comparison panel shows. */
export const COMPARE_PROMPTS = 3;
/** Answers per training prompt in the SFT model's gold share. */
const SFT_GOLD_ANSWERS = 2;

export class SampleComparison {
  compare: CompareRow[] = $state([]);
  compareBusy = $state(false);
  /**
   * Share of the SFT model's answers to the training prompts (the ones PPO
   * and RRHF train on) that the gold labeler gives full marks; null until an
   * optimiser first starts from this SFT model.
   */
  sftGold: GoldShare | null = $state.raw(null);
  private compareChain: Promise<void> = Promise.resolve();
  /** Kinds waiting in `compareChain` (plain: nothing renders it). */
  private compareQueued: OptimiserKind[] = [];
  /** The panel's sampling seed: the same for every model, a new one on each Refresh. */
  private compareSeed = 5;

  constructor(
    private readonly pg: SampleComparisonPage,
    private readonly optimisers: Optimisers,
  ) {}

  /** A new SFT or base model: nothing on the panel is current. */
  clear(): void {
    this.compare = [];
    this.sftGold = null;
  }

  /** An optimiser was reset: its column empties. */
  forget(kind: OptimiserKind): void {
    this.compare = this.compare.map((r) => ({ ...r, [kind]: null }));
  }

  /** A new reward model: the panel's texts stay, scored again by it. */
  onNewRewardModel(): Promise<void> {
    this.compareChain = this.compareChain.then(() => this.rescoreCompare());
    return this.compareChain;
  }

  /** The fixed prompts of the panel: the first held-out ones. */
  get comparePrompts(): string[] {
    return this.pg.preset?.heldoutPrompts.slice(0, COMPARE_PROMPTS) ?? [];
  }

  /** Common random numbers: every model samples with the same seed. */
  private compareOptions(): SamplingOptions {
    return this.pg.samplingOptions(2, this.compareSeed);
  }

  /** The main lane is free for sampling the SFT model: no optimiser loop holds it. */
  private mainLaneFree(): boolean {
    return !OPTIMISERS.some(
      (k) => this.optimisers.runOf(k).active && this.optimisers.laneOf(k) === 'main',
    );
  }

  private rows(): CompareRow[] {
    const prompts = this.comparePrompts;
    if (this.compare.length === prompts.length) return this.compare;
    return prompts.map(emptyRow);
  }

  /** The SFT model's answers, once per SFT model and seed (call under the model lock). */
  async sampleSftCompare(): Promise<void> {
    const workers = this.pg.workers;
    if (!workers || (this.compare.length > 0 && this.compare.every((r) => r.sft))) return;
    if (!workers.sft || !this.mainLaneFree()) return;
    const prompts = this.comparePrompts;
    try {
      const texts = await workers.withPolicy('sft', (p) =>
        sampleTexts(p, prompts, this.compareOptions()),
      );
      const scored = await this.pg.scoreTexts(
        prompts,
        texts.map((t) => t[0]),
      );
      this.compare = this.rows().map((r, i) => ({ ...r, sft: scored[i] }));
    } catch (e) {
      this.pg.say(t('notice.sampleSftFailed', { reason: errorMessage(e) }), 'problem');
    }
  }

  /**
   * The SFT model's gold share: each training prompt answered twice with the
   * page's sampling settings, scored by the gold labeler (full marks = the
   * preset's property holds). Once per SFT model; call under the model lock,
   * while no optimiser holds the main lane (SFT is sampled there).
   */
  async sampleSftGold(): Promise<void> {
    const { workers, labeler, preset } = this.pg;
    if (!workers || !labeler || !preset || this.sftGold || !this.mainLaneFree()) return;
    const prompts = preset.prompts;
    try {
      const opts = { ...rankSampling(this.pg.settings, SFT_GOLD_ANSWERS), seed: this.pg.seed + 20 };
      const texts = await workers.withPolicy('sft', (p) => sampleTexts(p, prompts, opts));
      this.sftGold = shareOfScores(
        texts.flatMap((answers, i) => answers.map((text) => labeler.score(text, prompts[i]))),
      );
    } catch (e) {
      this.pg.say(t('notice.sampleSftGoldFailed', { reason: errorMessage(e) }), 'problem');
    }
  }

  /**
   * The Refresh button: new answers from every model on the panel, all with
   * one new seed (the SFT column too, unless an optimiser holds its lane).
   */
  refreshAll(): Promise<void> {
    this.compareChain = this.compareChain.then(async () => {
      this.compareSeed++;
      this.compare = this.rows().map((r) => emptyRow(r.prompt));
      await this.pg.withModels(() => this.sampleSftCompare());
    });
    return this.refreshCompare();
  }

  /** Scores the panel's texts again (a new reward model). */
  private async rescoreCompare(): Promise<void> {
    const prompts = this.comparePrompts;
    if (!this.pg.workers || !this.pg.rm.ready || this.compare.length !== prompts.length) return;
    try {
      for (const kind of ['sft', ...OPTIMISERS] as const) {
        const cells = this.compare.map((r) => r[kind]);
        if (cells.some((c) => c === null)) continue;
        const scored = await this.pg.scoreTexts(
          prompts,
          cells.map((c) => c!.text),
        );
        this.compare = this.compare.map((r, i) => ({ ...r, [kind]: scored[i] }));
      }
    } catch (e) {
      this.pg.say(t('notice.scoreComparisonFailed', { reason: errorMessage(e) }), 'problem');
    }
  }

  /**
   * Samples the optimisers' current policies on the fixed prompts, and the SFT
   * model where its column is empty. Refreshes queue up, one at a time; a
   * kind already waiting is not queued twice.
   */
  refreshCompare(kinds: readonly OptimiserKind[] = OPTIMISERS): Promise<void> {
    const fresh = kinds.filter((k) => !this.compareQueued.includes(k));
    if (fresh.length === 0) return this.compareChain;
    this.compareQueued.push(...fresh);
    this.compareBusy = true;
    this.compareChain = this.compareChain.then(async () => {
      this.compareQueued = this.compareQueued.filter((k) => !fresh.includes(k));
      if (this.rows().some((r) => !r.sft)) await this.pg.withModels(() => this.sampleSftCompare());
      await this.sampleCompare(fresh);
      this.compareBusy = this.compareQueued.length > 0;
    });
    return this.compareChain;
  }

  private async sampleCompare(kinds: OptimiserKind[]): Promise<void> {
    const workers = this.pg.workers;
    if (!workers) return;
    const prompts = this.comparePrompts;
    try {
      for (const kind of kinds) {
        const lane = this.optimisers.laneOf(kind);
        if (this.optimisers.runOf(kind).step === 0 || this.optimisers.holds(lane) !== kind)
          continue;
        const { policy } = await workers.lane(lane);
        const texts = await sampleTexts(policy, prompts, this.compareOptions());
        const scored = await this.pg.scoreTexts(
          prompts,
          texts.map((t) => t[0]),
        );
        this.compare = this.rows().map((r, i) => ({ ...r, [kind]: scored[i] }));
      }
    } catch (e) {
      this.pg.say(t('notice.sampleComparisonFailed', { reason: errorMessage(e) }), 'problem');
    }
  }
}
