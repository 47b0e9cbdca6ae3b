// Optimise: PPO and RRHF against the reward model, alone or side by side from
// the same SFT start (RRHF then runs in a second pair of workers, the 'side'
// lane), and the panel of samples that show the change: the current policies
// beside the SFT model on a few fixed held-out prompts, each scored by the
// reward model and by the preset's gold labeler; and the SFT model's share of
// answers with the preset's property, the start of the stage's headline.
import type { Lane, OptimiseMode, OptimiseRequest, OptimiserKind } from '../bridge/lanes';
import { sampleTexts, type SamplingOptions } from '../bridge/sampling';
import { shareOfScores, type GoldShare } from '../measures/gold-headline';
import type { ModelLanes } from '../bridge/lanes';
import type { Labeler } from '../../core/labelers';
import type { Preset } from '../../core/presets';
import type { MetricLog } from '../measures/metrics';
import type { ScoredText } from '../measures/scored-text';
import type { Settings } from '../settings/settings';
import { ppoLoopSettings, rankSampling, rrhfLoopSettings } from '../settings/run-settings';
import { TrainingRun, startSingleStep } from './training-run.svelte';
import { t } from '../i18n/index.svelte';

/** One fixed prompt of the "samples that show change" panel. */
export interface CompareRow {
  prompt: string;
  sft: ScoredText | null;
  ppo: ScoredText | null;
  rrhf: ScoredText | null;
}

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
  readonly sft: { fix(): Promise<void> };
  readonly pretraining: { load(): Promise<void>; mixText(): string };
  blockers(stage: 'ppo' | 'rrhf'): string[];
  say(text: string, kind?: 'info' | 'problem'): void;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
  samplingOptions(k?: number): SamplingOptions;
  scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]>;
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** How many fixed prompts the comparison panel shows. */
export const COMPARE_PROMPTS = 3;
/** The comparison panel refreshes every this many iterations. */
const COMPARE_EVERY = 10;
/** Answers per training prompt in the SFT model's gold share. */
const SFT_GOLD_ANSWERS = 2;

export class Optimisation {
  readonly ppo: TrainingRun;
  readonly rrhf: TrainingRun;
  mode: OptimiseMode = $state('both');
  /**
   * The optimiser live mode runs, in the main lane whatever the mode (the
   * ranking queue samples the main lane); the person's choice of mode stays.
   */
  liveKind: OptimiserKind | null = $state(null);
  compare: CompareRow[] = $state([]);
  compareBusy = $state(false);
  /**
   * Share of the SFT model's answers to the training prompts (the ones PPO
   * and RRHF train on) that the gold labeler gives full marks; null until an
   * optimiser first starts from this SFT model.
   */
  sftGold: GoldShare | null = $state.raw(null);
  /** Each optimiser's latest weights, kept when its lane is given to something else. */
  readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>> = {};
  /** What each lane's policy holds now. */
  private lanes: Record<Lane, 'base' | 'sft' | OptimiserKind | null> = { main: null, side: null };
  private compareChain: Promise<void> = Promise.resolve();
  /** Kinds waiting in `compareChain` (plain: nothing renders it). */
  private compareQueued: OptimiserKind[] = [];
  /** The panel's sampling seed: the same for every model, a new one on each Refresh. */
  private compareSeed = 5;

  constructor(private readonly pg: OptimisationPage) {
    this.ppo = new TrainingRun('ppo', pg.metrics);
    this.rrhf = new TrainingRun('rrhf', pg.metrics);
  }

  runOf(kind: OptimiserKind): TrainingRun {
    return kind === 'ppo' ? this.ppo : this.rrhf;
  }

  get active(): boolean {
    return this.ppo.active || this.rrhf.active;
  }

  /** The optimisers the mode runs. */
  get kinds(): OptimiserKind[] {
    return this.mode === 'both' ? ['ppo', 'rrhf'] : [this.mode];
  }

