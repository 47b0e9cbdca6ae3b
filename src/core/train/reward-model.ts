/**
 * Reward model (InstructGPT step 2): the LM trunk with a scalar head. The
 * reward is the head's mean over the response's ending (its last 8 tokens,
 * EOS included; the default), over the whole response (`readout: 'mean'`), or,
 * as in InstructGPT, its value at the last token (`readout: 'last'`). With
 * `trains: 'head'` only the head learns, on the frozen trunk of the SFT model:
 * a linear model on the ending's mean hidden state, which generalises from the
 * ten rankings a person makes where a fine-tuned trunk memorises them
 * (docs/lessons.md measures it).
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
import type { GPT } from '../model/gpt';
import { directScoreLoss, pairDifferences, rankingLoss } from '../losses/ranking';
import {
  checkPreferences,
  directTargets,
  rankedOnly,
  ranksFromScores,
  ranksOf,
  rankingToPairs,
  type Preference,
} from '../preferences';
import { disposeBatch, packSequences, pickPerRow, type Sequence } from './batch';
import { Optimizer, sumScalars, type OptimizerSettings } from './optimizer';
import {
  CROSS_VALIDATE_MAX_GROUPS,
  EVAL_BATCH_SEQUENCES,
  groupBatches,
  spreadSample,
} from './reward-batches';
import {
  leaveOneOutAccuracy,
  PooledFeatures,
  readoutWeights,
  type RewardReadout,
} from './reward-head';

/** A preference as the trainer reads it: the prompt and completions as token ids. */
export type TokenPreference = Preference<number[]>;

export type RewardObjective = 'pairwise' | 'direct';

export interface RewardModelSettings extends OptimizerSettings {
  objective?: RewardObjective;
  readout?: RewardReadout;
  /** Train the whole model, or only the scalar head on a frozen trunk. Default 'all'. */
  trains?: 'all' | 'head';
  /** The most sequences per forward pass when scoring or evaluating. Default EVAL_BATCH_SEQUENCES. */
  evalBatchSequences?: number;
}

function checkGroups(groups: TokenPreference[]): void {
  checkPreferences('groups', groups);
}

function groupSequences(groups: TokenPreference[]): Sequence[] {
  return groups.flatMap((g) => g.completions.map((c) => ({ prompt: g.prompt, response: c })));
}

export class RewardModelTrainer {
  readonly model: GPT;
  readonly optimizer: Optimizer;
  objective: RewardObjective;
  readonly readout: RewardReadout;
  readonly trains: 'all' | 'head';
  readonly evalBatch: number;
  stepCount = 0;
  /** Pooled features of the answers seen, when only the head trains. */
  private readonly features: PooledFeatures;

  constructor(model: GPT, settings: RewardModelSettings) {
    if (!model.config.scalarHead) throw new ArgumentError('model', 'has no scalar (reward) head');
    this.model = model;
    this.objective = settings.objective ?? 'pairwise';
    this.readout = settings.readout ?? 'ending';
    this.trains = settings.trains ?? 'all';
    const b = settings.evalBatchSequences ?? EVAL_BATCH_SEQUENCES;
    if (!Number.isInteger(b) || b < 1) {
      throw new ArgumentError('evalBatchSequences', `is ${b}; expected a positive integer`);
    }
    this.evalBatch = b;
    this.features = new PooledFeatures(model, this.readout, b);
    const trained = this.trains === 'head' ? [model.score!.w, model.score!.b] : model.variables;
    this.optimizer = new Optimizer(trained, settings);
  }

  /** Rewards r(x, y), [B], read as `readout` says. Call inside tidy. */
  rewards(seqs: Sequence[]): tf.Tensor1D {
    const packed = packSequences(seqs, this.model.config.blockSize);
    try {
      return tf.tidy(() => {
        const { logits, head } = this.model.forward(packed.ids);
        logits.dispose();
        if (this.readout === 'last') return pickPerRow(head!, packed.lastIndex);
        // The mean of the per-token head over the response (EOS included), or its ending.
        return tf.sum(tf.mul(head!, readoutWeights(packed, this.readout)), 1) as tf.Tensor1D;
      });
    } finally {
      disposeBatch(packed);
    }
  }

  /** Scores as numbers, in forward passes of at most `evalBatch` sequences. */
  async score(seqs: Sequence[]): Promise<number[]> {
    const out: number[] = [];
    for (let i = 0; i < seqs.length; i += this.evalBatch) {
      const r = this.rewards(seqs.slice(i, i + this.evalBatch));
      out.push(...(await r.data()));
      r.dispose();
    }
    return out;
  }

  /** Fills the feature cache for `seqs` (a frozen trunk only): one forward pass for the new ones. */
  private async cacheFeatures(seqs: Sequence[]): Promise<void> {
    if (this.trains !== 'head') return;
    await this.features.add(seqs);
  }

  /** Rewards for training: from the cached features with a frozen trunk, else a forward pass. */
  private trainingRewards(seqs: Sequence[]): tf.Tensor1D {
    if (this.trains !== 'head') return this.rewards(seqs);
    return this.features.rewards(seqs);
  }

  /** The loss and pairwise accuracy of a batch of groups, as scalars. */
  private lossAndAccuracy(groups: TokenPreference[]): {
    loss: tf.Scalar;
    accuracy: tf.Scalar;
    pairs: number;
  } {
    const s = this.batchSums(groups);
    if (s.lossGroups === 0)
      throw new ArgumentError('groups', 'hold no comparisons (every ranking is a tie)');
    const loss = tf.div(s.loss, s.lossGroups) as tf.Scalar;
    const accuracy = tf.div(s.correct, Math.max(s.pairs, 1)) as tf.Scalar;
    return { loss, accuracy, pairs: s.pairs };
  }

