// Bad inputs throw ArgumentError naming the argument, before any tensor is built.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { ArgumentError } from '../../../src/core/errors';
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

let tf: typeof TF;
const held: TF.Tensor[] = [];
/** Input tensors, kept for the whole file and disposed at the end. */
function t(values: number[] | number[][], shape?: number[]): TF.Tensor {
  const x = shape ? tf.tensor(values.flat(), shape) : tf.tensor(values);
  held.push(x);
  return x;
}
const t1 = (v: number[]): TF.Tensor1D => t(v) as TF.Tensor1D;
const t2 = (v: number[][]): TF.Tensor2D => t(v) as TF.Tensor2D;

beforeAll(async () => {
  tf = await useBackend('cpu');
});
afterAll(() => tf.dispose(held));

function expectArgError(fn: () => unknown, argument: string, reason?: RegExp): void {
  const before = tf.memory().numTensors;
  const heldBefore = held.length; // inputs built inside `fn` are expected to remain
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, `expected an ArgumentError for ${argument}`).toBeInstanceOf(ArgumentError);
  const err = caught as ArgumentError;
  expect(err.argument).toBe(argument);
  if (reason) expect(err.message).toMatch(reason);
  const inputs = held.length - heldBefore;
  expect(tf.memory().numTensors, 'no tensor left behind by the throw').toBe(before + inputs);
}

describe('masked reductions', () => {
  it('reject a mask of another shape and a bad axis', () => {
    const x = t2([[1, 2, 3]]);
    expectArgError(() => maskedSum(x, t2([[1, 1]])), 'mask', /shape/);
    expectArgError(() => maskedMean(x, t1([1, 1, 1])), 'mask');
    expectArgError(() => maskedVar(x, t2([[1, 1]]), true), 'mask');
    expectArgError(() => maskedMean(x, t2([[1, 1, 1]]), 2), 'axis');
    expectArgError(() => maskedVar(x, t2([[1, 1, 1]]), true, 0.5), 'axis');
  });
});

describe('ranking', () => {
  it('rankingToPairs rejects empty and non-finite rankings', () => {
    expectArgError(() => rankingToPairs([]), 'ranks', /empty/);
    expectArgError(() => rankingToPairs([0, NaN]), 'ranks', /entry 1/);
    expectArgError(() => rankingToPairs([Infinity, 0]), 'ranks');
  });

  it('rankingLoss rejects mismatched lengths, empty and non-1D rewards', () => {
    expectArgError(() => rankingLoss(t1([1, 2, 3]), [0, 1]), 'ranks', /2 entries/);
    expectArgError(() => rankingLoss(t1([1, 2]), [0, 1, 2]), 'ranks');
    expectArgError(() => rankingLoss(t1([]), []), 'ranks', /empty/);
    expectArgError(() => rankingLoss(t1([]), [0]), 'rewards', /empty/);
    expectArgError(() => rankingLoss(t2([[1, 2]]) as unknown as TF.Tensor1D, [0, 1]), 'rewards');
    expectArgError(() => rankingLoss(t1([1, 2]), [0, NaN]), 'ranks');
  });

  it('directScoreLoss rejects grades outside [0, 1], NaN and length mismatches', () => {
    const r = t1([0, 1]);
    expectArgError(() => directScoreLoss(r, [0.5, 1.5]), 'grades[1]', /\[0, 1\]/);
    expectArgError(() => directScoreLoss(r, [-0.1, 0]), 'grades[0]');
    expectArgError(() => directScoreLoss(r, [NaN, 0]), 'grades[0]');
    expectArgError(() => directScoreLoss(r, [0.5]), 'grades');
    expectArgError(() => directScoreLoss(r, []), 'grades', /empty/);
  });
});

