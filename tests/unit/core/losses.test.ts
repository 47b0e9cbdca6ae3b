// RLHF losses against the float64 numpy references of scripts/make_fixtures.py
// (tests/fixtures/losses.json), plus hand-worked cases and tensor-leak checks, on
// the tfjs cpu and wasm backends.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import {
  AdaptiveKLController,
  FixedKLController,
  directScoreLoss,
  gae,
  gaeMasked,
  klPenalizedRewards,
  maskedMean,
  maskedSum,
  maskedVar,
  ppoPolicyLoss,
  ppoValueLoss,
  rankingLoss,
  rrhfLoss,
  whiten,
} from '../../../src/core/losses';
import { rankingToPairs } from '../../../src/core/preferences';
import { expectClose, expectOnlyOutputsKept, loadFixtures } from './losses-helpers';

const fx = loadFixtures();
let tf: typeof TF;

const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** Reads every tensor of a result back, disposes them, returns their values. */
async function readAll<K extends string>(
  out: Record<K, TF.Tensor>,
): Promise<Record<K, Float32Array>> {
  const res = {} as Record<K, Float32Array>;
  for (const k of Object.keys(out) as K[]) {
    res[k] = (await out[k].data()) as Float32Array;
    out[k].dispose();
  }
  return res;
}