  /** Which lane runs `kind`: with both at once, RRHF gets its own workers. */
  laneOf(kind: OptimiserKind): Lane {
    if (this.liveKind === kind) return 'main';
    return kind === 'rrhf' && this.mode === 'both' ? 'side' : 'main';
  }

  blockers(kind: OptimiserKind): string[] {
    const out = this.pg.blockers(kind);
    if (!this.pg.ready) out.unshift(t('problem.noModel'));
    if (!this.pg.rm.ready) {
      out.push(t('problem.rmFirst'));
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

  /** The request for one optimiser's loop; `maxSteps` overrides the iterations setting. */
  private requestFor(
    kind: OptimiserKind,
    prompts: string[],
    maxSteps?: number,
  ): OptimiseRequest & { settings: { maxSteps: number } } {
    const s = this.pg.settings;
    // The preset's gold labeler scores every sample beside the RM (never seen by the optimiser).
    const gold = this.pg.preset?.labeler;
    const steps = maxSteps ? { maxSteps } : {};
    if (kind === 'ppo') {
      const ptx = s['ppo.ptxCoef'] > 0 ? this.pg.pretraining.mixText() : '';
      const { settings, ppo } = ppoLoopSettings(s, this.pg.seed, gold, ptx);
      return { kind, prompts, settings: { ...settings, ...steps }, ppo };
    }
    return { kind, prompts, settings: { ...rrhfLoopSettings(s, this.pg.seed, gold), ...steps } };
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
        await this.sampleSftCompare();
        await this.sampleSftGold();
      });
    } catch (e) {
      run.problem = message(e);
      return;
    }
    const request = this.requestFor(kind, preset.prompts, maxSteps);
    const lane = this.laneOf(kind);
    const ok = await run.start(
      request.settings.maxSteps,
      (cb, startPaused) =>
        workers.optimise({ ...request, settings: { ...request.settings, startPaused } }, cb, lane),
      {
        paused,
        onStep: (step) => {
          if (step % COMPARE_EVERY === 0) void this.refreshCompare([kind]);
        },
      },
    );
    if (ok || run.step > 0) {
      try {
        this.checkpoints[kind] = await workers.policyCheckpoint(lane);
      } catch (e) {
        this.pg.say(
          t('notice.keepWeightsFailed', { kind: kind.toUpperCase(), reason: message(e) }),
          'problem',
        );
      }
      await this.refreshCompare([kind]);
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
    this.compare = this.compare.map((r) => ({ ...r, [kind]: null }));
  }

  /** Saves the weights of optimisers whose lanes still hold them (before evaluation swaps them). */
  async keepWeights(): Promise<void> {
    const workers = this.pg.workers;
    if (!workers) return;
    for (const kind of ['ppo', 'rrhf'] as const) {
      const lane = this.laneOf(kind);
      if (this.lanes[lane] === kind && this.runOf(kind).step > 0) {
        this.checkpoints[kind] = await workers.policyCheckpoint(lane);
      }
    }
  }

  /** SFT is about to train the main lane: put SFT's weights back if an optimiser left its own. */
  async claimMainForSft(sftFixed: boolean): Promise<void> {
    const held = this.lanes.main;
    if (sftFixed && (held === 'ppo' || held === 'rrhf')) {
      await this.keepWeights();
      await this.pg.workers?.loadPolicy('main');
    }
    this.lanes.main = 'sft';
  }

  /** A new SFT model: optimisers start over from it. */
  onNewSft(): void {
    this.lanes = { main: 'sft', side: null };
    for (const kind of ['ppo', 'rrhf'] as const) this.reset(kind);
    this.compare = [];
    this.sftGold = null;
  }

  /** A new reward model: the panel's texts stay, scored again by it. */
  onNewRewardModel(): Promise<void> {
    this.compareChain = this.compareChain.then(() => this.rescoreCompare());
    return this.compareChain;
  }

  onNewBase(): void {
    this.lanes = { main: 'base', side: null };
    for (const kind of ['ppo', 'rrhf'] as const) {
      this.runOf(kind).reset();
      delete this.checkpoints[kind];
    }
    this.compare = [];
    this.sftGold = null;
  }

