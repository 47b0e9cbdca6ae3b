// Evaluate (a first version): the SFT model and each optimised policy answer
// the held-out prompts (two answers each, with the same seed: common random
// numbers make the comparison fairer); the reward model and the gold labeler
// score every answer; win rates against SFT with a 95% interval.
import type { OptimiserKind } from './engine';
import { winRate } from './reward-data';
import type { Playground } from './state.svelte';

export type PolicyName = 'sft' | OptimiserKind;

export interface PolicyEvaluation {
  policy: PolicyName;
  meanRm: number;
  meanGold: number;
  /** Against the SFT model's answers to the same prompts (0.5 = parity). */
  winRm: ReturnType<typeof winRate> | null;
  winGold: ReturnType<typeof winRate> | null;
  samples: { prompt: string; text: string; rm: number; gold: number }[];
}

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));
const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);

/** Answers per held-out prompt and model. */
const ANSWERS = 2;

export class Evaluation {
  results: PolicyEvaluation[] = $state.raw([]);
  running = $state(false);
  problem: string | null = $state(null);

  constructor(private readonly pg: Playground) {}

  /** Policies there is something to evaluate for. */
  get policies(): PolicyName[] {
    const o = this.pg.optimise;
    return ['sft', ...(['ppo', 'rrhf'] as const).filter((k) => o.runOf(k).step > 0)];
  }

  async run(): Promise<void> {
    const { engine, preset } = this.pg;
    if (!engine || !preset || this.running) return;
    if (!this.pg.rm.ready) {
      this.problem = 'Train the reward model first: it scores the answers.';
      return;
    }
    if (this.pg.optimise.active) {
      this.problem = 'Stop PPO and RRHF first (pausing is not enough), then evaluate.';
      return;
    }
    this.running = true;
    this.problem = null;
    try {
      await this.pg.sft.fix();
      // Evaluation swaps weights in the main lane: keep what the optimisers hold first.
      await this.pg.withModels(() => this.pg.optimise.keepWeights());
      const checkpoints = this.pg.optimise.checkpoints;
      const prompts = preset.heldoutPrompts;
      const opts = () => ({ ...this.pg.samplingOptions(ANSWERS), seed: 99 });
      const results: PolicyEvaluation[] = [];
      let sft = { rm: [] as number[], gold: [] as number[] };
      for (const policy of this.policies) {
        const saved = policy === 'sft' ? null : checkpoints[policy];
        if (policy !== 'sft' && !saved) continue;
        const texts = await this.pg.withModels(() =>
          saved
            ? engine.sampleCheckpoint(saved, prompts, opts())
            : engine.sampleSft(prompts, opts()),
        );
        const flatPrompts = prompts.flatMap((p, i) => texts[i].map(() => p));
        const scored = await this.pg.scoreTexts(flatPrompts, texts.flat());
        const rm = scored.map((s) => s.rm ?? NaN);
        const gold = scored.map((s) => s.gold);
        if (policy === 'sft') sft = { rm, gold };
        results.push({
          policy,
          meanRm: mean(rm),
          meanGold: mean(gold),
          winRm: policy === 'sft' ? null : winRate(rm, sft.rm),
          winGold: policy === 'sft' ? null : winRate(gold, sft.gold),
          samples: scored.map((s, i) => ({
            prompt: flatPrompts[i],
            text: s.text,
            rm: rm[i],
            gold: gold[i],
          })),
        });
      }
      this.results = results;
    } catch (e) {
      this.problem = message(e);
    } finally {
      this.running = false;
    }
  }

  onNewBase(): void {
    this.results = [];
    this.problem = null;
  }
}