  /**
   * Sums over a batch of groups: of the per-group losses (and how many groups
   * have one), and of the correctly ordered pairs (and how many pairs there
   * are). Call inside tidy.
   */
  private batchSums(groups: TokenPreference[]): {
    loss: tf.Scalar;
    lossGroups: number;
    correct: tf.Scalar;
    pairs: number;
  } {
    const seqs = groupSequences(groups);
    const rewards = this.trainingRewards(seqs);
    const losses: tf.Scalar[] = [];
    const correct: tf.Scalar[] = [];
    let pairs = 0;
    let offset = 0;
    for (const g of groups) {
      const k = g.completions.length;
      const r = rewards.slice(offset, k) as tf.Tensor1D;
      offset += k;
      // The direct-score objective orders the answers by the targets it regresses on.
      const targets = this.objective === 'direct' ? directTargets(g) : null;
      const ranks = targets ? ranksFromScores(targets) : ranksOf(g);
      const groupPairs = rankingToPairs(ranks);
      if (targets) {
        losses.push(directScoreLoss(r, targets));
      } else if (groupPairs.length > 0) {
        losses.push(rankingLoss(r, ranks));
      }
      // Accuracy counts only the pairs a person ranked, not those with an added answer.
      const ranked =
        g.ranks !== undefined && g.added ? rankingToPairs(ranksOf(rankedOnly(g))) : groupPairs;
      if (ranked.length > 0) {
        correct.push(tf.sum(tf.step(pairDifferences(r, ranked))) as tf.Scalar);
        pairs += ranked.length;
      }
    }
    return {
      loss: sumScalars(losses),
      lossGroups: losses.length,
      correct: sumScalars(correct),
      pairs,
    };
  }

  /** One update; returns `rm/loss`, `rm/accuracy` (on this batch), `rm/grad_norm`, `rm/pairs`. */
  async step(groups: TokenPreference[]): Promise<Record<string, number>> {
    checkGroups(groups);
    await this.cacheFeatures(groupSequences(groups));
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

  /**
   * Held-out loss and pairwise accuracy, without updating: the mean loss
   * over the groups that have one and the share of correctly ordered pairs,
   * as one pass over all groups would give, computed in batches of at most
   * `evalBatch` completions (a larger group alone) so that memory stays bounded.
   */
  async evaluate(
    groups: TokenPreference[],
  ): Promise<{ loss: number; accuracy: number; pairs: number }> {
    checkGroups(groups);
    groups = groups.map(rankedOnly);
    let lossSum = 0;
    let lossGroups = 0;
    let correct = 0;
    let pairs = 0;
    for (const batch of groupBatches(groups, this.evalBatch)) {
      await this.cacheFeatures(groupSequences(batch));
      let counts = { lossGroups: 0, pairs: 0 };
      const sums = tf.tidy(() => {
        const r = this.batchSums(batch);
        counts = { lossGroups: r.lossGroups, pairs: r.pairs };
        return tf.stack([r.loss, r.correct]);
      });
      const [l, c] = await sums.data();
      sums.dispose();
      lossSum += l;
      lossGroups += counts.lossGroups;
      correct += c;
      pairs += counts.pairs;
    }
    if (lossGroups === 0)
      throw new ArgumentError('groups', 'hold no comparisons (every ranking is a tie)');
    return { loss: lossSum / lossGroups, accuracy: correct / Math.max(pairs, 1), pairs };
  }

  /**
   * Leave-one-out pairwise accuracy with a frozen trunk: each ranked group in
   * turn is ordered by a head trained from zero on all the others (full-batch
   * Adam in float64 on the same pairwise loss, `steps` steps at `lr`). Every
   * ranking is held out once, so ten rankings give a steadier estimate than the
   * two a 20% held-out share keeps aside. A tie in the predicted rewards counts
   * as wrong, as in `evaluate`. Needs `trains: 'head'`. Its cost grows with
   * the square of the number of groups, so beyond CROSS_VALIDATE_MAX_GROUPS
   * an evenly spread sample of that many is used.
   */
  async crossValidate(
    groups: TokenPreference[],
    o: { steps: number; lr: number },
  ): Promise<{ accuracy: number; pairs: number }> {
    if (this.trains !== 'head') {
      throw new ArgumentError('trains', "cross-validation needs a frozen trunk (trains: 'head')");
    }
    checkGroups(groups);
    groups = spreadSample(groups, CROSS_VALIDATE_MAX_GROUPS);
    await this.cacheFeatures(groupSequences(groups));
    const x = groups.map((g) =>
      g.completions.map((c) => this.features.get({ prompt: g.prompt, response: c })),
    );
    const pairs = groups.map((g) => rankingToPairs(ranksOf(g)));
    // The held-out group is judged on the pairs its person ranked.
    const rankedPairs = groups.map((g) => rankingToPairs(ranksOf(rankedOnly(g))));
    const C = this.model.config.nEmbd;
    return leaveOneOutAccuracy(x, pairs, rankedPairs, C, o);
  }

  /** Shifts the head bias so the demonstrations score 0 on average; returns the shift. */
  async normalize(demonstrations: Sequence[]): Promise<number> {
    assertNonEmpty('demonstrations', demonstrations);
    const scores = await this.score(demonstrations);
    const shift = scores.reduce((a, b) => a + b, 0) / scores.length;
    const bias = this.model.score!.b;
    tf.tidy(() => bias.assign(tf.sub(bias, shift)));
    return -shift;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
