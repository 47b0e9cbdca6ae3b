/**
 * One sampling step on the device: top-k and top-p filtering of the logits,
 * the Gumbel-max choice of each row's next token, and that token's
 * log-probability under the policy and under the distribution sampled from.
 * The decode loop that calls it is in `sample.ts`.
 */
import * as tf from '@tensorflow/tfjs';
import { BOS_ID, PAD_ID, UNK_ID } from './tokenizer';

const MASKED = -1e9;
/** Tokens without text, which sampling never emits (see `gumbelNoiseTensor`). */
export const NEVER_SAMPLED = [PAD_ID, BOS_ID, UNK_ID] as const;

interface PickSettings {
  temperature: number;
  topK: number;
  topP: number;
  eosId: number;
}

/**
 * One sampling step on the device, from next-token logits (B, V). Returns the
 * tokens, the done flags and a (B, 3) record: token, logprob, sample logprob.
 * Every kernel costs ~8 µs on wasm whatever its size, so the common settings
 * (temperature 1, no filtering, no EOS) take the shortest path.
 */
export function pickTokens(
  logits: tf.Tensor2D,
  done: tf.Tensor1D,
  noise: tf.Tensor2D | null,
  offsets: tf.Tensor2D,
  s: PickSettings,
) {
  const [B, V] = logits.shape;
  const policyLogprobs = logSoftmax(logits);
  let token: tf.Tensor1D;
  let sampleLogprobs: tf.Tensor2D | null; // null: the chosen token has probability 1 (greedy)
  if (s.temperature === 0) {
    token = tf.argMax(logits, 1) as tf.Tensor1D;
    sampleLogprobs = null;
  } else {
    const scaled = s.temperature === 1 ? logits : (tf.div(logits, s.temperature) as tf.Tensor2D);
    const z = filterLogits(scaled, s.topK, s.topP);
    // Unfiltered at temperature 1, the sampled distribution is the policy's.
    sampleLogprobs = z === logits ? policyLogprobs : logSoftmax(z);
    token = tf.argMax(tf.add(z, noise!), 1) as tf.Tensor1D;
  }
  let newDone = done;
  if (s.eosId >= 0) {
    // Rows that have ended emit PAD with log-probability 0.
    token = tf.where(done.cast('bool'), tf.fill([B], PAD_ID, 'int32'), token) as tf.Tensor1D;
    newDone = tf.maximum(done, tf.equal(token, s.eosId).toFloat()) as tf.Tensor1D;
  }
  const index = token.reshape([B, 1]);
  // Row b's entry at index[b] of a flattened (B, V) tensor, as (B, 1). (gather
  // with batchDims corrupts memory on wasm 4.22.)
  const flat = tf.add(index, offsets);
  const at = (x: tf.Tensor2D) => tf.gather(x.reshape([B * V]), flat) as tf.Tensor2D;
  let lp = at(policyLogprobs); // (B, 1)
  let slp = sampleLogprobs
    ? sampleLogprobs === policyLogprobs
      ? lp
      : at(sampleLogprobs)
    : (tf.zeros([B, 1]) as tf.Tensor2D);
  if (s.eosId >= 0) {
    const live = tf.sub(1, done).reshape([B, 1]);
    const same = slp === lp;
    lp = tf.mul(lp, live);
    slp = same ? lp : tf.mul(slp, live);
  }
  return {
    token: tf.keep(token),
    done: newDone === done ? done : tf.keep(newDone),
    record: tf.keep(tf.concat([index.toFloat(), lp, slp], 1) as tf.Tensor2D),
  };
}

export function rowOffsets(B: number, V: number): Int32Array {
  return Int32Array.from({ length: B }, (_, b) => b * V);
}

/** log-softmax over the last axis in plain ops (tf.logSoftmax adds a custom gradient). */
function logSoftmax(x: tf.Tensor2D): tf.Tensor2D {
  const shifted = tf.sub(x, x.max(-1, true));
  return tf.sub(shifted, tf.log(tf.exp(shifted).sum(-1, true)));
}

/** Masks logits outside the top-k and outside the top-p nucleus, (B, V). */
export function filterLogits(z: tf.Tensor2D, topK: number, topP: number): tf.Tensor2D {
  return tf.tidy(() => {
    const V = z.shape[1];
    let out = z;
    if (topK > 0 && topK < V) {
      const kth = tf.topk(out, topK).values.min(1, true); // (B, 1)
      out = tf.where(tf.less(out, kth), tf.fill(out.shape, MASKED), out) as tf.Tensor2D;
    }
    if (topP < 1) {
      const sorted = tf.topk(out, V).values; // descending
      const probs = tf.softmax(sorted);
      // Keep a token if the mass strictly before it is below p (the first always stays).
      const before = tf.sub(tf.cumsum(probs, 1), probs);
      const keep = tf.less(before, topP);
      const threshold = tf.where(keep, sorted, tf.fill(sorted.shape, Infinity)).min(1, true);
      out = tf.where(tf.less(out, threshold), tf.fill(out.shape, MASKED), out) as tf.Tensor2D;
    }
    return out;
  });
}

/**
 * Gumbel(0, 1) noise for every step, row and token, (N, B, V). The tokens
 * that carry no text (PAD, BOS, UNK) get −1e9, so they are never sampled: an
 * UNK would show as U+FFFD in the answer, and an untrained model gives it a
 * little probability.
 * Banning them costs no kernel; the noise is drawn in the same order either way.
 */
export function gumbelNoiseTensor(N: number, B: number, V: number, rng: () => number): tf.Tensor3D {
  const g = new Float32Array(N * B * V);
  for (let i = 0; i < g.length; i++) g[i] = -Math.log(-Math.log(Math.max(rng(), 1e-20)));
  for (let row = 0; row < N * B; row++) {
    for (const id of NEVER_SAMPLED) if (id < V) g[row * V + id] = MASKED;
  }
  return tf.tensor3d(g, [N, B, V]);
}
