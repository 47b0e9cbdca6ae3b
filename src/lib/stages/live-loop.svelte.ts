// Live mode: the loop of Christiano et al. 2017 ("Deep reinforcement learning
// from human preferences"), where everything runs at once — the policy keeps
// writing, the person (or the simulated labeler) keeps ranking what it wrote,
// the reward model keeps learning from the new rankings, and PPO or RRHF keeps
// optimising against the reward model as it is now.
//
// The optimiser runs as one long loop in the policy worker; the ranking queue
// samples from the same (changing) policy in between its steps, and every
// item is stamped with the policy's version, so the queue can show how fresh
// a sample is (how many policy updates ago it was written). After every
// `rmEvery` new rankings the reward model trains a few more steps on all of
// them, continuing from its current weights (incremental, not from scratch).
import { errorMessage } from '../../core/errors';
import type { OptimiserKind } from '../bridge/lanes';
import { sampleTexts } from '../bridge/sampling';
import type { RankItem } from '../ranking/rank-queue';
import type { Labeler } from '../../core/labelers';
import type { Preset } from '../../core/presets';
import type { ModelLanes } from '../bridge/lanes';
import type { SamplingOptions } from '../bridge/sampling';
import type { MetricLog } from '../measures/metrics';
import type { RankingSession } from '../ranking/ranking-session.svelte';
import type { Settings } from '../settings/settings';
import type { Optimisation } from './optimisation.svelte';
import type { RewardStageState } from './reward-stage.svelte';
import type { TrainingRun } from './training-run.svelte';
import { freshAccuracy, probeAccuracy, probeGroups, type ProbeGroup } from './live-probe';
import { t } from '../i18n/index.svelte';

export type LiveStatus = 'idle' | 'warming' | 'running' | 'stopping';