describe('PPO', () => {
  const a = (): TF.Tensor2D =>
    t2([
      [1, 2, 3],
      [4, 5, 6],
    ]);

  it('whiten rejects mismatched and empty inputs', () => {
    expectArgError(() => whiten(a(), t2([[1, 1, 1]])), 'mask');
    expectArgError(() => whiten(t([], [0, 3]), t([], [0, 3])), 'x', /empty/);
  });

  it('klPenalizedRewards rejects bad beta and shapes', () => {
    const ok = { logprobs: a(), refLogprobs: a(), mask: a(), scores: t1([1, 2]), beta: 0.1 };
    expectArgError(() => klPenalizedRewards({ ...ok, beta: -0.1 }), 'beta', />= 0/);
    expectArgError(() => klPenalizedRewards({ ...ok, beta: NaN }), 'beta');
    expectArgError(() => klPenalizedRewards({ ...ok, scores: t1([1, 2, 3]) }), 'scores');
    expectArgError(
      () => klPenalizedRewards({ ...ok, refLogprobs: t2([[1, 2, 3]]) }),
      'refLogprobs',
    );
    expectArgError(() => klPenalizedRewards({ ...ok, mask: t2([[1], [1]]) }), 'mask');
    const flat = t1([1, 2, 3]) as unknown as TF.Tensor2D;
    expectArgError(() => klPenalizedRewards({ ...ok, logprobs: flat }), 'logprobs');
    const empty = t([], [0, 3]) as TF.Tensor2D;
    expectArgError(
      () =>
        klPenalizedRewards({
          logprobs: empty,
          refLogprobs: empty,
          mask: empty,
          scores: t1([]),
          beta: 0,
        }),
      'logprobs',
      /empty/,
    );
  });

  it('ppoPolicyLoss rejects clipRange <= 0 and mismatched shapes', () => {
    const ok = { logprobs: a(), oldLogprobs: a(), advantages: a(), mask: a(), clipRange: 0.2 };
    expectArgError(() => ppoPolicyLoss({ ...ok, clipRange: 0 }), 'clipRange', /> 0/);
    expectArgError(() => ppoPolicyLoss({ ...ok, clipRange: -0.2 }), 'clipRange');
    expectArgError(() => ppoPolicyLoss({ ...ok, clipRange: NaN }), 'clipRange');
    expectArgError(() => ppoPolicyLoss({ ...ok, advantages: t2([[1, 2, 3]]) }), 'advantages');
    expectArgError(() => ppoPolicyLoss({ ...ok, oldLogprobs: t1([1, 2, 3]) }), 'oldLogprobs');
    expectArgError(() => ppoPolicyLoss({ ...ok, mask: t2([[1, 2]]) }), 'mask');
    const e = t([], [2, 0]);
    expectArgError(
      () => ppoPolicyLoss({ logprobs: e, oldLogprobs: e, advantages: e, mask: e, clipRange: 0.2 }),
      'logprobs',
    );
  });

  it('ppoValueLoss rejects clipRange <= 0 and mismatched shapes', () => {
    const ok = { values: a(), oldValues: a(), returns: a(), mask: a(), clipRange: 0.2 };
    expectArgError(() => ppoValueLoss({ ...ok, clipRange: 0 }), 'clipRange');
    expectArgError(() => ppoValueLoss({ ...ok, clipRange: Infinity }), 'clipRange');
    expectArgError(() => ppoValueLoss({ ...ok, returns: t2([[1, 2, 3]]) }), 'returns');
    expectArgError(() => ppoValueLoss({ ...ok, oldValues: t2([[1, 2, 3]]) }), 'oldValues');
    expectArgError(() => ppoValueLoss({ ...ok, mask: t1([1]) }), 'mask');
  });
});