// Every tensor path runs on cpu (the numeric reference) and on wasm (the fast
// fallback in browsers without a usable GPU), which has kernels of its own.
describe.each(['cpu', 'wasm'] as const)('%s backend', (backend) => {
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  describe('masked reductions vs fixture', () => {
    it.each(fx.masked)('$name', async (c) => {
      const x = tf.tensor2d(c.x);
      const m = tf.tensor2d(c.mask);
      const r = await readAll({
        sum: maskedSum(x, m),
        mean: maskedMean(x, m),
        varU: maskedVar(x, m),
        varB: maskedVar(x, m, false),
        meanRows: maskedMean(x, m, 1),
        varRows: maskedVar(x, m, true, 1),
        sumRows: maskedSum(x, m, -1),
      });
      expectClose(r.sum, c.sum, 'sum');
      expectClose(r.mean, c.mean, 'mean');
      expectClose(r.varU, c.varUnbiased, 'var unbiased');
      expectClose(r.varB, c.varBiased, 'var biased');
      expectClose(r.meanRows, c.meanAxis1, 'mean axis 1');
      expectClose(r.varRows, c.varUnbiasedAxis1, 'var axis 1');
      const rowSums = c.x.map((row, b) => row.reduce((s, v, t) => s + v * c.mask[b][t], 0));
      expectClose(r.sumRows, rowSums, 'sum axis -1');
      tf.dispose([x, m]);
    });

    it('hand case: mean 2, unbiased var 1 of [1, 2, 3] with the 4th masked out', async () => {
      const x = tf.tensor1d([1, 2, 3, 100]);
      const m = tf.tensor1d([1, 1, 1, 0]);
      const r = await readAll({
        mean: maskedMean(x, m),
        v: maskedVar(x, m),
        b: maskedVar(x, m, false),
      });
      expectClose(r.mean, 2, 'mean');
      expectClose(r.v, 1, 'var');
      expectClose(r.b, 2 / 3, 'biased var');
      tf.dispose([x, m]);
    });
  });

  describe('rankingLoss', () => {
    it.each(fx.rankingLoss)('$name matches the fixture', async (c) => {
      const r = tf.tensor1d(c.rewards);
      const loss = rankingLoss(r, c.ranks);
      expect(loss.shape).toEqual([]);
      expectClose(await loss.data(), c.loss, 'loss');
      tf.dispose([r, loss]);
    });

    it('two candidates: loss = softplus(r_worse − r_better)', async () => {
      const r = tf.tensor1d([0.25, 1.75]);
      const loss = rankingLoss(r, [1, 0]);
      expectClose(await loss.data(), softplus(0.25 - 1.75), 'loss');
      expectClose(softplus(0.25 - 1.75), -Math.log(1 / (1 + Math.exp(-1.5))), 'softplus identity');
      tf.dispose([r, loss]);
    });

    it('equal rewards give log 2 per pair; no pair gives 0', async () => {
      const r = tf.tensor1d([0.5, 0.5, 0.5]);
      const a = rankingLoss(r, [0, 1, 2]);
      const b = rankingLoss(r, [1, 1, 1]);
      expectClose(await a.data(), Math.LN2, 'equal rewards');
      expect(Array.from(await b.data())).toEqual([0]);
      tf.dispose([r, a, b]);
    });

    it('stays finite for huge margins', async () => {
      const r = tf.tensor1d([-500, 500]);
      const loss = rankingLoss(r, [0, 1]);
      expectClose(await loss.data(), 1000, 'loss');
      tf.dispose([r, loss]);
    });
  });

  describe('directScoreLoss', () => {
    it.each(fx.directScoreLoss)('$name matches the fixture', async (c) => {
      const r = tf.tensor1d(c.rewards);
      const loss = directScoreLoss(r, c.grades);
      expectClose(await loss.data(), c.loss, 'loss');
      tf.dispose([r, loss]);
    });

    it('hand case: σ(0) = 0.5 against grades 0.5 and 1', async () => {
      const r = tf.tensor1d([0, 0]);
      const loss = directScoreLoss(r, [0.5, 1]);
      expectClose(await loss.data(), (0 + 0.25) / 2, 'loss');
      tf.dispose([r, loss]);
    });
  });

  describe('whiten', () => {
    it.each(fx.whiten)('$name matches the fixture', async (c) => {
      const x = tf.tensor2d(c.x);
      const m = tf.tensor2d(c.mask);
      const out = whiten(x, m, c.shiftMean);
      expectClose(await out.data(), c.out, 'whitened', 1e-5, 1e-5);
      tf.dispose([x, m, out]);
    });

    it('gives masked mean 0 and unbiased masked variance ≈ 1, zeros outside', async () => {
      const x = tf.tensor2d([
        [3, 1, 4, 1],
        [5, 9, 2, 6],
      ]);
      const m = tf.tensor2d([
        [0, 1, 1, 1],
        [1, 1, 1, 0],
      ]);
      const w = whiten(x, m);
      const r = await readAll({ mean: maskedMean(w, m), v: maskedVar(w, m), w });
      expectClose(r.mean, 0, 'mean', 0, 1e-6);
      expectClose(r.v, 1, 'var', 1e-5);
      expect(Math.abs(r.w[0])).toBe(0);
      expect(Math.abs(r.w[7])).toBe(0);
      tf.dispose([x, m]);
    });
  });

  describe('klPenalizedRewards', () => {
    it.each(fx.klPenalizedRewards)('$name matches the fixture', async (c) => {
      const lp = tf.tensor2d(c.logprobs);
      const ref = tf.tensor2d(c.refLogprobs);
      const m = tf.tensor2d(c.mask);
      const s = tf.tensor1d(c.scores);
      const out = klPenalizedRewards({
        logprobs: lp,
        refLogprobs: ref,
        mask: m,
        scores: s,
        beta: c.beta,
      });
      expect(out.rewards.shape).toEqual(lp.shape);
      const r = await readAll(out);
      expectClose(r.kl, c.kl, 'kl');
      expectClose(r.rewards, c.rewards, 'rewards');
      tf.dispose([lp, ref, m, s]);
    });

    it('hand case: score lands on the last 1 of left- and right-padded rows', async () => {
      const lp = tf.tensor2d([
        [-1, -2, -3],
        [-1, -2, -3],
      ]);
      const ref = tf.tensor2d([
        [-1.5, -2.5, -3.5],
        [-0.5, -1.5, -2.5],
      ]);
      const m = tf.tensor2d([
        [1, 1, 0],
        [0, 1, 1],
      ]);
      const s = tf.tensor1d([10, 20]);
      const r = await readAll(
        klPenalizedRewards({ logprobs: lp, refLogprobs: ref, mask: m, scores: s, beta: 0.1 }),
      );
      expectClose(r.kl, [0.5, 0.5, 0, 0, -0.5, -0.5], 'kl');
      expectClose(r.rewards, [-0.05, 10 - 0.05, 0, 0, 0.05, 20 + 0.05], 'rewards');
      tf.dispose([lp, ref, m, s]);
    });
  });

  describe('ppoPolicyLoss', () => {
    it.each(fx.ppoPolicyLoss)('$name matches the fixture', async (c) => {
      const t = [c.logprobs, c.oldLogprobs, c.advantages, c.mask].map((a) => tf.tensor2d(a));
      const [logprobs, oldLogprobs, advantages, mask] = t;
      const r = await readAll(
        ppoPolicyLoss({ logprobs, oldLogprobs, advantages, mask, clipRange: c.clipRange }),
      );
      expectClose(r.loss, c.loss, 'loss');
      expectClose(r.clipfrac, c.clipfrac, 'clipfrac', 0, 1e-7);
      expectClose(r.approxKl, c.approxKl, 'approxKl');
      tf.dispose(t);
    });

    it('hand case: ratio 1 gives loss −mean(A), no clipping, no KL', async () => {
      const lp = tf.tensor2d([[-1, -2, -3]]);
      const adv = tf.tensor2d([[1, -2, 4]]);
      const m = tf.tensor2d([[1, 1, 0]]);
      const r = await readAll(
        ppoPolicyLoss({ logprobs: lp, oldLogprobs: lp, advantages: adv, mask: m, clipRange: 0.2 }),
      );
      expectClose(r.loss, 0.5, 'loss');
      expect(r.clipfrac[0]).toBe(0);
      expect(r.approxKl[0]).toBe(0);
      tf.dispose([lp, adv, m]);
    });
  });

  describe('ppoValueLoss', () => {
    it.each(fx.ppoValueLoss)('$name matches the fixture', async (c) => {
      const t = [c.values, c.oldValues, c.returns, c.mask].map((a) => tf.tensor2d(a));
      const [values, oldValues, returns, mask] = t;
      const r = await readAll(
        ppoValueLoss({ values, oldValues, returns, mask, clipRange: c.clipRange }),
      );
      expectClose(r.loss, c.loss, 'loss');
      expectClose(r.clipfrac, c.clipfrac, 'clipfrac', 0, 1e-7);
      tf.dispose(t);
    });

    it('hand case: V jumped past R from V_old, the clipped error wins', async () => {
      // V_old 0, V 1, R 0.9, ε 0.2: unclipped 0.01, clipped (0.2 − 0.9)² = 0.49.
      const v = tf.tensor2d([[1, 0.1]]);
      const vo = tf.tensor2d([[0, 0]]);
      const ret = tf.tensor2d([[0.9, 0.3]]);
      const m = tf.tensor2d([[1, 1]]);
      const r = await readAll(
        ppoValueLoss({ values: v, oldValues: vo, returns: ret, mask: m, clipRange: 0.2 }),
      );
      expectClose(r.loss, 0.5 * ((0.49 + 0.04) / 2), 'loss');
      expectClose(r.clipfrac, 0.5, 'clipfrac');
      tf.dispose([v, vo, ret, m]);
    });
  });

  describe('rrhfLoss', () => {
    it.each(fx.rrhf)('$name matches the fixture', async (c) => {
      const lp = tf.tensor1d(c.logprobSums);
      const r = await readAll(
        rrhfLoss({
          logprobSums: lp,
          lengths: c.lengths,
          scores: c.scores,
          lengthPenalty: c.lengthPenalty,
        }),
      );
      expectClose(r.rank, c.rank, 'rank');
      expectClose(r.sft, c.sft, 'sft');
      expectClose(r.total, c.total, 'total');
      lp.dispose();
    });

    it('hand case: one mis-ordered pair, lengthPenalty defaults to 1', async () => {
      // p = [−2/2, −3/1] = [−1, −3]; scores say 1 is better, so rank = max(0, −1 − (−3)) = 2.
      const lp = tf.tensor1d([-2, -3]);
      const r = await readAll(rrhfLoss({ logprobSums: lp, lengths: [2, 1], scores: [0, 1] }));
      expectClose(r.rank, 2, 'rank');
      expectClose(r.sft, 3, 'sft');
      expectClose(r.total, 5, 'total');
      lp.dispose();
    });
  });

  describe('no tensor leaks', () => {
    type Out = TF.Tensor | Record<string, TF.Tensor>;
    const z = (): TF.Tensor2D => tf.zeros([2, 3]);
    const o = (): TF.Tensor2D => tf.ones([2, 3]);
    // Each case builds its inputs and returns the call to check.
    const cases: [string, number, () => [TF.Tensor[], () => Out]][] = [
      ['maskedVar', 1, () => ((x, m) => [[x, m], () => maskedVar(x, m)])(o(), o())],
      ['maskedMean axis', 1, () => ((x, m) => [[x, m], () => maskedMean(x, m, 1)])(o(), o())],
      [
        'rankingLoss',
        1,
        () => ((r) => [[r], () => rankingLoss(r, [2, 0, 1])])(tf.tensor1d([1, 2, 3])),
      ],
      [
        'rankingLoss, no pair',
        1,
        () => ((r) => [[r], () => rankingLoss(r, [0, 0])])(tf.tensor1d([1, 2])),
      ],
      [
        'directScoreLoss',
        1,
        () => ((r) => [[r], () => directScoreLoss(r, [0, 1])])(tf.tensor1d([1, 2])),
      ],
      ['whiten', 1, () => ((x, m) => [[x, m], () => whiten(x, m, false)])(o(), o())],
      [
        'klPenalizedRewards',
        2,
        () => {
          const [logprobs, refLogprobs, mask, scores] = [
            z(),
            z(),
            o(),
            tf.ones([2]) as TF.Tensor1D,
          ];
          const call = (): Out =>
            klPenalizedRewards({ logprobs, refLogprobs, mask, scores, beta: 0.1 });
          return [[logprobs, refLogprobs, mask, scores], call];
        },
      ],
      [
        'ppoPolicyLoss',
        3,
        () => {
          const [logprobs, oldLogprobs, advantages, mask] = [z(), z(), o(), o()];
          const call = (): Out =>
            ppoPolicyLoss({ logprobs, oldLogprobs, advantages, mask, clipRange: 0.2 });
          return [[logprobs, oldLogprobs, advantages, mask], call];
        },
      ],
      [
        'ppoValueLoss',
        2,
        () => {
          const [values, oldValues, returns, mask] = [z(), z(), o(), o()];
          const call = (): Out =>
            ppoValueLoss({ values, oldValues, returns, mask, clipRange: 0.2 });
          return [[values, oldValues, returns, mask], call];
        },
      ],
      [
        'rrhfLoss',
        3,
        () => {
          const logprobSums = tf.tensor1d([-1, -2, -3]);
          const call = (): Out => rrhfLoss({ logprobSums, lengths: [1, 2, 3], scores: [2, 1, 0] });
          return [[logprobSums], call];
        },
      ],
    ];

    it.each(cases)('%s', (_name, outputs, make) => {
      const [inputs, call] = make();
      expectOnlyOutputsKept(tf, call, outputs);
      tf.dispose(inputs);
    });
  });
});