/** What live mode uses of the page: it drives the ranking, reward and optimise stages at once. */
export interface LiveLoopPage {
  readonly workers: ModelLanes | null;
  readonly labeler: Labeler | null;
  readonly preset: Preset | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly settings: Settings;
  readonly metrics: MetricLog;
  readonly sft: { fix(): Promise<void> };
  readonly ranking: RankingSession;
  readonly rm: RewardStageState;
  readonly optimise: Optimisation;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
  samplingOptions(k?: number, seed?: number): SamplingOptions;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class LiveLoop {
  status: LiveStatus = $state('idle');
  kind: OptimiserKind = $state('ppo');
  /** The simulated labeler ranks; otherwise the person does, in the live panel. */
  auto = $state(true);
  /** Optimiser iterations the live run lasts. */
  iterations = $state(30);
  /** New rankings between reward-model updates. */
  rmEvery = $state(2);
  /** Reward-model steps per update (few: it learns a little from each new batch). */
  rmSteps = $state(5);
  /**
   * Rankings per policy update at most: the labeler keeps pace with the
   * policy instead of racing ahead on samples of an old one (a person is
   * slower than that anyway).
   */
  perUpdate = $state(1);
  /**
   * Rankings before the first reward model and the optimiser, when there is
   * no reward model yet: PPO should not spend its first updates on a reward
   * model that has seen only a handful of comparisons.
   */
  warmup = $state(10);
  ranked = $state(0);
  rmUpdates = $state(0);
  problem: string | null = $state(null);
  private sinceUpdate = 0;
  /** Fixed samples of the SFT model on the held-out prompts, with their gold scores. */
  private probe: ProbeGroup[] = [];
  private rmUpdate: Promise<void> | null = null;

  constructor(private readonly pg: LiveLoopPage) {}

  get active(): boolean {
    return this.status !== 'idle';
  }

  /** The policy's version: optimiser steps so far (what a queue item is stamped with). */
  get policyVersion(): number {
    return this.pg.optimise.stepsTaken;
  }

  /** How many policy updates ago an item's samples were written (null before it began). */
  freshness(item: RankItem | null): number | null {
    if (!item || item.bornAt === undefined) return null;
    return Math.max(0, this.policyVersion - item.bornAt);
  }

  blockers(): string[] {
    const out: string[] = [];
    if (!this.pg.ready) out.push(t('problem.noModel'));
    if (this.pg.optimise.active) out.push(t('problem.liveOptimiser'));
    if (this.pg.rm.run.active) out.push(t('problem.rmBusy'));
    return out;
  }

  async start(): Promise<void> {
    if (this.active || this.blockers().length > 0) return;
    this.problem = null;
    this.status = 'warming';
    this.ranked = 0;
    this.rmUpdates = 0;
    this.sinceUpdate = 0;
    try {
      await this.pg.sft.fix();
      this.pg.optimise.liveKind = this.kind;
      await this.pg.ranking.start();
      await this.makeProbe();
      // Where the reward model starts: before any ranking (untrained, it ties every pair: ½).
      await this.scoreProbe();
      // The optimiser needs a reward model to begin with: rank a few, train one.
      if (!this.pg.rm.ready) {
        while (this.pg.rm.data().train.length < this.warmup && this.status === 'warming') {
          await this.rankOne();
        }
        if (this.status !== 'warming') return;
        // The first reward model trains for the full `rm.steps`; the later updates are small.
        await this.updateRewardModel(this.pg.settings['rm.steps']);
        if (!this.pg.rm.ready)
          throw new Error(this.pg.rm.run.problem ?? 'the reward model did not train');
      }
      // With a person ranking, the loop starts paused and steps as rankings arrive.
      const optimiser = this.pg.optimise.play(this.kind, !this.auto, this.iterations);
      this.status = 'running';
      const run = this.pg.optimise.runOf(this.kind);
      const v0 = this.policyVersion;
      const r0 = this.ranked;
      // Wait for the loop to begin, then rank for as long as it runs, at the policy's pace.
      while (!run.active && this.status === 'running') await pause(50);
      const pacer = this.auto ? Promise.resolve() : this.pace(run, v0);
      while (run.active && this.status === 'running') {
        if (this.auto) {
          // The labeler keeps pace with the policy.
          const allowed = (this.policyVersion - v0 + 1) * this.perUpdate;
          if (this.ranked - r0 >= allowed) {
            await pause(100);
            continue;
          }
        }
        await this.rankOne();
        if (this.sinceUpdate >= this.rmEvery && !this.rmUpdate) {
          this.rmUpdate = this.updateRewardModel().finally(() => (this.rmUpdate = null));
        }
      }
      await pacer;
      await optimiser;
      await this.rmUpdate;
    } catch (e) {
      this.problem = errorMessage(e);
      const run = this.pg.optimise.runOf(this.kind);
      if (run.active) await run.stop();
    } finally {
      this.pg.optimise.liveKind = null;
      this.status = 'idle';
    }
  }

  /**
   * Person mode: the policy keeps pace with the person. The loop waits,
   * paused, and makes one update per `perUpdate` rankings (one to begin
   * with), so a few early rankings are not optimised against for dozens of
   * updates while the person reads.
   */
  private async pace(run: TrainingRun, v0: number): Promise<void> {
    const r0 = this.pg.ranking.rankings.length;
    while (run.active && this.status === 'running') {
      const granted = 1 + Math.floor((this.pg.ranking.rankings.length - r0) / this.perUpdate);
      if (run.status === 'paused' && this.policyVersion - v0 < granted) {
        const v = this.policyVersion;
        await run.stepOnce();
        while (this.policyVersion === v && run.active && this.status === 'running') await pause(50);
      } else await pause(50);
    }
  }

  stop(): void {
    if (!this.active) return;
    this.status = 'stopping';
    void this.pg.optimise.runOf(this.kind).stop();
  }

  /** One ranking of the prompt on screen: the labeler's, or the person's when they submit. */
  private async rankOne(): Promise<void> {
    const session = this.pg.ranking;
    const item = await session.waitForCurrent();
    if (!item) throw new Error(t('problem.samples'));
    // A policy that writes one text for every sample (often an empty one) has
    // collapsed onto what the reward model overrates: stop, and say what to change.
    const first = item.samples[0]?.trim();
    if (item.samples.length > 1 && item.samples.every((x) => x.trim() === first)) {
      throw new Error(t('live.collapsed', { k: item.samples.length }));
    }
    const before = session.rankings.length;
    const fresh = this.freshness(item);
    if (this.auto) {
      const ranks = session.labelerRanks(item.samples, item.prompt);
      // How well the reward model as it is now predicts a ranking it has not trained on.
      // (A copy: the queue's arrays are Svelte state proxies, which a worker cannot receive.)
      await this.scoreFresh(item.prompt, [...item.samples]);
      const problem = await session.submit(ranks, 'labeler');
      if (problem) throw new Error(problem);
    } else {
      while (session.rankings.length === before && this.status !== 'stopping') await pause(100);
      if (session.rankings.length === before) return;
      const r = session.rankings[session.rankings.length - 1];
      await this.scoreFresh(r.prompt, [...r.samples]);
    }
    this.ranked++;
    this.sinceUpdate++;
    const gold = this.pg.labeler;
    if (gold) {
      const mean =
        item.samples.reduce((sum, text) => sum + gold.score(text, item.prompt), 0) /
        item.samples.length;
      this.pg.metrics.push('live', session.rankings.length, {
        'live/gold_mean': mean,
        'live/freshness': fresh ?? 0,
      });
    }
  }

  /**
   * How well the reward model as it is now orders new samples, before it
   * learns from their ranking: the share of pairs it orders as the gold
   * labeler does (ties skipped). As rankings accumulate it should get better
   * at it, even while the policy moves on to new kinds of text.
   */
  private async scoreFresh(prompt: string, completions: string[]): Promise<void> {
    const { workers, labeler } = this.pg;
    if (!workers || !labeler || !this.pg.rm.ready) return;
    try {
      const scorer = (await workers.rewardModel()).api;
      const accuracy = await freshAccuracy(scorer, labeler, prompt, completions);
      if (accuracy === null) return;
      this.pg.metrics.push('live', this.pg.ranking.rankings.length + 1, {
        'live/rm_fresh_accuracy': accuracy,
      });
    } catch {
      // A measurement only: the loop goes on without it.
    }
  }

  private async updateRewardModel(steps = this.rmSteps): Promise<void> {
    this.sinceUpdate = 0;
    await this.pg.rm.play(false, steps);
    if (this.pg.rm.ready) {
      this.rmUpdates++;
      await this.scoreProbe();
    }
  }

  /**
   * A fixed probe: the policy's samples on the held-out prompts as live mode
   * begins, with the gold labeler's scores. Scored after every update, it is
   * the reward model's learning curve on data that does not move.
   */
  private async makeProbe(): Promise<void> {
    const { workers, preset, labeler } = this.pg;
    this.probe = [];
    if (!workers || !preset || !labeler) return;
    const prompts = preset.heldoutPrompts;
    // Eight answers per prompt: enough pairs (a few hundred) for a steady measure.
    const opts = this.pg.samplingOptions(8, this.pg.seed + 71);
    const texts = await this.pg.withModels(() => sampleTexts(workers.policy, prompts, opts));
    this.probe = probeGroups(prompts, texts, labeler);
  }

  /** The reward model's accuracy on the probe (see probeAccuracy), as a point of its curve. */
  private async scoreProbe(): Promise<void> {
    const workers = this.pg.workers;
    if (!workers || this.probe.length === 0) return;
    try {
      const accuracy = await probeAccuracy((await workers.rewardModel()).api, this.probe);
      if (accuracy !== null) {
        this.pg.metrics.push('live', this.pg.ranking.rankings.length, {
          'live/rm_probe_accuracy': accuracy,
        });
      }
    } catch {
      // A measurement only.
    }
  }
}
