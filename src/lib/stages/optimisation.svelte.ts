// Optimise: PPO, RRHF, DPO or GRPO, alone or two side by side from the same
// SFT start (the second then runs in a second pair of workers, the 'side'
// lane); all but DPO learn from the reward model, DPO from the rankings. And the panel of samples that show the change: the current policies
// beside the SFT model on a few fixed held-out prompts, each scored by the
// reward model and by the preset's gold labeler; and the SFT model's share of
// answers with the preset's property, the start of the stage's headline.
import { errorMessage } from '../../core/errors';
import type { Lane } from '../bridge/lanes';
import {
  OPTIMISERS,
  OPTIMISER_NAMES,
  needsRewardModel,
  optimisersOf,
  type OptimiseMode,
  type OptimiserKind,
} from '../optimisers';
import type { SamplingOptions } from '../bridge/sampling';
import type { ModelLanes } from '../bridge/lanes';
import type { Labeler } from '../../core/labelers';
import type { Preset } from '../../core/presets';
import type { MetricLog } from '../measures/metrics';
import type { ScoredText } from '../measures/scored-text';
import type { Settings } from '../settings/settings';
import { optimiserRequest, type RankedGroup } from '../settings/run-settings';
import type { StoredRanking } from '../persistence/storage';
import { trainingPreferences } from './reward-data';
import { SampleComparison } from './sample-comparison.svelte';
import { TrainingRun, startSingleStep } from './training-run.svelte';
import { t } from '../i18n/index.svelte';
import type { SettingsEditor } from '../settings/settings-editor.svelte';

/** What Optimise uses of the page. */
export interface OptimisationPage {
  readonly workers: ModelLanes | null;
  readonly preset: Preset | null;
  readonly labeler: Labeler | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly settings: Settings;
  readonly metrics: MetricLog;
  readonly rm: { readonly ready: boolean };
  readonly ranking: { readonly rankings: StoredRanking[] };
  readonly sft: { fix(): Promise<void> };
  readonly pretraining: { load(): Promise<void>; mixText(): string };
  readonly settingsEditor: Pick<SettingsEditor, 'blockers'>;
  say(text: string, kind?: 'info' | 'problem'): void;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
  samplingOptions(k?: number, seed?: number): SamplingOptions;
  scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]>;
}

/** The comparison panel refreshes every this many iterations. */
const COMPARE_EVERY = 10;

export class Optimisation {
  /** Each optimiser's run: its status, steps and curves. */
  readonly runs: Record<OptimiserKind, TrainingRun>;
  mode: OptimiseMode = $state('both');
  /**
   * The optimiser live mode runs, in the main lane whatever the mode (the
   * ranking queue samples the main lane); the person's choice of mode stays.
   */
  liveKind: OptimiserKind | null = $state(null);
  /** The panel of samples that show change, and the SFT model's gold share. */
  readonly samples: SampleComparison;
  /** Each optimiser's latest weights, kept when its lane is given to something else. */
  readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>> = {};
  /** What each lane's policy holds now. */
  private lanes: Record<Lane, 'base' | 'sft' | OptimiserKind | null> = { main: null, side: null };

  constructor(private readonly pg: OptimisationPage) {
    this.runs = {
      ppo: new TrainingRun('ppo', pg.metrics),
      rrhf: new TrainingRun('rrhf', pg.metrics),
      dpo: new TrainingRun('dpo', pg.metrics),
      grpo: new TrainingRun('grpo', pg.metrics),
    };
    this.samples = new SampleComparison(pg, {
      runOf: (kind) => this.runOf(kind),
      laneOf: (kind) => this.laneOf(kind),
      holds: (lane) => this.lanes[lane],
    });
  }

  /** The policy's main lane holds the SFT model (the ranking queue and samples draw from it). */
  get mainHoldsSft(): boolean {
    return this.lanes.main === 'sft';
  }

  runOf(kind: OptimiserKind): TrainingRun {
    return this.runs[kind];
  }

  get ppo(): TrainingRun {
    return this.runs.ppo;
  }

  get rrhf(): TrainingRun {
    return this.runs.rrhf;
  }

  get active(): boolean {
    return OPTIMISERS.some((k) => this.runs[k].active);
  }

  /** Optimiser steps so far, all runs together (the policy's version). */
  get stepsTaken(): number {
    return OPTIMISERS.reduce((n, k) => n + this.runs[k].step, 0);
  }

  /** Settings may change: no optimiser runs, or those that do are paused. */
  get editable(): boolean {
    return OPTIMISERS.every((k) => this.runs[k].editable);
  }

  /** The optimisers the mode runs, in lane order. */
  get kinds(): OptimiserKind[] {
    return optimisersOf(this.mode) ?? ['ppo', 'rrhf'];
  }

  /** Which lane runs `kind`: with two at once, the second gets its own workers. */
  laneOf(kind: OptimiserKind): Lane {
    if (this.liveKind === kind) return 'main';
    const kinds = this.kinds;
    return kinds.length === 2 && kinds[1] === kind ? 'side' : 'main';
  }

  /** The rankings DPO learns from: those with at least one comparison. */
  private rankingGroups(): RankedGroup[] {
    return trainingPreferences(this.pg.ranking.rankings).map((p) => ({
      prompt: p.prompt,
      candidates: p.completions,
      ranks: p.ranks,
    }));
  }

