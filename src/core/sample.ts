/**
 * Sampling from a GPT with temperature, top-k and top-p through the KV cache:
 * the decode loop (prefill, one cached step per token, early stop on EOS).
 * What one step does to the logits is in `sample-step.ts`.
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
import { gumbelNoiseTensor, pickTokens, rowOffsets } from './sample-step';
import { EOS_ID, PAD_ID } from './tokenizer';

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
      if (eosId >= 0 && (t + 1) % checkEvery === 0 && (await allDone(done))) {
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

/** Whether every row has produced EOS: one scalar read back, then freed. */
async function allDone(done: tf.Tensor1D): Promise<boolean> {
  const min = done.min();
  try {
    return (await min.data())[0] === 1;
  } finally {
    min.dispose();
  }
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
