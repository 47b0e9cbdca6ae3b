// Gradients of the differentiable losses (tf.grad, float32, cpu backend) against
// central finite differences of independent plain-JS float64 formulas. Inputs
// keep away from the kinks (clip edges, hinge at 0, ties in max) by a margin much
// larger than the finite-difference step.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import {
  directScoreLoss,
  maskedMean,
  maskedVar,
  ppoPolicyLoss,
  ppoValueLoss,
  rankingLoss,
  rrhfLoss,
  whiten,
} from '../../../src/core/losses';
import { expectClose } from './losses-helpers';

let tf: typeof TF;
beforeAll(async () => {
  tf = await useBackend('cpu');
});

/** Central differences of a float64 function of a flat vector. */
function numericGrad(f: (x: number[]) => number, x: number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const up = x.slice();
    const down = x.slice();
    up[i] += h;
    down[i] -= h;
    return (f(up) - f(down)) / (2 * h);
  });
}

/** tf.grad of `loss` at `x` (given as a flat array reshaped to `shape`). */
async function tfGrad(
  loss: (x: TF.Tensor) => TF.Scalar,
  x: number[],
  shape: number[],
): Promise<Float32Array> {
  const xt = tf.tensor(x, shape);
  const g = tf.grad(loss)(xt);
  const out = (await g.data()) as Float32Array;
  tf.dispose([xt, g]);
  return out;
}

// ---- float64 reference formulas (written from the definitions, flat arrays)

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const log1pExp = (x: number): number =>
  x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));

function mean(xs: number[], m: number[]): number {
  let s = 0;
  let n = 0;
  xs.forEach((v, i) => {
    s += v * m[i];
    n += m[i];
  });
  return s / n;
}

function variance(xs: number[], m: number[]): number {
  const mu = mean(xs, m);
  let s = 0;
  let n = 0;
  xs.forEach((v, i) => {
    s += (v - mu) * (v - mu) * m[i];
    n += m[i];
  });
  return s / (n - 1);
}

function rankingRef(r: number[], ranks: number[]): number {
  let total = 0;
  let pairs = 0;
  for (let a = 0; a < r.length; a++) {
    for (let b = 0; b < r.length; b++) {
      if (ranks[a] < ranks[b]) {
        total += log1pExp(-(r[a] - r[b])); // −log σ(r_a − r_b)
        pairs++;
      }
    }
  }
  return pairs === 0 ? 0 : total / pairs;
}

function policyRef(lp: number[], old: number[], adv: number[], m: number[], eps: number): number {
  const terms = lp.map((l, i) => {
    const rho = Math.exp(l - old[i]);
    const clipped = Math.min(Math.max(rho, 1 - eps), 1 + eps);
    return Math.max(-adv[i] * rho, -adv[i] * clipped);
  });
  return mean(terms, m);
}

function valueRef(v: number[], old: number[], ret: number[], m: number[], eps: number): number {
  const terms = v.map((x, i) => {
    const clipped = Math.min(Math.max(x, old[i] - eps), old[i] + eps);
    return Math.max((x - ret[i]) ** 2, (clipped - ret[i]) ** 2);
  });
  return 0.5 * mean(terms, m);
}

function rrhfRef(lp: number[], lengths: number[], scores: number[], pen: number): number {
  const p = lp.map((l, i) => l / lengths[i] ** pen);
  let rank = 0;
  for (let i = 0; i < p.length; i++) {
    for (let j = 0; j < p.length; j++) {
      if (scores[i] < scores[j]) rank += Math.max(0, p[i] - p[j]);
    }
  }
  const best = scores.indexOf(Math.max(...scores));
  return rank - lp[best] / lengths[best];
}

const GRAD_TOL: [number, number] = [2e-4, 2e-5];

