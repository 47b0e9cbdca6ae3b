// Evaluate: every kept policy (SFT, PPO, RRHF and the lessons' runs) answers
// the held-out prompts (two answers each, with the same seed: common random
// numbers make the comparison fairer); the reward model and the gold labeler
// score every answer; win rates against SFT with a Wilson 95% interval; the
// KL from the SFT model; and perplexity on held-out pretraining text, the
// "alignment tax" (InstructGPT §4.2) that PPO-ptx pays down.
import { errorMessage } from '../../core/errors';
import { mean } from '../../core/statistics';
import type { Measures } from '../../../workers/policy-measures';
import { sampleTexts } from '../bridge/sampling';
import { winRate } from './reward-data';
import type { KeptPolicyPage } from './checkpoint-shelf.svelte';
import type { Settings } from '../settings/settings';
import { t } from '../i18n/index.svelte';

/** A shelf entry's id: 'sft', 'ppo', 'rrhf' or a kept copy. */
export type PolicyName = string;

export interface PolicyEvaluation {
  policy: PolicyName;
  label: string;
  meanRm: number;
  meanGold: number;
  /** Against the SFT model's answers to the same prompts (0.5 = parity). */
  winRm: ReturnType<typeof winRate> | null;
  winGold: ReturnType<typeof winRate> | null;
  /** KL from the SFT model per answer, and held-out pretraining perplexity. */
  measures: Measures | null;
  samples: { prompt: string; text: string; rm: number; gold: number }[];
}

/** What Evaluate uses of the page: the workers, the kept policies, scoring and the pretraining text. */
export interface EvaluationPage extends KeptPolicyPage {
  readonly settings: Settings;
  readonly shelf: KeptPolicyPage['shelf'] & { label(id: string): string };
  readonly pretraining: { load(): Promise<void>; measureText(): string };
  say(text: string, kind?: 'info' | 'problem'): void;
}

/** Answers per held-out prompt and model. */
const ANSWERS = 2;
/** Windows of held-out pretraining text scored for the perplexity. */
const PERPLEXITY_WINDOWS = 24;

export class Evaluation {
  results: PolicyEvaluation[] = $state.raw([]);
  running = $state(false);
  problem: string | null = $state(null);

  constructor(private readonly pg: EvaluationPage) {}

  /** Policies there is something to evaluate for. */
  get policies(): PolicyName[] {
    return this.pg.shelf.entries.map((e) => e.id);
  }

  async run(): Promise<void> {
    const { workers, preset } = this.pg;
    if (!workers || !preset || this.running) return;
    if (!this.pg.rm.ready) {
      this.problem = 'Train the reward model first: it scores the answers.';
      return;
    }
    if (this.pg.optimise.active || this.pg.live.active) {
      this.problem = 'Stop PPO and RRHF first (pausing is not enough), then evaluate.';
      return;
    }
    this.running = true;
    this.problem = null;
    try {
      await this.pg.sft.fix();
      await this.pg.pretraining.load().catch((e: unknown) => {
        this.pg.say(t('notice.perplexityTextMissing', { reason: errorMessage(e) }), 'problem');
      });
      const prompts = preset.heldoutPrompts;
      const opts = () => this.pg.samplingOptions(ANSWERS, 99);
      const results: PolicyEvaluation[] = [];
      let sft = { rm: [] as number[], gold: [] as number[] };
      for (const policy of this.policies) {
        // Evaluation swaps weights in the main lane, under the model lock.
        const weights = await this.pg.withModels(() => this.pg.shelf.weights(policy));
        const texts = await this.pg.withModels(() =>
          workers.withPolicy(weights, (p) => sampleTexts(p, prompts, opts())),
        );
        const measures = await this.pg.withModels(() =>
          workers.withPolicy(weights, (p) =>
            p.api.measure({
              prompts,
              k: ANSWERS,
              maxNewTokens: this.pg.settings['sample.maxNewTokens'],
              seed: 98,
              text: this.pg.pretraining.measureText(),
              windows: PERPLEXITY_WINDOWS,
            }),
          ),
        );
        const flatPrompts = prompts.flatMap((p, i) => texts[i].map(() => p));
        const scored = await this.pg.scoreTexts(flatPrompts, texts.flat());
        const rm = scored.map((s) => s.rm ?? NaN);
        const gold = scored.map((s) => s.gold);
        if (policy === 'sft') sft = { rm, gold };
        results.push({
          policy,
          label: this.pg.shelf.label(policy),
          meanRm: mean(rm),
          meanGold: mean(gold),
          winRm: policy === 'sft' ? null : winRate(rm, sft.rm),
          winGold: policy === 'sft' ? null : winRate(gold, sft.gold),
          measures,
          samples: scored.map((s, i) => ({
            prompt: flatPrompts[i],
            text: s.text,
            rm: rm[i],
            gold: gold[i],
          })),
        });
        this.results = [...results];
      }
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.running = false;
    }
  }

  onNewBase(): void {
    this.results = [];
    this.problem = null;
  }
}
