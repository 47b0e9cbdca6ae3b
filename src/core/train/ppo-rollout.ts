/**
 * Steps 1–3 of a PPO iteration (see `ppo.ts`): the rollout of sampled
 * responses through the policy and the frozen reference, KL-penalised
 * rewards, GAE and whitened advantages, read back once for the minibatch
 * updates.
 */
import * as tf from '@tensorflow/tfjs';
import { tokenLogprobs } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import { gaeMasked } from '../losses/gae';
import { klPenalizedRewards, whiten } from '../losses/ppo';
import type { PackedBatch } from './batch';

/** Rollout tensors read back once, as flat row-major [B, T-1] arrays. */
export interface RolloutStats {
  oldLogprobs: Float32Array;
  oldValues: Float32Array;
  advantages: Float32Array;
  returns: Float32Array;
  mask: Float32Array;
  /** log π − log π_ref at each response token (0 elsewhere): the KL penalty's summand. */
  kl: Float32Array;
  metrics: Record<string, number>;
}

/** What the rollout reads from the trainer (read when it needs them, as settings may change). */
export interface RolloutSource {
  readonly policy: GPT;
  readonly ref: GPT;
  readonly kl: { readonly value: number };
  readonly settings: { readonly gamma: number; readonly lam: number };
}

/** Steps 1–3: old log-probs, values, KL-penalised rewards, GAE. One read-back. */
export async function rollout(
  trainer: RolloutSource,
  packed: PackedBatch,
  scores: number[],
): Promise<RolloutStats> {
  const { B, T } = packed;
  const beta = trainer.kl.value;
  const t = tf.tidy(() => {
    const mask = packed.lossMask.slice([0, 1], [B, T - 1]) as tf.Tensor2D; // targets t+1 that are response
    const pol = trainer.policy.forward(packed.ids);
    const logprobs = tokenLogprobs(pol.logits, packed.ids);
    const values = pol.head!.slice([0, 0], [B, T - 1]) as tf.Tensor2D; // V of the state before token t+1
    const ref = trainer.ref.forward(packed.ids);
    const refLogprobs = tokenLogprobs(ref.logits, packed.ids);
    const { rewards, kl } = klPenalizedRewards({
      logprobs,
      refLogprobs,
      mask,
      scores: tf.tensor1d(scores),
      beta,
    });
    // TRL's statistics: KL and entropy estimate summed over each response, then averaged.
    const klSum = tf.sum(kl, 1).mean();
    const entropy = tf.sum(tf.mul(tf.neg(logprobs), mask), 1).mean();
    return { logprobs, values, rewards, mask, kl, stats: tf.stack([klSum, entropy]) };
  });
  const [logprobs, values, rewards, mask, kl, stats] = await Promise.all([
    t.logprobs.data(),
    t.values.data(),
    t.rewards.data(),
    t.mask.data(),
    t.kl.data(),
    t.stats.data(),
  ]);
  tf.dispose(t);
  const { advantages, returns } = gaeMasked(
    rewards as Float32Array,
    values as Float32Array,
    mask as Float32Array,
    B,
    T - 1,
    trainer.settings.gamma,
    trainer.settings.lam,
  );
  // Whiten advantages over all response tokens of the batch (TRL).
  const whitened = tf.tidy(() =>
    whiten(tf.tensor2d(advantages, [B, T - 1]), tf.tensor2d(mask as Float32Array, [B, T - 1])),
  );
  const adv = (await whitened.data()) as Float32Array;
  whitened.dispose();
  let n = 0;
  let retSum = 0;
  let retSq = 0;
  let resSum = 0;
  let resSq = 0;
  for (let i = 0; i < mask.length; i++) {
    if (mask[i] === 0) continue;
    n++;
    retSum += returns[i];
    retSq += returns[i] ** 2;
    const r = returns[i] - values[i];
    resSum += r;
    resSq += r * r;
  }
  const retVar = retSq / n - (retSum / n) ** 2;
  const resVar = resSq / n - (resSum / n) ** 2;
  return {
    oldLogprobs: logprobs as Float32Array,
    oldValues: values as Float32Array,
    advantages: adv,
    returns,
    mask: mask as Float32Array,
    kl: kl as Float32Array,
    metrics: {
      'objective/kl': stats[0],
      'objective/kl_coef': beta,
      'objective/entropy': stats[1],
      'ppo/returns/mean': retSum / n,
      'ppo/val/var_explained': retVar > 0 ? 1 - resVar / retVar : 0,
    },
  };
}