describe('gradients vs float64 finite differences', () => {
  it('rankingLoss (ties, K = 5)', async () => {
    const r = [0.3, -1.2, 0.8, 2.0, -0.1];
    const ranks = [1, 3, 0, 1, 2];
    const g = await tfGrad((x) => rankingLoss(x as TF.Tensor1D, ranks), r, [5]);
    expectClose(
      g,
      numericGrad((x) => rankingRef(x, ranks), r),
      'grad',
      ...GRAD_TOL,
    );
  });

  it('rankingLoss without pairs has a zero gradient', async () => {
    const g = await tfGrad((x) => rankingLoss(x as TF.Tensor1D, [0, 0, 0]), [1, 2, 3], [3]);
    expect(Array.from(g).map(Math.abs)).toEqual([0, 0, 0]);
  });

  it('directScoreLoss', async () => {
    const r = [0.5, -2.0, 1.5, 0.0];
    const grades = [1, 0.25, 0, 0.5];
    const ref = (x: number[]): number =>
      x.reduce((s, v, i) => s + (sigmoid(v) - grades[i]) ** 2, 0) / x.length;
    const g = await tfGrad((x) => directScoreLoss(x as TF.Tensor1D, grades), r, [4]);
    expectClose(g, numericGrad(ref, r), 'grad', ...GRAD_TOL);
  });

  it('maskedMean and maskedVar', async () => {
    const x = [0.5, -1.0, 2.0, 3.0, 0.25, -0.75];
    const m = [1, 1, 0, 1, 1, 0];
    const mt = (): TF.Tensor => tf.tensor(m, [2, 3]);
    const gm = await tfGrad((t) => tf.tidy(() => maskedMean(t, mt())), x, [2, 3]);
    expectClose(
      gm,
      numericGrad((v) => mean(v, m), x),
      'mean grad',
      ...GRAD_TOL,
    );
    const gv = await tfGrad((t) => tf.tidy(() => maskedVar(t, mt())), x, [2, 3]);
    expectClose(
      gv,
      numericGrad((v) => variance(v, m), x),
      'var grad',
      ...GRAD_TOL,
    );
  });

  it('whiten (through a weighted sum)', async () => {
    const x = [0.5, -1.0, 2.0, 3.0, 0.25, -0.75];
    const m = [0, 1, 1, 1, 1, 0];
    const w = [0.3, -0.2, 0.7, 0.1, -0.5, 0.9];
    for (const shiftMean of [true, false]) {
      const ref = (v: number[]): number => {
        const mu = mean(v, m);
        const sd = Math.sqrt(variance(v, m) + 1e-8);
        return v.reduce((s, xi, i) => s + w[i] * m[i] * ((xi - mu) / sd + (shiftMean ? 0 : mu)), 0);
      };
      const loss = (t: TF.Tensor): TF.Scalar =>
        tf.tidy(() =>
          tf.sum(tf.mul(whiten(t, tf.tensor(m, [2, 3]), shiftMean), tf.tensor(w, [2, 3]))),
        );
      const g = await tfGrad(loss, x, [2, 3]);
      expectClose(g, numericGrad(ref, x), `grad shiftMean=${shiftMean}`, ...GRAD_TOL);
    }
  });

  it('ppoPolicyLoss w.r.t. logprobs (in band, clipped, unclipped side, masked)', async () => {
    const old = [-1.0, -2.0, -0.5, -1.5, -3.0, -0.8, -1.1, -2.2];
    // log-ratios: in band, in band, clipped (A>0, ρ>1.2), clipped (A<0, ρ<0.8),
    // unclipped side (A>0, ρ<0.8), unclipped side (A<0, ρ>1.2), in band, masked out
    const dl = [0.05, -0.1, 0.5, -0.6, -0.5, 0.4, 0.12, 0.9];
    const adv = [1.0, -0.5, 2.0, -1.5, 0.8, -1.2, 0.3, 1.0];
    const m = [1, 1, 1, 1, 1, 1, 1, 0];
    const lp = old.map((o, i) => o + dl[i]);
    const shape = [2, 4];
    const loss = (t: TF.Tensor): TF.Scalar =>
      tf.tidy(() => {
        const out = ppoPolicyLoss({
          logprobs: t,
          oldLogprobs: tf.tensor(old, shape),
          advantages: tf.tensor(adv, shape),
          mask: tf.tensor(m, shape),
          clipRange: 0.2,
        });
        return out.loss;
      });
    const g = await tfGrad(loss, lp, shape);
    const num = numericGrad((x) => policyRef(x, old, adv, m, 0.2), lp);
    expectClose(g, num, 'grad', ...GRAD_TOL);
    expect([g[2], g[3], g[7]].map(Math.abs)).toEqual([0, 0, 0]); // clipped and masked
  });

  it('ppoValueLoss w.r.t. values (in band, clipped, unclipped larger, masked)', async () => {
    const old = [0.0, 0.5, -0.5, 1.0, 0.2, -1.0];
    const v = [0.1, 0.4, 0.5, 0.2, 0.25, 0.0]; // in band, in band, clipped, unclipped larger, in band, masked
    const ret = [1.0, -0.3, 0.45, 3.0, 0.2, 2.0];
    const m = [1, 1, 1, 1, 1, 0];
    const shape = [2, 3];
    const loss = (t: TF.Tensor): TF.Scalar =>
      tf.tidy(
        () =>
          ppoValueLoss({
            values: t,
            oldValues: tf.tensor(old, shape),
            returns: tf.tensor(ret, shape),
            mask: tf.tensor(m, shape),
            clipRange: 0.2,
          }).loss,
      );
    const g = await tfGrad(loss, v, shape);
    expectClose(
      g,
      numericGrad((x) => valueRef(x, old, ret, m, 0.2), v),
      'grad',
      ...GRAD_TOL,
    );
    expect([g[2], g[5]].map(Math.abs)).toEqual([0, 0]);
  });

  it.each([1, 0.6, 2])('rrhfLoss total w.r.t. logprobSums, lengthPenalty %s', async (pen) => {
    const lp = [-4.0, -9.5, -2.2, -6.1, -3.3];
    const lengths = [4, 9, 2, 3, 5];
    const scores = [0.1, 0.9, 0.5, 0.4, 0.9];
    const loss = (t: TF.Tensor): TF.Scalar =>
      tf.tidy(
        () =>
          rrhfLoss({ logprobSums: t as TF.Tensor1D, lengths, scores, lengthPenalty: pen }).total,
      );
    const g = await tfGrad(loss, lp, [5]);
    const num = numericGrad((x) => rrhfRef(x, lengths, scores, pen), lp);
    expectClose(g, num, 'grad', ...GRAD_TOL);
  });
});

