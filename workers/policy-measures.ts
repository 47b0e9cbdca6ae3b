// What the Evaluate stage measures about a policy besides its answers:
//   - KL(π ‖ π_SFT) per answer, estimated as InstructGPT and TRL do from the
//     policy's own samples: Σ_t log π(y_t) − log π_ref(y_t), averaged over answers
//     (temperature 1, no top-k/top-p: the estimate needs samples from π itself);
//   - held-out pretraining perplexity: exp of the mean next-token loss on fixed
//     windows of held-out text — the "alignment tax" InstructGPT's PPO-ptx pays down.
import * as tf from '@tensorflow/tfjs';
import {
  lmLoss,
  mulberry32,
  packSequences,
  randomWindows,
  sample,
  tokenLogprobs,
  type CharTokenizer,
  type GPT,
} from '../src/core';

export interface MeasureRequest {
  /** Prompts the policy answers for the KL estimate. */
  prompts: string[];
  /** Answers per prompt. */
  k: number;
  maxNewTokens: number;
  seed: number;
  /** Held-out pretraining text for the perplexity; '' skips it. */
  text: string;
  /** Windows of the text to score. */
  windows: number;
  /** Return the answers the KL was estimated on (to score them: the reward–KL frontier). */
  answers?: boolean;
}

export interface Measures {
  /** Mean KL per answer in nats (0 for the reference itself). */
  kl: number;
  answers: number;
  /** exp(mean NLL per token) on the held-out text; NaN without text. */
  perplexity: number;
  /** Mean NLL per token (nats). */
  nll: number;
  tokens: number;
  /** The answers the KL was estimated on, prompt by prompt, when asked for. */
  samples?: { prompt: string; response: string }[];
}

async function klToReference(
  policy: GPT,
  ref: GPT,
  tok: CharTokenizer,
  r: MeasureRequest,
): Promise<{ kl: number; answers: number; samples?: Measures['samples'] }> {
  const T = policy.config.blockSize;
  const rows = r.prompts.flatMap((p) => {
    const ids = tok.encode(p).slice(-(T - r.maxNewTokens));
    return Array.from({ length: r.k }, () => ids);
  });
  const out = await sample(policy, rows, { maxNewTokens: r.maxNewTokens, seed: r.seed });
  const seqs = rows.map((prompt, i) => ({ prompt, response: out.tokens[i] }));
  const packed = packSequences(seqs, T);
  try {
    const perAnswer = tf.tidy(() => {
      const { B } = packed;
      const mask = packed.lossMask.slice([0, 1], [B, packed.T - 1]);
      const lp = tokenLogprobs(policy.forward(packed.ids).logits, packed.ids);
      const lpRef = tokenLogprobs(ref.forward(packed.ids).logits, packed.ids);
      return tf.sum(tf.mul(tf.sub(lp, lpRef), mask), 1).mean();
    });
    const kl = (await perAnswer.data())[0];
    perAnswer.dispose();
    const samples = r.answers
      ? out.tokens.map((t, i) => ({
          prompt: r.prompts[Math.floor(i / r.k)],
          response: tok.decode(t),
        }))
      : undefined;
    return { kl, answers: rows.length, ...(samples ? { samples } : {}) };
  } finally {
    packed.ids.dispose();
    packed.lossMask.dispose();
  }
}

async function heldoutNll(
  model: GPT,
  tok: CharTokenizer,
  r: MeasureRequest,
): Promise<{ nll: number; tokens: number }> {
  const ids = tok.encode(r.text);
  const length = Math.min(model.config.blockSize, ids.length - 1);
  if (r.windows < 1 || length < 2) return { nll: NaN, tokens: 0 };
  // The same windows for every model (a fixed seed), so perplexities compare.
  const windows = randomWindows(ids, r.windows, length, mulberry32(1234));
  const packed = packSequences(windows, model.config.blockSize);
  try {
    const loss = lmLoss(model, packed.ids, packed.lossMask);
    const nll = (await loss.data())[0];
    loss.dispose();
    return { nll, tokens: windows.length * (length - 1) };
  } finally {
    packed.ids.dispose();
    packed.lossMask.dispose();
  }
}

export async function measurePolicy(
  policy: GPT,
  ref: GPT,
  tok: CharTokenizer,
  r: MeasureRequest,
): Promise<Measures> {
  const { kl, answers, samples } = await klToReference(policy, ref, tok, r);
  const { nll, tokens } = r.text ? await heldoutNll(policy, tok, r) : { nll: NaN, tokens: 0 };
  return { kl, answers, nll, perplexity: Math.exp(nll), tokens, ...(samples ? { samples } : {}) };
}
