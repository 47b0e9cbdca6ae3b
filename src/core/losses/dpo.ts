/**
 * DPO (Rafailov et al. 2023, arXiv 2305.18290, eq. 7) and IPO (Azar et al.
 * 2023, arXiv 2310.12036, eq. 17) over N preference pairs (y_w chosen over
 * y_l), from sequence log-probabilities of the policy π and the frozen
 * reference π_ref:
 *   h_i = (log π(y_w|x) − log π_ref(y_w|x)) − (log π(y_l|x) − log π_ref(y_l|x)),
 *   sigmoid (DPO): L = mean_i −log σ(β·h_i) = mean_i softplus(−β·h_i),
 *   ipo:           L = mean_i (h_i − 1/(2β))²   (β is the IPO paper's τ),
 * as TRL's DPOTrainer.dpo_loss with loss_type "sigmoid" (no label smoothing)
 * and "ipo". softplus(−z) neither overflows nor loses precision for large |z|.
 * The implicit rewards are r = β·(log π(y|x) − log π_ref(y|x)) (DPO §5;
 * TRL's chosen_rewards and rejected_rewards).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertOneOf, assertSameShape, assertShape } from '../errors';

export type DpoLossType = 'sigmoid' | 'ipo';
export const DPO_LOSS_TYPES: readonly DpoLossType[] = ['sigmoid', 'ipo'];

export interface DpoInput {
  /** log π(y_w|x) per pair, [N] (differentiable). */
  policyChosen: tf.Tensor1D;
  /** log π(y_l|x) per pair, [N] (differentiable). */
  policyRejected: tf.Tensor1D;
  /** log π_ref(y_w|x) per pair, [N]. */
  refChosen: tf.Tensor1D;
  /** log π_ref(y_l|x) per pair, [N]. */
  refRejected: tf.Tensor1D;
  /** Strength of the KL constraint (DPO's β, IPO's τ); > 0. */
  beta: number;
  /** 'sigmoid' (DPO, the default) or 'ipo'. */
  loss?: DpoLossType;
}

export interface DpoOutput {
  /** Mean loss over the pairs. */
  loss: tf.Scalar;
  /** β·(log π(y_w) − log π_ref(y_w)) per pair, [N]. */
  chosenRewards: tf.Tensor1D;
  /** β·(log π(y_l) − log π_ref(y_l)) per pair, [N]. */
  rejectedRewards: tf.Tensor1D;
}

/** Throws unless β is a finite number > 0. */
export function checkDpoBeta(beta: number): void {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta <= 0) {
    throw new ArgumentError('beta', `is ${String(beta)}; expected a finite number > 0`);
  }
}

/** Throws unless `loss` names one of the DPO_LOSS_TYPES. */
export function checkDpoLossType(loss: string): void {
  assertOneOf('loss', loss, DPO_LOSS_TYPES);
}

export function dpoLoss(input: DpoInput): DpoOutput {
  const { policyChosen, policyRejected, refChosen, refRejected, beta, loss = 'sigmoid' } = input;
  assertShape('policyChosen', policyChosen, [-1]);
  if (policyChosen.shape[0] === 0) throw new ArgumentError('policyChosen', 'is empty');
  for (const [name, t] of [
    ['policyRejected', policyRejected],
    ['refChosen', refChosen],
    ['refRejected', refRejected],
  ] as const) {
    assertSameShape(name, t, 'policyChosen', policyChosen);
  }
  checkDpoBeta(beta);
  checkDpoLossType(loss);

  return tf.tidy(() => {
    const chosenLogratios = tf.sub(policyChosen, refChosen); // log π(y_w)/π_ref(y_w)
    const rejectedLogratios = tf.sub(policyRejected, refRejected);
    const h = tf.sub(chosenLogratios, rejectedLogratios); // TRL's `logits`
    const perPair =
      loss === 'sigmoid'
        ? tf.softplus(tf.mul(h, -beta)) // −log σ(β·h)
        : tf.square(tf.sub(h, 1 / (2 * beta)));
    return {
      loss: tf.mean(perPair) as tf.Scalar,
      chosenRewards: tf.mul(chosenLogratios, beta) as tf.Tensor1D,
      rejectedRewards: tf.mul(rejectedLogratios, beta) as tf.Tensor1D,
    };
  });
}