describe('backward passes on wasm', () => {
  // wasm has kernels of its own: tfjs-backend-wasm 4.22 has no gradient for
  // tf.gather (PITFALLS.md #3) and its OneHot ignores the dtype argument. The
  // losses avoid both; their gradients must match cpu's.
  it('gradients of every loss match cpu', async () => {
    const run = async (): Promise<number[]> => {
      const g1 = await tfGrad(
        (x) => rankingLoss(x as TF.Tensor1D, [1, 3, 0, 2]),
        [0.3, -1.2, 0.8, 2],
        [4],
      );
      const lengths = [4, 9, 2, 3];
      const scores = [0.1, 0.9, 0.5, 0.4];
      const g2 = await tfGrad(
        (x) => tf.tidy(() => rrhfLoss({ logprobSums: x as TF.Tensor1D, lengths, scores }).total),
        [-4, -9.5, -2.2, -6.1],
        [4],
      );
      const g3 = await tfGrad(
        (x) => directScoreLoss(x as TF.Tensor1D, [1, 0, 0.5]),
        [1, -1, 0],
        [3],
      );
      const shape = [2, 2];
      const g4 = await tfGrad(
        (x) =>
          tf.tidy(
            () =>
              ppoPolicyLoss({
                logprobs: x,
                oldLogprobs: tf.tensor([-1, -1, -1, -1], shape),
                advantages: tf.tensor([1, -1, 1, -2], shape),
                mask: tf.tensor([1, 1, 1, 0], shape),
                clipRange: 0.2,
              }).loss,
          ),
        [-0.9, -1.5, -1.05, -0.5],
        shape,
      );
      const g5 = await tfGrad(
        (x) =>
          tf.tidy(
            () =>
              ppoValueLoss({
                values: x,
                oldValues: tf.tensor([0, 0, 0, 0], shape),
                returns: tf.tensor([1, 0.5, -1, 2], shape),
                mask: tf.tensor([1, 1, 1, 0], shape),
                clipRange: 0.2,
              }).loss,
          ),
        [0.1, 0.9, -0.1, 0.3],
        shape,
      );
      return [...g1, ...g2, ...g3, ...g4, ...g5];
    };
    const cpu = await run();
    try {
      await useBackend('wasm');
      expectClose(await run(), cpu, 'wasm vs cpu', 1e-5, 1e-6);
    } finally {
      await useBackend('cpu');
    }
  });
});
