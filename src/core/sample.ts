/**
 * Sampling from a GPT with temperature, top-k and top-p through the KV cache.
 *
 * Besides the tokens, each row gets the log-probability of every sampled token
 * under two distributions: the unfiltered policy at temperature 1 (what PPO's
 * ratio and KL use: filtering changes the distribution, a known source of
 * negative KL estimates) and the distribution actually sampled from.
 *
 * Sampling runs on the device: Gumbel-max with noise from a seeded JS generator
 * (identical on every backend), token ids stay in tensors, and the results are
 * read back once at the end (and every `checkEvery` tokens to stop early when
 * every row has ended).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertInRange, assertNonEmpty } from './errors';
import { disposeCache, type KVCache } from './model/kv-cache';
import type { GPT } from './model/gpt';
import { mulberry32 } from './random';
import { BOS_ID, EOS_ID, PAD_ID, UNK_ID } from './tokenizer';

export interface SampleOptions {
  maxNewTokens: number;
  /** Softmax temperature; 0 means greedy. Default 1. */
  temperature?: number;
  /** Keep only the k most likely tokens; 0 turns it off. Default 0. */
  topK?: number;
  /** Keep the smallest set of tokens whose probability reaches p; 1 turns it off. Default 1. */
  topP?: number;
  seed: number;
  /** Token that ends a row. Default EOS_ID; -1 never stops early. */
  eosId?: number;
  /** Read the finished flags every this many tokens to stop early. Default 8. */
  checkEvery?: number;
  /** Called with each new token of every row (PAD for rows already ended); costs one read-back per token. */
  onToken?: (step: number, tokens: Int32Array) => void;
  /** Asked after each token: true ends sampling there (the rows keep what they have). */
  stopped?: () => boolean;
}

export interface SampleResult {
  /** New tokens per row, up to and including the first EOS. */
  tokens: number[][];
  /** log π(token) under the unfiltered policy at temperature 1. */
  logprobs: number[][];
  /** log-probability under the (temperature, top-k, top-p) distribution sampled from. */
  sampleLogprobs: number[][];
  /** Per row, how many prompt tokens were dropped from the left to fit the context. */
  truncated: number[];
}

const MASKED = -1e9;
/** Tokens without text, which sampling never emits (see `gumbelNoiseTensor`). */
export const NEVER_SAMPLED = [PAD_ID, BOS_ID, UNK_ID] as const;

export function validateSampleOptions(
  opts: SampleOptions,
  vocabSize: number,
  blockSize: number,
): void {
  if (
    !Number.isInteger(opts.maxNewTokens) ||
    opts.maxNewTokens < 1 ||
    opts.maxNewTokens >= blockSize
  ) {
    throw new ArgumentError(
      'maxNewTokens',
      `is ${opts.maxNewTokens}; expected an integer in [1, ${blockSize - 1}] (the context holds ${blockSize})`,
    );
  }
  assertInRange('temperature', opts.temperature ?? 1, 0, 100);
  const topK = opts.topK ?? 0;
  if (!Number.isInteger(topK) || topK < 0) {
    throw new ArgumentError('topK', `is ${topK}; expected a whole number ≥ 0 (0 turns it off)`);
  }
  assertInRange('topP', opts.topP ?? 1, Number.MIN_VALUE, 1);
  if (!Number.isInteger(opts.seed))
    throw new ArgumentError('seed', `is ${opts.seed}; expected an integer`);
  const eos = opts.eosId ?? EOS_ID;
  if (eos !== -1 && (!Number.isInteger(eos) || eos < 0 || eos >= vocabSize)) {
    throw new ArgumentError('eosId', `is ${eos}; expected a token id or -1`);
  }
}

/**
 * Left-pads prompts to one length, dropping tokens from the left of prompts
 * longer than `maxLen`. Returns ids, the padding mask and per-row truncation.
 */
export function leftPad(prompts: number[][], maxLen: number) {
  assertNonEmpty('prompts', prompts);
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new ArgumentError('prompts', `prompt ${i} is empty`);
  });
  const truncated = prompts.map((p) => Math.max(0, p.length - maxLen));
  const rows = prompts.map((p, i) => p.slice(truncated[i]));
  const P = Math.max(...rows.map((r) => r.length));
  const ids = new Int32Array(rows.length * P).fill(PAD_ID);
  const mask = new Float32Array(rows.length * P);
  rows.forEach((r, b) => {
    const off = b * P + (P - r.length);
    ids.set(r, off);
    mask.fill(1, off, off + r.length);
  });
  return { ids, mask, P, truncated };
}

