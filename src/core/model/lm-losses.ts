/**
 * Next-token losses of a language model: the mean cross-entropy that SFT
 * minimises, and per-token log-probabilities and entropies that PPO and RRHF
 * read (`logprobs` as in the papers and TRL).
 *
 * Shapes: B batch, T sequence, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertShape } from '../errors';
import { customOp } from '../ops/custom-grad';
import type { GPT } from './gpt';

/**
 * Mean next-token cross-entropy: position t predicts ids[:, t+1].
 * `lossMask` [B,T] marks which tokens count as targets (1 = counts); the mask
 * of position 0 is ignored since nothing predicts it. Without a mask every
 * target counts.
 */
export function lmLoss(
  model: GPT,
  ids: tf.Tensor2D,
  lossMask?: tf.Tensor2D,
  padMask?: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const [B, T] = ids.shape;
    if (T < 2) throw new ArgumentError('ids', 'needs at least 2 tokens to predict one');
    if (lossMask) assertShape('lossMask', lossMask, [B, T]);
    const { logits } = model.forward(ids, { padMask });
    const lp = tokenLogprobs(logits, ids); // (B, T-1)
    const mask = lossMask ? lossMask.slice([0, 1], [B, T - 1]) : tf.onesLike(lp);
    return tf.div(tf.mul(lp, mask).sum(), tf.maximum(mask.sum(), 1)).neg() as tf.Scalar;
  });
}

/** log π(ids[:, t+1] | ids[:, ≤t]) for t = 0..T-2, (B, T-1), from logits (B, T, V). */
export function tokenLogprobs(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    // A target at every position (the last wraps around and is dropped): on
    // wasm, slicing the logits instead would copy all of them.
    const next = tf.concat([ids.slice([0, 1], [B, T - 1]), ids.slice([0, 0], [B, 1])], 1);
    const targets = tf.oneHot(next, V).toFloat() as tf.Tensor3D; // (B, T, V)
    return logprobsAt(logits, targets).slice([0, 0], [B, T - 1]) as tf.Tensor2D;
  });
}

/**
 * Σ_v logSoftmax(logits)·targets over the last axis, (B, T), with the
 * analytic gradient dy·(targets − softmax(logits)).
 */
export function logprobsAt(logits: tf.Tensor3D, targets: tf.Tensor3D): tf.Tensor2D {
  const op = customOp<tf.Tensor2D>(([x], save) => {
    save([x, targets]);
    const shifted = tf.sub(x, x.max(-1, true));
    const logSoftmax = tf.sub(shifted, tf.log(tf.exp(shifted).sum(-1, true)));
    return {
      value: tf.mul(logSoftmax, targets).sum(-1),
      gradFunc: (dy, [xs, t]) => [tf.mul(dy.expandDims(-1), tf.sub(t, tf.softmax(xs)))],
    };
  });
  return op(logits);
}

/** `tokenLogprobs` from plain tfjs ops and autodiff: the reference in tests. */
export function tokenLogprobsReference(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const lsm = tf.logSoftmax(logits.slice([0, 0, 0], [B, T - 1, V])); // (B, T-1, V)
    const targets = tf.oneHot(ids.slice([0, 1], [B, T - 1]), V).toFloat(); // (B, T-1, V)
    return tf.mul(lsm, targets).sum(-1) as tf.Tensor2D;
  });
}

/** Entropy of the next-token distribution at each position, (B, T). */
export function tokenEntropy(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const lsm = tf.logSoftmax(logits);
    return tf.mul(tf.exp(lsm), lsm).sum(-1).neg() as tf.Tensor2D;
  });
}