describe('rankingToPairs', () => {
  it.each(fx.rankingToPairs)('$name matches the fixture', (c) => {
    expect(rankingToPairs(c.ranks)).toEqual(c.pairs);
  });

  it('hand case [1, 0, 1, 2]: a tie between 0 and 2 gives no pair', () => {
    expect(rankingToPairs([1, 0, 1, 2])).toEqual([
      [1, 0],
      [0, 3],
      [1, 2],
      [1, 3],
      [2, 3],
    ]);
  });

  it('a strict ranking of K gives C(K, 2) pairs', () => {
    expect(rankingToPairs([4, 0, 3, 1, 2, 5, 6, 8, 7])).toHaveLength(36);
  });
});

describe('gae', () => {
  it.each(fx.gae)('$name matches the fixture', (c) => {
    const { advantages, returns } = gae(c.rewards, c.values, c.gamma, c.lam);
    expectClose(advantages, c.advantages, 'advantages', 1e-12, 1e-12);
    expectClose(returns, c.returns, 'returns', 1e-12, 1e-12);
  });

  it('hand case γ = λ = 1: A_t = Σ rewards from t − V_t', () => {
    const { advantages, returns } = gae([0, 0, 1], [0.5, 0.25, 0.75], 1, 1);
    expectClose(advantages, [0.5, 0.75, 0.25], 'advantages', 1e-12, 1e-12);
    expectClose(returns, [1, 1, 1], 'returns', 1e-12, 1e-12);
  });

  it.each(fx.gaeMasked)('gaeMasked $name matches the fixture', (c) => {
    const r = gaeMasked(
      Float32Array.from(c.rewards),
      Float32Array.from(c.values),
      Float32Array.from(c.mask),
      c.B,
      c.T,
      c.gamma,
      c.lam,
    );
    expect(r.advantages).toBeInstanceOf(Float32Array);
    expectClose(r.advantages, c.advantages, 'advantages');
    expectClose(r.returns, c.returns, 'returns');
  });

  it('gaeMasked equals gae on each row’s response span, zeros elsewhere', () => {
    const rewards = [9, 0.1, 0.2, 1, 9, 9, 9, -1, 0.5, 9];
    const values = [9, 0.3, 0.2, 0.1, 9, 9, 9, 0.4, -0.2, 9];
    const mask = [0, 1, 1, 1, 0, 0, 0, 1, 1, 0];
    const r = gaeMasked(rewards, values, mask, 2, 5, 1, 0.95);
    const a = gae([0.1, 0.2, 1], [0.3, 0.2, 0.1], 1, 0.95);
    const b = gae([-1, 0.5], [0.4, -0.2], 1, 0.95);
    expectClose(r.advantages, [0, ...a.advantages, 0, 0, 0, ...b.advantages, 0], 'advantages');
    expectClose(r.returns, [0, ...a.returns, 0, 0, 0, ...b.returns, 0], 'returns');
  });
});