export async function sample(
  model: GPT,
  prompts: number[][],
  opts: SampleOptions,
): Promise<SampleResult> {
  const { vocabSize: V, blockSize } = model.config;
  validateSampleOptions(opts, V, blockSize);
  const temperature = opts.temperature ?? 1;
  const topK = opts.topK ?? 0;
  const topP = opts.topP ?? 1;
  const eosId = opts.eosId ?? EOS_ID;
  const checkEvery = opts.checkEvery ?? 8;
  const B = prompts.length;
  const { ids, mask, P, truncated } = leftPad(prompts, blockSize - opts.maxNewTokens);
  const rng = mulberry32(opts.seed);

  const idsT = tf.tensor2d(ids, [B, P], 'int32');
  const maskT = tf.tensor2d(mask, [B, P]);
  let { cache, logits }: { cache: KVCache; logits: tf.Tensor2D } = model.prefill(idsT, {
    padMask: maskT,
  });
  tf.dispose([idsT, maskT]);

  // All the noise in one upload (an upload costs about as much as a kernel on
  // wasm); step t's is row t, drawn in the same order as one draw per step.
  const noiseAll = temperature > 0 ? gumbelNoiseTensor(opts.maxNewTokens, B, V, rng) : null;
  const offsets = tf.tensor2d(rowOffsets(B, V), [B, 1], 'int32');
  let done = tf.zeros([B]) as tf.Tensor1D; // 1 once a row has produced EOS
  const steps: tf.Tensor2D[] = []; // each (B, 3): token, logprob, sample logprob
  try {
    for (let t = 0; t < opts.maxNewTokens; t++) {
      const picked = tf.tidy(() => {
        const noise = noiseAll
          ? (noiseAll.slice([t, 0, 0], [1, B, V]).reshape([B, V]) as tf.Tensor2D)
          : null;
        return pickTokens(logits, done, noise, offsets, { temperature, topK, topP, eosId });
      });
      steps.push(picked.record);
      if (picked.done !== done) {
        done.dispose();
        done = picked.done;
      }
      if (opts.onToken) opts.onToken(t, (await picked.token.data()) as Int32Array);
      const last = t === opts.maxNewTokens - 1 || opts.stopped?.() === true;
      if (last) {
        picked.token.dispose();
        break;
      }
      if (eosId >= 0 && (t + 1) % checkEvery === 0 && (await done.min().data())[0] === 1) {
        picked.token.dispose();
        break;
      }
      const next = model.step(cache, picked.token);
      logits.dispose();
      ({ cache, logits } = next);
      picked.token.dispose();
    }
    const all = tf.tidy(() => tf.stack(steps, 2)); // (B, 3, N)
    const data = await all.data();
    all.dispose();
    return unpack(data, B, steps.length, eosId, truncated);
  } finally {
    tf.dispose([...steps, done, logits, offsets]);
    if (noiseAll) noiseAll.dispose();
    disposeCache(cache);
  }
}

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
function pickTokens(
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

function rowOffsets(B: number, V: number): Int32Array {
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

/** Gumbel(0, 1) noise, (N, B, V). */
/**
 * Gumbel noise for every step, row and token. The tokens that carry no text
 * (PAD, BOS, UNK) get −1e9, so they are never sampled: an UNK would show as
 * U+FFFD in the answer, and an untrained model gives it a little probability.
 * Banning them costs no kernel; the noise is drawn in the same order either way.
 */
function gumbelNoiseTensor(N: number, B: number, V: number, rng: () => number): tf.Tensor3D {
  const g = new Float32Array(N * B * V);
  for (let i = 0; i < g.length; i++) g[i] = -Math.log(-Math.log(Math.max(rng(), 1e-20)));
  for (let row = 0; row < N * B; row++) {
    for (const id of NEVER_SAMPLED) if (id < V) g[row * V + id] = MASKED;
  }
  return tf.tensor3d(g, [N, B, V]);
}

/** Splits the (B, 3, N) read-back into per-row arrays, cut after each row's first EOS. */
function unpack(
  data: Float32Array | Int32Array | Uint8Array,
  B: number,
  N: number,
  eosId: number,
  truncated: number[],
): SampleResult {
  const tokens: number[][] = [];
  const logprobs: number[][] = [];
  const sampleLogprobs: number[][] = [];
  for (let b = 0; b < B; b++) {
    const row: number[] = [];
    const lp: number[] = [];
    const slp: number[] = [];
    for (let t = 0; t < N; t++) {
      const tok = data[3 * b * N + t];
      row.push(tok);
      lp.push(data[(3 * b + 1) * N + t]);
      slp.push(data[(3 * b + 2) * N + t]);
      if (tok === eosId) break;
    }
    tokens.push(row);
    logprobs.push(lp);
    sampleLogprobs.push(slp);
  }
  return { tokens, logprobs, sampleLogprobs, truncated };
}