  // ---------------------------------------------------------------------------
  // Samples that show change

  /** The fixed prompts of the panel: the first held-out ones. */
  get comparePrompts(): string[] {
    return this.pg.preset?.heldoutPrompts.slice(0, COMPARE_PROMPTS) ?? [];
  }

  /** Common random numbers: every model samples with the same seed. */
  private compareOptions(): SamplingOptions {
    return { ...this.pg.samplingOptions(2), seed: this.compareSeed };
  }

  /** The main lane is free for sampling the SFT model: no optimiser loop holds it. */
  private mainLaneFree(): boolean {
    return !(['ppo', 'rrhf'] as const).some(
      (k) => this.runOf(k).active && this.laneOf(k) === 'main',
    );
  }

  private rows(): CompareRow[] {
    const prompts = this.comparePrompts;
    if (this.compare.length === prompts.length) return this.compare;
    return prompts.map((prompt) => ({ prompt, sft: null, ppo: null, rrhf: null }));
  }

  /** The SFT model's answers, once per SFT model and seed (call under the model lock). */
  private async sampleSftCompare(): Promise<void> {
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
      this.pg.say(t('notice.sampleSftFailed', { reason: message(e) }), 'problem');
    }
  }

  /**
   * The SFT model's gold share: each training prompt answered twice with the
   * page's sampling settings, scored by the gold labeler (full marks = the
   * preset's property holds). Once per SFT model; call under the model lock,
   * while no optimiser holds the main lane (SFT is sampled there).
   */
  private async sampleSftGold(): Promise<void> {
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
      this.pg.say(t('notice.sampleSftGoldFailed', { reason: message(e) }), 'problem');
    }
  }

  /**
   * The Refresh button: new answers from every model on the panel, all with
   * one new seed (the SFT column too, unless an optimiser holds its lane).
   */
  refreshAll(): Promise<void> {
    this.compareChain = this.compareChain.then(async () => {
      this.compareSeed++;
      this.compare = this.rows().map((r) => ({ ...r, sft: null, ppo: null, rrhf: null }));
      await this.pg.withModels(() => this.sampleSftCompare());
    });
    return this.refreshCompare();
  }

  /** Scores the panel's texts again (a new reward model). */
  private async rescoreCompare(): Promise<void> {
    const prompts = this.comparePrompts;
    if (!this.pg.workers || !this.pg.rm.ready || this.compare.length !== prompts.length) return;
    try {
      for (const kind of ['sft', 'ppo', 'rrhf'] as const) {
        const cells = this.compare.map((r) => r[kind]);
        if (cells.some((c) => c === null)) continue;
        const scored = await this.pg.scoreTexts(
          prompts,
          cells.map((c) => c!.text),
        );
        this.compare = this.compare.map((r, i) => ({ ...r, [kind]: scored[i] }));
      }
    } catch (e) {
      this.pg.say(t('notice.scoreComparisonFailed', { reason: message(e) }), 'problem');
    }
  }

  /**
   * Samples the current PPO / RRHF policies on the fixed prompts, and the SFT
   * model where its column is empty. Refreshes queue up, one at a time; a
   * kind already waiting is not queued twice.
   */
  refreshCompare(kinds: OptimiserKind[] = ['ppo', 'rrhf']): Promise<void> {
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
    if (!workers || !this.pg.rm.ready) return;
    const prompts = this.comparePrompts;
    try {
      for (const kind of kinds) {
        const lane = this.laneOf(kind);
        if (this.runOf(kind).step === 0 || this.lanes[lane] !== kind) continue;
        const { policy } = await workers.lane(lane);
        const texts = await sampleTexts(policy, prompts, this.compareOptions());
        const scored = await this.pg.scoreTexts(
          prompts,
          texts.map((t) => t[0]),
        );
        this.compare = this.rows().map((r, i) => ({ ...r, [kind]: scored[i] }));
      }
    } catch (e) {
      this.pg.say(t('notice.sampleComparisonFailed', { reason: message(e) }), 'problem');
    }
  }
}
