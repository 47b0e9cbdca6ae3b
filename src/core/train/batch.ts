/**
 * Packing token sequences into padded batches for the trainers.
 * Right padding: positions start at 0 in every row, and causal attention means
 * padding after a sequence cannot change what comes before it.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertNonEmpty } from '../errors';
import { PAD_ID } from '../tokenizer';

export interface PackedBatch {
  /** [B, T] int32, right-padded with PAD. */
  ids: tf.Tensor2D;
  /** [B, T] float: 1 where the token counts as a target (the response), 0 elsewhere. */
  lossMask: tf.Tensor2D;
  /** Index of each row's last real token. */
  lastIndex: number[];
  /** Response tokens per row (Σ of the loss mask). */
  responseLengths: number[];
  B: number;
  T: number;
}

export interface Sequence {
  /** Tokens that condition the response (not trained on). */
  prompt: number[];
  /** Tokens that are trained on / scored. */
  response: number[];
}

/**
 * Packs prompt+response sequences. Sequences longer than `maxLen` lose tokens
 * from the left of the prompt first, then from the end of the response.
 */
export function packSequences(seqs: Sequence[], maxLen: number): PackedBatch {
  assertNonEmpty('sequences', seqs);
  const rows = seqs.map((s, i) => {
    if (s.prompt.length + s.response.length < 2) {
      throw new ArgumentError('sequences', `sequence ${i} has fewer than 2 tokens`);
    }
    if (s.response.length === 0)
      throw new ArgumentError('sequences', `sequence ${i} has an empty response`);
    let prompt = s.prompt;
    let response = s.response;
    const over = prompt.length + response.length - maxLen;
    if (over > 0) {
      const cut = Math.min(over, Math.max(0, prompt.length - 1));
      prompt = prompt.slice(cut);
      response = response.slice(0, maxLen - prompt.length);
    }
    return { prompt, response };
  });
  const T = Math.max(...rows.map((r) => r.prompt.length + r.response.length));
  const B = rows.length;
  const ids = new Int32Array(B * T).fill(PAD_ID);
  const mask = new Float32Array(B * T);
  rows.forEach((r, b) => {
    ids.set(r.prompt, b * T);
    ids.set(r.response, b * T + r.prompt.length);
    mask.fill(1, b * T + r.prompt.length, b * T + r.prompt.length + r.response.length);
  });
  return {
    ids: tf.tensor2d(ids, [B, T], 'int32'),
    lossMask: tf.tensor2d(mask, [B, T]),
    lastIndex: rows.map((r) => r.prompt.length + r.response.length - 1),
    responseLengths: rows.map((r) => r.response.length),
    B,
    T,
  };
}

export function disposeBatch(b: PackedBatch): void {
  tf.dispose([b.ids, b.lossMask]);
}

/** Picks the value at each row's index: x [B, T], indices per row → [B]. */
export function pickPerRow(x: tf.Tensor2D, indices: number[]): tf.Tensor1D {
  return tf.tidy(() => {
    const T = x.shape[1];
    // oneHot's dtype argument is ignored on wasm (it returns int32 bits): cast instead.
    const onehot = tf.oneHot(tf.tensor1d(indices, 'int32'), T).toFloat();
    return tf.sum(tf.mul(x, onehot), 1) as tf.Tensor1D;
  });
}
