/**
 * Reward model (InstructGPT step 2): the LM trunk with a scalar head read at
 * the last token of prompt + completion.
 *
 * Pairwise objective: each prompt's K ranked completions give all C(K,2)
 * comparisons, and they stay together as ONE batch element (the paper found
 * that shuffling pairs independently overfits); the loss is
 * −1/C(K,2) Σ log σ(r_better − r_worse) per prompt, averaged over prompts.
 * Direct-score objective: regress σ(r) on absolute grades in [0, 1].
 * After training, `normalize` shifts the head's bias so that demonstrations
 * score 0 on average.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty } from '../errors';
import type { GPT } from '../gpt';
import { directScoreLoss, rankingLoss, rankingToPairs } from '../losses/ranking';
import { pairDifferences } from '../losses/ranking';
import { disposeBatch, packSequences, pickPerRow, type Sequence } from './batch';
import { Optimizer, sumScalars, type OptimizerSettings } from './optimizer';

export interface RankedGroup {
  prompt: number[];
  completions: number[][];
  /** `ranks[i]` is completion i's place: 0 = best, equal places are ties. */
  ranks: number[];
}

export interface GradedGroup {
  prompt: number[];
  completions: number[][];
  /** Absolute grades in [0, 1], higher is better. */
  grades: number[];
}

export type RewardObjective = 'pairwise' | 'direct';

/** Where the reward is read: the last token (InstructGPT), or the mean over the response. */
export type RewardReadout = 'last' | 'mean';

export interface RewardModelSettings extends OptimizerSettings {
  objective?: RewardObjective;
  readout?: RewardReadout;
  /** Train the whole model, or only the scalar head on a frozen trunk. Default 'all'. */
  trains?: 'all' | 'head';
}

function checkGroups(groups: (RankedGroup | GradedGroup)[]): void {
  assertNonEmpty('groups', groups);
  groups.forEach((g, i) => {
    const labels = 'ranks' in g ? g.ranks : g.grades;
    if (g.completions.length < 2) {
      throw new ArgumentError(
        'groups',
        `group ${i} has ${g.completions.length} completion(s); at least 2 are needed`,
      );
    }
    if (labels.length !== g.completions.length) {
      throw new ArgumentError(
        'groups',
        `group ${i} has ${g.completions.length} completions but ${labels.length} ${'ranks' in g ? 'ranks' : 'grades'}`,
      );
    }
  });
}

/** Ranks implied by grades: higher grade, better (smaller) place; equal grades tie. */
export function gradesToRanks(grades: number[]): number[] {
  return grades.map((g) => grades.filter((h) => h > g).length);
}

export class RewardModelTrainer {
  readonly model: GPT;
  readonly optimizer: Optimizer;
  objective: RewardObjective;
  readonly readout: RewardReadout;
  stepCount = 0;

  constructor(model: GPT, settings: RewardModelSettings) {
    if (!model.config.scalarHead) throw new ArgumentError('model', 'has no scalar (reward) head');
    this.model = model;
    this.objective = settings.objective ?? 'pairwise';
    this.readout = settings.readout ?? 'last';
    const trained =
      settings.trains === 'head'
        ? model.variables.filter((v) =>
            [...model.named].some(([n, w]) => w === v && n.startsWith('score.')),
          )
        : model.variables;
    this.optimizer = new Optimizer(trained, settings);
  }

  /** Rewards r(x, y) at the last token of each sequence, [B]. Call inside tidy. */
  rewards(seqs: Sequence[]): tf.Tensor1D {
    const packed = packSequences(seqs, this.model.config.blockSize);
    try {
      return tf.tidy(() => {
        const { logits, head } = this.model.forward(packed.ids);
        logits.dispose();
        if (this.readout === 'last') return pickPerRow(head!, packed.lastIndex);
        // The mean of the per-token head over the response tokens (EOS included).
        const masked = tf.sum(tf.mul(head!, packed.lossMask), 1);
        return tf.div(masked, tf.sum(packed.lossMask, 1)) as tf.Tensor1D;
      });
    } finally {
      disposeBatch(packed);
    }
  }

