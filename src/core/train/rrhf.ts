/**
 * RRHF (Yuan et al. 2023, arXiv 2304.05302): rank responses to align the
 * policy with human feedback without a value model or PPO. For each prompt,
 * k candidates (from the policy, demonstrations or a person) with scores; the
 * length-normalised log-probabilities are pushed into the scores' order by a
 * hinge loss, plus cross-entropy on the best candidate. Only response tokens
 * count (prompt and padding masked, normalised by response length).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty } from '../errors';
import { tokenLogprobs } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import { rrhfLoss } from '../losses/rrhf';
import { disposeBatch, packSequences } from './batch';
import { Optimizer, sumScalars, type OptimizerSettings } from './optimizer';

export interface RrhfGroup {
  prompt: number[];
  candidates: number[][];
  /** Higher is better; from the reward model or straight from a person's ranking. */
  scores: number[];
}

export interface RrhfSettings extends OptimizerSettings {
  /** Exponent of the length normalisation; 1 = mean log-probability (the paper). */
  lengthPenalty?: number;
}

/** Scores from a ranking (`ranks[i]` = place, 0 best): higher score for a better place. */
export function ranksToScores(ranks: number[]): number[] {
  return ranks.map((r) => -r);
}

export class RrhfTrainer {
  readonly model: GPT;
  readonly optimizer: Optimizer;
  lengthPenalty: number;
  stepCount = 0;

  constructor(model: GPT, settings: RrhfSettings) {
    this.model = model;
    this.lengthPenalty = settings.lengthPenalty ?? 1;
    this.optimizer = new Optimizer(model.variables, settings);
  }

  /** One update over a batch of prompts; metrics `rrhf/loss/{rank,sft,total}`, `rrhf/best_score`. */
  async step(groups: RrhfGroup[]): Promise<Record<string, number>> {
    assertNonEmpty('groups', groups);
    groups.forEach((g, i) => {
      if (g.candidates.length < 2) {
        throw new ArgumentError(
          'groups',
          `group ${i} has ${g.candidates.length} candidate(s); RRHF needs at least 2`,
        );
      }
      if (g.scores.length !== g.candidates.length) {
        throw new ArgumentError(
          'groups',
          `group ${i} has ${g.candidates.length} candidates but ${g.scores.length} scores`,
        );
      }
    });
    const seqs = groups.flatMap((g) =>
      g.candidates.map((c) => ({ prompt: g.prompt, response: c })),
    );
    const packed = packSequences(seqs, this.model.config.blockSize);
    try {
      const metrics = await this.optimizer.step(
        () => {
          const { logits } = this.model.forward(packed.ids);
          const { B, T } = packed;
          const lp = tokenLogprobs(logits, packed.ids); // (B, T-1): log π of token t+1
          const mask = packed.lossMask.slice([0, 1], [B, T - 1]);
          const sums = tf.sum(tf.mul(lp, mask), 1) as tf.Tensor1D; // (B)
          const ranks: tf.Scalar[] = [];
          const sfts: tf.Scalar[] = [];
          let offset = 0;
          for (const g of groups) {
            const k = g.candidates.length;
            const out = rrhfLoss({
              logprobSums: sums.slice(offset, k) as tf.Tensor1D,
              lengths: packed.responseLengths.slice(offset, offset + k),
              scores: g.scores,
              lengthPenalty: this.lengthPenalty,
            });
            ranks.push(out.rank);
            sfts.push(out.sft);
            offset += k;
          }
          const rank = tf.div(sumScalars(ranks), groups.length) as tf.Scalar;
          const sft = tf.div(sumScalars(sfts), groups.length) as tf.Scalar;
          return {
            loss: tf.add(rank, sft) as tf.Scalar,
            metrics: { 'rrhf/loss/rank': rank, 'rrhf/loss/sft': sft },
          };
        },
        'rrhf/loss/total',
        'rrhf',
      );
      this.stepCount++;
      const best = groups.reduce((s, g) => s + Math.max(...g.scores), 0) / groups.length;
      // Mean score over all candidates: comparable with PPO's env/reward_mean
      // when the candidates are the policy's own samples.
      const all = groups.flatMap((g) => g.scores);
      const meanScore = all.reduce((a, b) => a + b, 0) / all.length;
      return {
        ...metrics,
        'rrhf/best_score': best,
        'env/reward_mean': meanScore,
        step: this.stepCount,
      };
    } finally {
      disposeBatch(packed);
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