describe('GAE', () => {
  it('gae rejects bad discounts, lengths and non-finite entries', () => {
    expectArgError(() => gae([1, 2], [0, 0], 1.5, 0.95), 'gamma', /\[0, 1\]/);
    expectArgError(() => gae([1, 2], [0, 0], -0.1, 0.95), 'gamma');
    expectArgError(() => gae([1, 2], [0, 0], 1, 1.01), 'lam');
    expectArgError(() => gae([1, 2], [0, 0], 1, NaN), 'lam');
    expectArgError(() => gae([1, NaN], [0, 0], 1, 0.95), 'rewards', /entry 1/);
    expectArgError(() => gae([1, 2], [0, Infinity], 1, 0.95), 'values');
    expectArgError(() => gae([1, 2], [0], 1, 0.95), 'values', /1 entries/);
    expectArgError(() => gae([], [], 1, 0.95), 'rewards', /empty/);
  });

  it('gaeMasked rejects bad sizes, masks and entries', () => {
    const r = [1, 2, 3, 4];
    const m = [1, 1, 0, 1];
    expectArgError(() => gaeMasked(r, r, m, 0, 4, 1, 0.95), 'B');
    expectArgError(() => gaeMasked(r, r, m, 2, 1.5, 1, 0.95), 'T');
    expectArgError(() => gaeMasked(r, r, m, 1, 3, 1, 0.95), 'rewards', /B·T/);
    expectArgError(() => gaeMasked(r, [1, 2, 3], m, 2, 2, 1, 0.95), 'values');
    expectArgError(() => gaeMasked(r, r, [1, 1, 0], 2, 2, 1, 0.95), 'mask');
    expectArgError(() => gaeMasked(r, r, [1, 0.5, 0, 1], 2, 2, 1, 0.95), 'mask', /0 or 1/);
    expectArgError(() => gaeMasked(r, r, m, 1, 4, 1, 0.95), 'mask', /one run/);
    expectArgError(() => gaeMasked([1, 2, NaN, 4], r, m, 2, 2, 1, 0.95), 'rewards');
    expectArgError(() => gaeMasked(r, r, m, 2, 2, 2, 0.95), 'gamma');
    expectArgError(() => gaeMasked([], [], [], 0, 0, 1, 0.95), 'B');
  });
});

describe('KL controllers', () => {
  it('reject bad construction and updates', () => {
    expectArgError(() => new AdaptiveKLController(-0.1, 6, 10000), 'initCoef');
    expectArgError(() => new AdaptiveKLController(0.1, 0, 10000), 'target', /> 0/);
    expectArgError(() => new AdaptiveKLController(0.1, 6, -1), 'horizon');
    expectArgError(() => new AdaptiveKLController(0.1, 6, NaN), 'horizon');
    expectArgError(() => new FixedKLController(-1), 'coef');
    const ctl = new AdaptiveKLController(0.1, 6, 10000);
    expectArgError(() => ctl.update(NaN, 1), 'observedKl');
    expectArgError(() => ctl.update(1, -1), 'nSteps');
    expect(ctl.value).toBe(0.1);
    expectArgError(() => new FixedKLController(0.1).update(Infinity, 1), 'observedKl');
  });
});

describe('rrhfLoss', () => {
  it('rejects bad lengths, scores, penalty and tensors', () => {
    const lp = t1([-1, -2]);
    const ok = { logprobSums: lp, lengths: [1, 2], scores: [0, 1] };
    expectArgError(() => rrhfLoss({ ...ok, lengths: [0, 2] }), 'lengths', /> 0/);
    expectArgError(() => rrhfLoss({ ...ok, lengths: [-1, 2] }), 'lengths');
    expectArgError(() => rrhfLoss({ ...ok, lengths: [1] }), 'lengths', /1 entries/);
    expectArgError(() => rrhfLoss({ ...ok, lengths: [1, NaN] }), 'lengths');
    expectArgError(() => rrhfLoss({ ...ok, scores: [0, NaN] }), 'scores');
    expectArgError(() => rrhfLoss({ ...ok, scores: [0, 1, 2] }), 'scores');
    expectArgError(() => rrhfLoss({ ...ok, lengthPenalty: NaN }), 'lengthPenalty');
    expectArgError(
      () => rrhfLoss({ logprobSums: t1([]), lengths: [], scores: [] }),
      'logprobSums',
      /empty/,
    );
    const twoD = t2([[-1, -2]]) as unknown as TF.Tensor1D;
    expectArgError(() => rrhfLoss({ ...ok, logprobSums: twoD }), 'logprobSums');
  });
});