describe('KL controllers', () => {
  it.each(fx.adaptiveKL)('adaptive: $name matches the fixture', (c) => {
    const ctl = new AdaptiveKLController(c.initCoef, c.target, c.horizon);
    expect(ctl.value).toBe(c.initCoef);
    c.updates.forEach(([kl, n], i) => {
      ctl.update(kl, n);
      expectClose(ctl.value, c.values[i], `after update ${i}`, 1e-12, 0);
    });
  });

  it('adaptive: hand sequence with clipping at ±0.2', () => {
    const ctl = new AdaptiveKLController(0.1, 4, 100);
    ctl.update(4, 10); // on target: unchanged
    expect(ctl.value).toBeCloseTo(0.1, 15);
    ctl.update(5, 10); // error 0.25 → 0.2: β·(1 + 0.2·10/100) = 0.1·1.02
    expect(ctl.value).toBeCloseTo(0.102, 15);
    ctl.update(3, 50); // error −0.25 → −0.2: ·(1 − 0.1)
    expect(ctl.value).toBeCloseTo(0.102 * 0.9, 15);
    ctl.update(4.4, 100); // error 0.1: ·1.1
    expect(ctl.value).toBeCloseTo(0.102 * 0.9 * 1.1, 15);
  });

  it('fixed: update changes nothing', () => {
    const ctl = new FixedKLController(0.05);
    ctl.update(100, 1000);
    ctl.update(0, 1000);
    expect(ctl.value).toBe(0.05);
  });
});
