// The reward–KL frontier on Evaluate (Gao et al. 2022): every optimiser's
// checkpoints along its run, every kept copy, and best-of-n from the SFT
// model, each measured the same way — answers sampled from the policy at
// temperature 1 on held-out prompts, their KL to the SFT model per answer
// (Σ log π − log π_SFT over the answer's tokens, as InstructGPT and TRL
// estimate it), and the mean gold and reward-model scores of those answers.
// Best-of-n draws 64 answers per prompt once and gives every n from them.
import { errorMessage } from '../../core/errors';
import { mean } from '../../core/statistics';
import { sampleTexts } from '../bridge/sampling';
import { t } from '../i18n/index.svelte';
import { bestOfNCurve, goldTurn, type FrontierPoint } from '../measures/frontier';
import { OPTIMISERS, OPTIMISER_NAMES, type OptimiserKind } from '../optimisers';
import type { Settings } from '../settings/settings';
import type { KeptPolicyPage } from './checkpoint-shelf.svelte';
import type { TrainingRun } from './training-run.svelte';

export interface FrontierSeries {
  /** 'sft', an optimiser, a kept copy's id, or 'bon'. */
  id: string;
  label: string;
  /** A CSS custom property holding its colour. */
  color: string;
  /** Points in order of KL (a run's in order of its steps). */
  points: FrontierPoint[];
  /** Index of the point where gold turns down, if it does. */
  turn: number | null;
}

/** What the frontier uses of the page. */
export interface FrontierPage extends KeptPolicyPage {
  readonly settings: Settings;
  readonly optimise: KeptPolicyPage['optimise'] & {
    runOf(kind: OptimiserKind): TrainingRun;
    readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>>;
    keepWeights(): Promise<void>;
  };
  readonly shelf: KeptPolicyPage['shelf'] & {
    readonly entries: readonly { readonly id: string; readonly label: string }[];
  };
}

/** Held-out prompts each checkpoint answers, and answers per prompt. */
const PROMPTS = 8;
const ANSWERS = 4;
/** Best-of-n's largest n (its samples per prompt). */
export const BON_MAX = 64;
const BON_DRAW = 8;

interface Planned {
  series: string;
  at: string;
  weights: () => Promise<'sft' | Uint8Array>;
}

export class Frontier {
  series: FrontierSeries[] = $state.raw([]);
  running = $state(false);
  /** Checkpoints measured so far, of `total` (best-of-n counts as one). */
  done = $state(0);
  total = $state(0);
  problem: string | null = $state(null);

  constructor(private readonly pg: FrontierPage) {}

  blockers(): string[] {
    const out: string[] = [];
    if (!this.pg.workers?.sft) out.push(t('frontier.needSft'));
    if (!this.pg.rm.ready) out.push(t('problem.trainRm'));
    if (this.pg.optimise.active || this.pg.live.active) out.push(t('problem.stopForWeights'));
    return out;
  }

  private prompts(): string[] {
    return this.pg.preset?.heldoutPrompts.slice(0, PROMPTS) ?? [];
  }

  /** What to measure: SFT, each optimiser's checkpoints along its run and its last, kept copies. */
  private plan(): Planned[] {
    const o = this.pg.optimise;
    const out: Planned[] = [{ series: 'sft', at: 'SFT', weights: async () => 'sft' }];
    for (const kind of OPTIMISERS) {
      const run = o.runOf(kind);
      if (run.step === 0) continue;
      const steps = run.snapshots.filter((s) => s.step < run.step);
      for (const s of steps) {
        const at = t('frontier.step', { step: s.step });
        out.push({ series: kind, at, weights: async () => s.checkpoint });
      }
      out.push({
        series: kind,
        at: t('frontier.step', { step: run.step }),
        weights: () => this.pg.shelf.weights(kind),
      });
    }
    for (const e of this.pg.shelf.entries) {
      if (!e.id.startsWith('kept:')) continue;
      out.push({ series: e.id, at: e.label, weights: () => this.pg.shelf.weights(e.id) });
    }
    return out;
  }

