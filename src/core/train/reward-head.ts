/**
 * The reward head's readout and its frozen-trunk shortcuts: where on the
 * response the scalar head is read (`RewardReadout`), the pooled features kept
 * per answer when only the head trains, and the float64 leave-one-out fit of a
 * head on those features that `RewardModelTrainer.crossValidate` runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { GPT } from '../model/gpt';
import { disposeBatch, packSequences, type PackedBatch, type Sequence } from './batch';

/**
 * Where the reward is read: at the last token (InstructGPT), as the head's mean
 * over the whole response, or over its ending (its last `ENDING_TOKENS`).
 */
export const REWARD_READOUTS = ['ending', 'mean', 'last'] as const;
export type RewardReadout = (typeof REWARD_READOUTS)[number];

/** The ending the `ending` readout averages over: an English answer's last word or two, a Chinese one's last clause. */
export const ENDING_TOKENS = 8;

/** (B, T) weights of each row's readout tokens, summing to 1 per row. */
export function readoutWeights(packed: PackedBatch, readout: RewardReadout): tf.Tensor2D {
  const { B, T, lastIndex, responseLengths } = packed;
  const w = new Float32Array(B * T);
  for (let b = 0; b < B; b++) {
    const n =
      readout === 'last'
        ? 1
        : readout === 'ending'
          ? Math.min(ENDING_TOKENS, responseLengths[b])
          : responseLengths[b];
    w.fill(1 / n, b * T + lastIndex[b] - n + 1, b * T + lastIndex[b] + 1);
  }
  return tf.tensor2d(w, [B, T]);
}

const featureKey = (q: Sequence) => `${q.prompt.join(',')}|${q.response.join(',')}`;

/**
 * With a frozen trunk, each answer's pooled features (the mean final hidden
 * state over its response tokens) never change: they are computed once and
 * kept, so a training step is a (B, C) product, not a forward pass.
 */
export class PooledFeatures {
  private readonly model: GPT;
  private readonly readout: RewardReadout;
  private readonly evalBatch: number;
  private readonly byKey = new Map<string, Float32Array>();

  constructor(model: GPT, readout: RewardReadout, evalBatch: number) {
    this.model = model;
    this.readout = readout;
    this.evalBatch = evalBatch;
  }

  /** The pooled features of an answer already added. */
  get(q: Sequence): Float32Array {
    return this.byKey.get(featureKey(q))!;
  }

  /** Adds the features of `seqs`: one forward pass for the new ones. */
  async add(seqs: Sequence[]): Promise<void> {
    const fresh = new Map<string, Sequence>();
    for (const q of seqs) {
      const k = featureKey(q);
      if (!this.byKey.has(k)) fresh.set(k, q);
    }
    const keys = [...fresh.keys()];
    const missing = [...fresh.values()];
    const C = this.model.config.nEmbd;
    for (let start = 0; start < missing.length; start += this.evalBatch) {
      const chunk = missing.slice(start, start + this.evalBatch);
      const packed = packSequences(chunk, this.model.config.blockSize);
      try {
        const pooled = tf.tidy(() => {
          const h = this.model.hidden(packed.ids); // (B, T, C)
          const weights = readoutWeights(packed, this.readout).expandDims(2);
          return tf.sum(tf.mul(h, weights), 1) as tf.Tensor2D; // (B, C)
        });
        const data = await pooled.data();
        pooled.dispose();
        chunk.forEach((_, i) =>
          this.byKey.set(keys[start + i], Float32Array.from(data.subarray(i * C, (i + 1) * C))),
        );
      } finally {
        disposeBatch(packed);
      }
    }
  }

  /** Rewards, [B], of answers already added: the head applied to their features. */
  rewards(seqs: Sequence[]): tf.Tensor1D {
    return tf.tidy(() => {
      const C = this.model.config.nEmbd;
      const flat = new Float32Array(seqs.length * C);
      seqs.forEach((q, i) => flat.set(this.get(q), i * C));
      const { w, b } = this.model.score!;
      // Σ_t a_t·(w·h_t + b) = w·(Σ_t a_t·h_t) + b for weights a_t summing to 1: the same
      // reward as `RewardModelTrainer.rewards` gives.
      return tf.add(tf.matMul(tf.tensor2d(flat, [seqs.length, C]), w).reshape([-1]), b);
    });
  }
}

/**
 * Leave-one-out pairwise accuracy of a linear head on fixed features: group
 * `out` in turn is ordered by w·x, with w trained from zero on all the other
 * groups by full-batch Adam in float64 on the pairwise loss (`steps` steps at
 * `lr`). `x[g][k]` holds the C features of group g's answer k; `pairs[g]` are
 * the pairs it trains on and `rankedPairs[g]` those it is judged on. A tie in
 * the predicted rewards counts as wrong.
 */
export function leaveOneOutAccuracy(
  x: Float32Array[][],
  pairs: [number, number][][],
  rankedPairs: [number, number][][],
  C: number,
  o: { steps: number; lr: number },
): { accuracy: number; pairs: number } {
  let correct = 0;
  let total = 0;
  for (let out = 0; out < x.length; out++) {
    if (rankedPairs[out].length === 0) continue;
    const w = new Float64Array(C);
    const m = new Float64Array(C);
    const v = new Float64Array(C);
    const train = x.map((_, i) => i).filter((i) => i !== out && pairs[i].length > 0);
    if (train.length === 0) continue;
    for (let step = 1; step <= o.steps; step++) {
      const grad = new Float64Array(C);
      for (const i of train) {
        // d/dw of −1/|P| Σ log σ(w·(x_better − x_worse)), averaged over the groups.
        for (const [a, b] of pairs[i]) {
          let d = 0;
          for (let c = 0; c < C; c++) d += w[c] * (x[i][a][c] - x[i][b][c]);
          const coef = 1 / (1 + Math.exp(d)) / pairs[i].length / train.length;
          for (let c = 0; c < C; c++) grad[c] -= coef * (x[i][a][c] - x[i][b][c]);
        }
      }
      for (let c = 0; c < C; c++) {
        m[c] = 0.9 * m[c] + 0.1 * grad[c];
        v[c] = 0.999 * v[c] + 0.001 * grad[c] * grad[c];
        const mHat = m[c] / (1 - 0.9 ** step);
        const vHat = v[c] / (1 - 0.999 ** step);
        w[c] -= (o.lr * mHat) / (Math.sqrt(vHat) + 1e-8);
      }
    }
    for (const [a, b] of rankedPairs[out]) {
      let d = 0;
      for (let c = 0; c < C; c++) d += w[c] * (x[out][a][c] - x[out][b][c]);
      if (d > 0) correct++;
      total++;
    }
  }
  return { accuracy: total > 0 ? correct / total : NaN, pairs: total };
}
