// What the policy wrote in one iteration of an optimiser loop, for replaying
// training: a few of the iteration's answers, each with its reward-model and
// gold scores and its per-token KL to the frozen SFT model,
//   kl_j = log π(y_j) − log π_SFT(y_j),
// the summand of the KL estimate InstructGPT penalises and TRL reports as
// `objective/kl` (their sum over the answer is that answer's KL in nats).
import * as tf from '@tensorflow/tfjs';
import {
  EOS_ID,
  PAD_ID,
  tokenLogprobs,
  type CharTokenizer,
  type GPT,
  type Sequence,
} from '../src/core';

/** One answer of an iteration, decoded token by token so a page can colour each. */
export interface IterationSample {
  prompt: string;
  response: string;
  /** The response's tokens as text ('' for the end-of-sequence token); they join to `response`. */
  tokens: string[];
  /** log π(y_j) − log π_SFT(y_j) for each response token, in nats. */
  tokenKl: number[];
  /** The reward model's score; NaN where the loop has none. */
  rm: number;
  /** The gold labeler's score; NaN without a gold labeler. */
  gold: number;
}

/** At most this many answers of an iteration are kept. */
export const SAMPLES_PER_ITERATION = 4;

/** Which of `n` answers are shown: up to four, spread over the batch (so over its prompts). */
export function shownRows(n: number, max = SAMPLES_PER_ITERATION): number[] {
  const k = Math.min(n, max);
  return Array.from({ length: k }, (_, i) => Math.floor((i * n) / k));
}

/**
 * Per-token KL of each response: log π(y_j) as the sampler reported it
 * (`logprobs`, under the unfiltered policy at temperature 1) minus log
 * π_SFT(y_j) from one forward pass of the reference without gradients. The
 * rows are padded to the full context, one shape every time (WebGL compiles
 * a program per new shape; the model keeps a causal mask per length).
 */
export async function tokenKl(
  ref: GPT,
  seqs: Sequence[],
  logprobs: number[][],
): Promise<number[][]> {
  if (seqs.length === 0) return [];
  const W = ref.config.blockSize;
  // As packSequences: a row too long loses the left of its prompt (one token stays).
  const rows = seqs.map((s) => {
    const over = s.prompt.length + s.response.length - W;
    const prompt = over > 0 ? s.prompt.slice(Math.min(over, s.prompt.length - 1)) : s.prompt;
    return { prompt, response: s.response.slice(0, W - prompt.length) };
  });
  const ids = new Int32Array(seqs.length * W).fill(PAD_ID);
  rows.forEach((r, b) => ids.set([...r.prompt, ...r.response], b * W));
  const lp = tf.tidy(() => {
    const x = tf.tensor2d(ids, [seqs.length, W], 'int32');
    return tokenLogprobs(ref.forward(x).logits, x); // (B, W-1)
  });
  const refLp = await lp.data();
  lp.dispose();
  // Response token j of row b is predicted at position |prompt| − 1 + j (none without a prompt).
  return rows.map((r, b) =>
    r.response.map((_, j) => {
      const t = r.prompt.length - 1 + j;
      return t < 0 ? NaN : logprobs[b][j] - refLp[b * (W - 1) + t];
    }),
  );
}

/** The samples of one iteration, from its prompts and answers (ids) and their scores. */
export function describeSamples(
  tok: CharTokenizer,
  rows: { prompt: number[]; response: number[]; kl: number[]; rm?: number; gold?: number }[],
): IterationSample[] {
  return rows.map((r) => {
    const tokens = r.response.map((id) => (id === EOS_ID ? '' : tok.decode([id])));
    return {
      prompt: tok.decode(r.prompt),
      response: tokens.join(''),
      tokens,
      // A response cut by the context keeps the KL of the tokens the model read.
      tokenKl: tokens.map((_, j) => r.kl[j] ?? NaN),
      rm: r.rm ?? NaN,
      gold: r.gold ?? NaN,
    };
  });
}

/** An iteration's answers as the loop has them: ids, the sampler's log π, and scores. */
export interface IterationAnswers {
  prompts: number[][];
  responses: number[][];
  /** log π(y_j) of each response token under the policy that wrote it. */
  logprobs: number[][];
  rm?: number[];
  /** The gold scores of the answers in these rows (only the shown ones are scored). */
  gold?: (rows: number[]) => number[];
}

/** A few of an iteration's answers with their per-token KL to `ref` (one forward of it). */
export async function iterationSamples(
  tok: CharTokenizer,
  ref: GPT,
  a: IterationAnswers,
): Promise<IterationSample[]> {
  const rows = shownRows(a.prompts.length);
  const seqs = rows.map((i) => ({ prompt: a.prompts[i], response: a.responses[i] }));
  const gold = a.gold?.(rows);
  const kl = await tokenKl(
    ref,
    seqs,
    rows.map((i) => a.logprobs[i]),
  );
  return describeSamples(
    tok,
    rows.map((i, n) => ({ ...seqs[n], kl: kl[n], rm: a.rm?.[i], gold: gold?.[n] })),
  );
}
