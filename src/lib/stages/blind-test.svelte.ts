// Blind A/B evaluation, as InstructGPT's labelers compared outputs: two
// policies (any two kept checkpoints; by default the current policy and SFT)
// answer the same held-out prompts; the person sees each pair in a random
// order without knowing which model wrote which, picks one (or calls a tie),
// and only then is told. The person's win rate of A over B comes with a
// Wilson 95% interval, beside the same comparison judged by the reward model
// and by the gold labeler on the same pairs.
import { errorMessage } from '../../core/errors';
import { mulberry32 } from '../../core/random';
import { wilsonInterval, type Proportion } from '../../core/statistics';
import { sampleTexts } from '../bridge/sampling';
import type { Labeler } from '../../core/labelers';
import type { KeptPolicyPage } from './checkpoint-shelf.svelte';
import type { PlaygroundStore } from '../persistence/storage';
import { t } from '../i18n/index.svelte';

export type { Proportion };

export interface BlindPair {
  prompt: string;
  /** The two answers in the order shown. */
  shown: [string, string];
  /** The checkpoint each shown answer came from (told after the choice). */
  from: [string, string];
  rm: [number, number] | null;
  gold: [number, number];
  /** Index of the preferred side, 0.5 for a tie, null while not judged. */
  choice: 0 | 1 | 0.5 | null;
}

export interface BlindResults {
  judged: number;
  person: Proportion;
  rm: Proportion | null;
  gold: Proportion;
}

/** What the blind test uses of the page: the workers, the kept policies, scoring and storage. */
export interface BlindTestPage extends KeptPolicyPage {
  readonly labeler: Labeler | null;
  readonly seed: number;
  readonly store: PlaygroundStore;
}

/** A's win rate over B on pairs: 1 for A's side, ½ for a tie. */
function winsOf(
  pairs: readonly BlindPair[],
  a: string,
  side: (p: BlindPair) => number,
): Proportion {
  let wins = 0;
  for (const p of pairs) {
    const s = side(p);
    wins += s === 0.5 ? 0.5 : p.from[s] === a ? 1 : 0;
  }
  return wilsonInterval(wins, pairs.length);
}

/** The higher-scoring side, or ½ when equal. */
const better = (x: [number, number]) => (x[0] > x[1] ? 0 : x[0] < x[1] ? 1 : 0.5);

export class BlindTest {
  a = $state('ppo');
  b = $state('sft');
  pairs: BlindPair[] = $state([]);
  preparing = $state(false);
  problem: string | null = $state(null);
  /** The pair whose sources were just revealed (shown until the next choice). */
  revealed: BlindPair | null = $state(null);
  /** The two models the prepared pairs compare (A's wins are counted). */
  tested: { a: string; b: string } | null = $state(null);

  constructor(private readonly pg: BlindTestPage) {}

  /** The first pair not judged yet. */
  get current(): BlindPair | null {
    return this.pairs.find((p) => p.choice === null) ?? null;
  }

  get done(): number {
    return this.pairs.filter((p) => p.choice !== null).length;
  }

  /** Default: the most recent optimiser against SFT. */
  defaults(): void {
    const ids = this.pg.shelf.entries.map((e) => e.id);
    if (!ids.includes(this.a)) this.a = ids.find((id) => id !== 'sft') ?? 'sft';
    if (!ids.includes(this.b)) this.b = 'sft';
  }

  async prepare(): Promise<void> {
    const { workers, preset } = this.pg;
    if (!workers || !preset || this.preparing) return;
    if (this.a === this.b) {
      this.problem = t('problem.sameModels');
      return;
    }
    if (this.pg.optimise.active || this.pg.live.active) {
      this.problem = t('problem.stopForWeights');
      return;
    }
    this.preparing = true;
    this.problem = null;
    this.revealed = null;
    try {
      await this.pg.sft.fix();
      const prompts = preset.heldoutPrompts;
      const answers = async (id: string) => {
        // The workers sample K ≥ 2 per prompt; the first answer of each is used.
        const opts = this.pg.samplingOptions(2, this.pg.seed + 41);
        const w = await this.pg.withModels(() => this.pg.shelf.weights(id));
        const texts = await this.pg.withModels(() =>
          workers.withPolicy(w, (p) => sampleTexts(p, prompts, opts)),
        );
        return texts.map((answers) => answers[0]);
      };
      const [ta, tb] = [await answers(this.a), await answers(this.b)];
      const rm = this.pg.rm.ready;
      const sa = await this.scores(prompts, ta, rm);
      const sb = await this.scores(prompts, tb, rm);
      const rng = mulberry32(this.pg.seed * 7919 + this.pairs.length);
      this.tested = { a: this.a, b: this.b };
      this.pairs = prompts.map((prompt, i) => {
        // Randomised order: A is on the left half of the time, and the person is not told.
        const swap = rng() < 0.5;
        const pick = <T>(x: T, y: T): [T, T] => (swap ? [y, x] : [x, y]);
        return {
          prompt,
          shown: pick(ta[i], tb[i]),
          from: pick(this.a, this.b),
          rm: rm ? pick(sa[i].rm!, sb[i].rm!) : null,
          gold: pick(sa[i].gold, sb[i].gold),
          choice: null,
        };
      });
    } catch (e) {
      this.problem = errorMessage(e);
    } finally {
      this.preparing = false;
    }
  }

  private async scores(prompts: string[], texts: string[], rm: boolean) {
    if (rm) return this.pg.scoreTexts(prompts, texts);
    const gold = this.pg.labeler;
    return texts.map((text, i) => ({
      text,
      rm: null,
      gold: gold ? gold.score(text, prompts[i]) : NaN,
    }));
  }

  /** The person's choice for the current pair: a side, or 0.5 for a tie. Kept at once. */
  choose(side: 0 | 1 | 0.5): void {
    const pair = this.current;
    if (!pair) return;
    pair.choice = side;
    this.revealed = pair;
    const preset = this.pg.preset;
    if (!preset) return;
    void this.pg.store
      .saveLabel({
        presetId: preset.id,
        kind: 'blind-ab',
        prompt: pair.prompt,
        data: { shown: [...pair.shown], from: [...pair.from], choice: side },
        createdAt: Date.now(),
      })
      .catch(() => undefined);
  }

  reset(): void {
    this.pairs = [];
    this.tested = null;
    this.revealed = null;
    this.problem = null;
  }

  get results(): BlindResults | null {
    if (this.pairs.length === 0 || !this.tested) return null;
    const judged = this.pairs.filter((p) => p.choice !== null);
    const a = this.tested.a;
    return {
      judged: judged.length,
      person: winsOf(judged, a, (p) => p.choice as number),
      rm: this.pairs[0].rm ? winsOf(this.pairs, a, (p) => better(p.rm!)) : null,
      gold: winsOf(this.pairs, a, (p) => better(p.gold)),
    };
  }
}