  blockers(kind: OptimiserKind): string[] {
    const out = this.pg.settingsEditor.blockers(kind);
    if (!this.pg.ready) out.unshift(t('problem.noModel'));
    if (needsRewardModel(kind)) {
      if (!this.pg.rm.ready) out.push(t('problem.rmFirst'));
    } else if (this.rankingGroups().length === 0) {
      out.push(t('problem.rankFirst', { name: OPTIMISER_NAMES[kind] }));
    }
    return out;
  }

  setMode(mode: OptimiseMode): void {
    if (this.active) {
      this.pg.say(t('notice.stopOptimisers'), 'problem');
      return;
    }
    this.mode = mode;
  }

  /** Puts the right weights in the lane: the run's own to continue, else SFT's to begin. */
  private async prepareLane(kind: OptimiserKind, run: TrainingRun): Promise<void> {
    const workers = this.pg.workers!;
    const lane = this.laneOf(kind);
    if (this.lanes[lane] === kind) return;
    const saved = this.checkpoints[kind];
    if (run.step > 0 && saved) await workers.loadPolicy(lane, saved);
    else {
      run.reset();
      await workers.loadPolicy(lane);
    }
    for (const l of ['main', 'side'] as const) {
      if (l !== lane && this.lanes[l] === kind) this.lanes[l] = null;
    }
    this.lanes[lane] = kind;
  }

  /**
   * Starts (or resumes, or continues) one optimiser; `maxSteps` overrides the
   * iterations setting (live mode runs for its own budget).
   */
  async play(kind: OptimiserKind, paused = false, maxSteps?: number): Promise<void> {
    const run = this.runOf(kind);
    if (run.status === 'paused') return void run.resume();
    const { workers, preset } = this.pg;
    if (!workers || !preset || run.active || this.blockers(kind).length > 0) return;
    await this.pg.sft.fix();
    try {
      if (kind === 'ppo' && this.pg.settings['ppo.ptxCoef'] > 0) await this.pg.pretraining.load();
      await this.pg.withModels(async () => {
        await this.prepareLane(kind, run);
        // The SFT answers are sampled before any loop holds the main lane.
        await this.samples.sampleSftCompare();
        await this.samples.sampleSftGold();
      });
    } catch (e) {
      run.problem = errorMessage(e);
      return;
    }
    // The preset's gold labeler scores every sample beside the RM (never seen by the optimiser).
    const request = optimiserRequest(kind, this.pg.settings, this.pg.seed, {
      prompts: preset.prompts,
      gold: preset.labeler,
      groups: () => this.rankingGroups(),
      ptxText: () => this.pg.pretraining.mixText(),
      maxSteps,
    });
    const lane = this.laneOf(kind);
    const ok = await run.start(
      request.settings.maxSteps,
      (cb, startPaused) =>
        workers.optimise({ ...request, settings: { ...request.settings, startPaused } }, cb, lane),
      {
        paused,
        onStep: (step) => {
          if (step % COMPARE_EVERY === 0) void this.samples.refreshCompare([kind]);
        },
      },
    );
    if (ok || run.step > 0) {
      try {
        this.checkpoints[kind] = await workers.policyCheckpoint(lane);
      } catch (e) {
        this.pg.say(
          t('notice.keepWeightsFailed', { kind: kind.toUpperCase(), reason: errorMessage(e) }),
          'problem',
        );
      }
      await this.samples.refreshCompare([kind]);
    }
  }

  step(kind: OptimiserKind): Promise<void> {
    return startSingleStep(this.runOf(kind), () => this.play(kind, true));
  }

  /** Everything the mode names, at once. */
  async playAll(): Promise<void> {
    await Promise.all(this.kinds.map((k) => this.play(k)));
  }

  reset(kind: OptimiserKind): void {
    const run = this.runOf(kind);
    if (run.active) return;
    run.reset();
    delete this.checkpoints[kind];
    for (const l of ['main', 'side'] as const) if (this.lanes[l] === kind) this.lanes[l] = null;
    this.samples.forget(kind);
  }

  /** Saves the weights of optimisers whose lanes still hold them (before evaluation swaps them). */
  async keepWeights(): Promise<void> {
    const workers = this.pg.workers;
    if (!workers) return;
    for (const kind of OPTIMISERS) {
      const lane = this.laneOf(kind);
      if (this.lanes[lane] === kind && this.runOf(kind).step > 0) {
        this.checkpoints[kind] = await workers.policyCheckpoint(lane);
      }
    }
  }

  /** SFT is about to train the main lane: put SFT's weights back if an optimiser left its own. */
  async claimMainForSft(sftFixed: boolean): Promise<void> {
    const held = this.lanes.main;
    if (sftFixed && held !== null && held !== 'base' && held !== 'sft') {
      await this.keepWeights();
      await this.pg.workers?.loadPolicy('main');
    }
    this.lanes.main = 'sft';
  }

  /** A new SFT model: optimisers start over from it. */
  onNewSft(): void {
    this.lanes = { main: 'sft', side: null };
    for (const kind of OPTIMISERS) this.reset(kind);
    this.samples.clear();
  }

  /** A new reward model: the panel's texts stay, scored again by it. */
  onNewBase(): void {
    this.lanes = { main: 'base', side: null };
    for (const kind of OPTIMISERS) {
      this.runOf(kind).reset();
      delete this.checkpoints[kind];
    }
    this.samples.clear();
  }
}