  /** Scores as numbers (one read-back). */
  async score(seqs: Sequence[]): Promise<number[]> {
    const r = this.rewards(seqs);
    const out = Array.from(await r.data());
    r.dispose();
    return out;
  }

  /** The loss and pairwise accuracy of a batch of groups, as scalars. */
  private lossAndAccuracy(groups: (RankedGroup | GradedGroup)[]): {
    loss: tf.Scalar;
    accuracy: tf.Scalar;
    pairs: number;
  } {
    const seqs = groups.flatMap((g) =>
      g.completions.map((c) => ({ prompt: g.prompt, response: c })),
    );
    const rewards = this.rewards(seqs);
    const losses: tf.Scalar[] = [];
    const correct: tf.Scalar[] = [];
    let pairs = 0;
    let offset = 0;
    for (const g of groups) {
      const k = g.completions.length;
      const r = rewards.slice(offset, k) as tf.Tensor1D;
      offset += k;
      const ranks = 'ranks' in g ? g.ranks : gradesToRanks(g.grades);
      const groupPairs = rankingToPairs(ranks);
      if (this.objective === 'direct') {
        if (!('grades' in g))
          throw new ArgumentError('groups', 'the direct-score objective needs grades, not ranks');
        losses.push(directScoreLoss(r, g.grades));
      } else if (groupPairs.length > 0) {
        losses.push(rankingLoss(r, ranks));
      }
      if (groupPairs.length > 0) {
        correct.push(tf.sum(tf.step(pairDifferences(r, groupPairs))) as tf.Scalar);
        pairs += groupPairs.length;
      }
    }
    if (losses.length === 0)
      throw new ArgumentError('groups', 'hold no comparisons (every ranking is a tie)');
    const loss = tf.div(sumScalars(losses), losses.length) as tf.Scalar;
    const accuracy = tf.div(sumScalars(correct), Math.max(pairs, 1)) as tf.Scalar;
    return { loss, accuracy, pairs };
  }

  /** One update; returns `rm/loss`, `rm/accuracy` (on this batch), `rm/grad_norm`, `rm/pairs`. */
  async step(groups: (RankedGroup | GradedGroup)[]): Promise<Record<string, number>> {
    checkGroups(groups);
    let pairs = 0;
    const metrics = await this.optimizer.step(
      () => {
        const out = this.lossAndAccuracy(groups);
        pairs = out.pairs;
        return { loss: out.loss, metrics: { 'rm/accuracy': out.accuracy } };
      },
      'rm/loss',
      'rm',
    );
    this.stepCount++;
    return { ...metrics, 'rm/pairs': pairs, step: this.stepCount };
  }

  /** Held-out loss and pairwise accuracy, without updating. */
  async evaluate(
    groups: (RankedGroup | GradedGroup)[],
  ): Promise<{ loss: number; accuracy: number; pairs: number }> {
    checkGroups(groups);
    const { loss, accuracy, pairs } = tf.tidy(() => {
      const o = this.lossAndAccuracy(groups);
      return { loss: o.loss, accuracy: o.accuracy, pairs: tf.scalar(o.pairs) };
    });
    const packed = tf.stack([loss, accuracy, pairs]);
    const [l, a, p] = await packed.data();
    tf.dispose([loss, accuracy, pairs, packed]);
    return { loss: l, accuracy: a, pairs: p };
  }

  /** Shifts the head bias so the demonstrations score 0 on average; returns the shift. */
  async normalize(demonstrations: Sequence[]): Promise<number> {
    assertNonEmpty('demonstrations', demonstrations);
    const r = this.rewards(demonstrations);
    const mean = r.mean();
    const shift = (await mean.data())[0];
    const bias = this.model.named.get('score.bias')!;
    tf.tidy(() => bias.assign(tf.sub(bias, shift)));
    tf.dispose([r, mean]);
    return -shift;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
