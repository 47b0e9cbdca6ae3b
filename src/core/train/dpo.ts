/**
 * DPO (Rafailov et al. 2023, arXiv 2305.18290): learn from preference pairs
 * straight into the policy, with neither a reward model nor sampling. The
 * policy's log-probability ratio to a frozen reference acts as an implicit
 * reward, r(x, y) = β·log π(y|x)/π_ref(y|x), and a Bradley–Terry loss on
 * r(x, y_w) − r(x, y_l) pushes the chosen answer above the rejected one
 * (../losses/dpo.ts). IPO (Azar et al. 2023, arXiv 2310.12036) regresses the
 * same log-ratio difference onto 1/(2β) instead, which keeps it bounded when
 * the preferences are deterministic.
 *
 * As TRL's DPOTrainer: each pair is prompt+chosen and prompt+rejected in one
 * batch (chosen rows first), log π(y|x) sums the response tokens only (prompt
 * and padding masked, as RRHF), and for IPO it is the mean over the response
 * tokens instead (TRL's concatenated_forward divides by the response length
 * when loss_type is "ipo"). The reference's log-probabilities are computed
 * outside the gradient tape, and its variables are not the optimizer's: it
 * stays as it is. Metrics carry TRL's names (`rewards/chosen`, ...).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty } from '../errors';
import { tokenLogprobs } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import { checkDpoBeta, checkDpoLossType, dpoLoss, type DpoLossType } from '../losses/dpo';
import { rankingToPairs } from '../preferences';
import { disposeBatch, packSequences, type PackedBatch } from './batch';
import { assertReference } from './reference';
import { Optimizer, type OptimizerSettings } from './optimizer';

/** One preference: `chosen` was preferred to `rejected` as answers to `prompt` (token ids). */
export interface DpoPair {
  prompt: number[];
  chosen: number[];
  rejected: number[];
}

export interface DpoSettings extends OptimizerSettings {
  /** DPO's β (IPO's τ): how far the policy may move from the reference; > 0. TRL's default 0.1. */
  beta: number;
  /** 'sigmoid' (DPO, the default) or 'ipo'. */
  loss?: DpoLossType;
}

/**
 * The pairs of one ranking (`ranks[i]` = place of `responses[i]`, 0 best):
 * every two answers at different places, the better one chosen (ties give none).
 */
export function dpoPairs(prompt: number[], responses: number[][], ranks: number[]): DpoPair[] {
  if (ranks.length !== responses.length) {
    throw new ArgumentError(
      'ranks',
      `has ${ranks.length} entries but there are ${responses.length} responses`,
    );
  }
  return rankingToPairs(ranks).map(([better, worse]) => ({
    prompt,
    chosen: responses[better],
    rejected: responses[worse],
  }));
}

/** log π(y|x) of each row's response, (B): Σ over its tokens, or their mean with `average`. */
function responseLogps(model: GPT, packed: PackedBatch, average: boolean): tf.Tensor1D {
  return tf.tidy(() => {
    const { B, T } = packed;
    const { logits } = model.forward(packed.ids);
    const lp = tokenLogprobs(logits, packed.ids); // (B, T-1): log π of token t+1
    const mask = packed.lossMask.slice([0, 1], [B, T - 1]);
    const sums = tf.sum(tf.mul(lp, mask), 1) as tf.Tensor1D; // (B)
    return average ? (tf.div(sums, tf.tensor1d(packed.responseLengths)) as tf.Tensor1D) : sums;
  });
}

export class DpoTrainer {
  readonly model: GPT;
  /** The frozen reference π_ref (usually the SFT model): read, never trained. */
  readonly reference: GPT;
  readonly optimizer: Optimizer;
  /** May be changed between steps. */
  beta: number;
  /** May be changed between steps. */
  loss: DpoLossType;
  stepCount = 0;

  constructor(model: GPT, reference: GPT, settings: DpoSettings) {
    assertReference(model, reference);
    checkDpoBeta(settings.beta);
    checkDpoLossType(settings.loss ?? 'sigmoid');
    this.model = model;
    this.reference = reference;
    this.beta = settings.beta;
    this.loss = settings.loss ?? 'sigmoid';
    this.optimizer = new Optimizer(model.variables, settings);
  }

  /**
   * One update over a batch of pairs. Returns TRL's metrics, measured before
   * the update: `loss`, `rewards/{chosen,rejected,margins}` (means of the
   * implicit rewards and of their difference), `rewards/accuracies` (share of
   * pairs whose chosen reward is the higher), `logps/{chosen,rejected}` (mean
   * policy log-probabilities), with `dpo/grad_norm` and `step`.
   */
  async step(pairs: DpoPair[]): Promise<Record<string, number>> {
    assertNonEmpty('pairs', pairs);
    pairs.forEach((p, i) => {
      // The first response token needs a token before it to be predicted.
      if (p.prompt.length === 0) throw new ArgumentError('pairs', `pair ${i} has an empty prompt`);
      for (const side of ['chosen', 'rejected'] as const) {
        if (p[side].length === 0) {
          throw new ArgumentError('pairs', `pair ${i} has an empty ${side} response`);
        }
      }
    });
    const { beta, loss } = this;
    checkDpoBeta(beta);
    checkDpoLossType(loss);
    const n = pairs.length;
    const seqs = [
      ...pairs.map((p) => ({ prompt: p.prompt, response: p.chosen })),
      ...pairs.map((p) => ({ prompt: p.prompt, response: p.rejected })),
    ];
    const maxLen = Math.min(this.model.config.blockSize, this.reference.config.blockSize);
    const packed = packSequences(seqs, maxLen);
    const average = loss === 'ipo';
    let refLogps: tf.Tensor1D | null = null;
    try {
      // Off the tape: no gradient reaches the reference.
      const ref = (refLogps = responseLogps(this.reference, packed, average));
      const metrics = await this.optimizer.step(
        () => {
          const logps = responseLogps(this.model, packed, average); // (2N): chosen, then rejected
          const policyChosen = logps.slice(0, n);
          const policyRejected = logps.slice(n, n);
          const out = dpoLoss({
            policyChosen,
            policyRejected,
            refChosen: ref.slice(0, n),
            refRejected: ref.slice(n, n),
            beta,
            loss,
          });
          const { chosenRewards: chosen, rejectedRewards: rejected } = out;
          return {
            loss: out.loss,
            metrics: {
              'rewards/chosen': tf.mean(chosen) as tf.Scalar,
              'rewards/rejected': tf.mean(rejected) as tf.Scalar,
              'rewards/accuracies': tf.mean(
                tf.cast(tf.greater(chosen, rejected), 'float32'),
              ) as tf.Scalar,
              'rewards/margins': tf.mean(tf.sub(chosen, rejected)) as tf.Scalar,
              'logps/chosen': tf.mean(policyChosen) as tf.Scalar,
              'logps/rejected': tf.mean(policyRejected) as tf.Scalar,
            },
          };
        },
        'loss',
        'dpo',
      );
      this.stepCount++;
      return { ...metrics, step: this.stepCount };
    } finally {
      disposeBatch(packed);
      refLogps?.dispose();
    }
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}