  /** KL, gold and RM of one policy's answers (under the model lock: weights swap in the main lane). */
  private async measureOne(weights: 'sft' | Uint8Array): Promise<Omit<FrontierPoint, 'at'>> {
    const workers = this.pg.workers!;
    const m = await this.pg.withModels(() =>
      workers.withPolicy(weights, (p) =>
        p.api.measure({
          prompts: this.prompts(),
          k: ANSWERS,
          maxNewTokens: this.pg.settings['sample.maxNewTokens'],
          seed: 97,
          text: '',
          windows: 0,
          answers: true,
        }),
      ),
    );
    const samples = m.samples ?? [];
    const scored = await this.pg.scoreTexts(
      samples.map((s) => s.prompt),
      samples.map((s) => s.response),
    );
    return {
      kl: m.kl,
      gold: mean(scored.map((s) => s.gold)),
      rm: mean(scored.map((s) => s.rm ?? NaN)),
    };
  }

  /**
   * Best-of-n from the SFT model: 64 answers per prompt at temperature 1 (in
   * draws of 8, each with its own seed: a draw holds at most 9), every n from them.
   */
  private async bestOfN(): Promise<FrontierPoint[]> {
    const workers = this.pg.workers!;
    const prompts = this.prompts();
    const draws = BON_MAX / BON_DRAW;
    const texts: string[][] = prompts.map(() => []);
    await this.pg.withModels(() =>
      workers.withPolicy('sft', async (p) => {
        for (let d = 0; d < draws; d++) {
          const drawn = await sampleTexts(p, prompts, {
            k: BON_DRAW,
            temperature: 1,
            topK: 0,
            topP: 1,
            maxNewTokens: this.pg.settings['sample.maxNewTokens'],
            seed: 600 + d,
          });
          drawn.forEach((answers, i) => texts[i].push(...answers));
        }
      }),
    );
    const scored = await this.pg.scoreTexts(
      prompts.flatMap((p, i) => texts[i].map(() => p)),
      texts.flat(),
    );
    const perPrompt = prompts.map((_, i) =>
      scored.slice(i * BON_MAX, (i + 1) * BON_MAX).map((s) => ({ rm: s.rm ?? NaN, gold: s.gold })),
    );
    return bestOfNCurve(perPrompt, BON_MAX);
  }

  async measure(): Promise<void> {
    if (this.running || this.blockers().length > 0) return;
    this.running = true;
    this.problem = null;
    try {
      await this.pg.withModels(() => this.pg.optimise.keepWeights());
      const plan = this.plan();
      this.done = 0;
      this.total = plan.length + 1;
      const measured: { series: string; point: FrontierPoint }[] = [];
      for (const p of plan) {
        const weights = await this.pg.withModels(() => p.weights());
        measured.push({
          series: p.series,
          point: { at: p.at, ...(await this.measureOne(weights)) },
        });
        this.done++;
        this.series = this.assemble(measured, []);
      }
      const bon = await this.bestOfN();
      this.done++;
      this.series = this.assemble(measured, bon);
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.running = false;
    }
  }

  /** The series to draw: each run a path from SFT, kept copies as points, best-of-n as a curve. */
  private assemble(
    measured: { series: string; point: FrontierPoint }[],
    bon: FrontierPoint[],
  ): FrontierSeries[] {
    const sft = measured.find((m) => m.series === 'sft')?.point;
    const out: FrontierSeries[] = [];
    if (sft) out.push({ id: 'sft', label: 'SFT', color: '--sft', points: [sft], turn: null });
    for (const kind of OPTIMISERS) {
      const along = measured.filter((m) => m.series === kind).map((m) => m.point);
      if (along.length === 0) continue;
      const points = sft ? [sft, ...along] : along;
      out.push({
        id: kind,
        label: OPTIMISER_NAMES[kind],
        color: `--${kind}`,
        points,
        turn: goldTurn(points),
      });
    }
    for (const m of measured.filter((x) => x.series.startsWith('kept:'))) {
      out.push({
        id: m.series,
        label: m.point.at,
        color: '--heldout',
        points: [m.point],
        turn: null,
      });
    }
    if (bon.length > 0) {
      out.push({
        id: 'bon',
        label: t('frontier.bon'),
        color: '--bon',
        points: bon,
        turn: goldTurn(bon),
      });
    }
    return out;
  }

  /** A new SFT or base model: nothing measured is current. */
  clear(): void {
    this.series = [];
    this.problem = null;
    this.done = 0;
    this.total = 0;
  }
}
