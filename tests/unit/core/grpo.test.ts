// groupAdvantages and grpoLoss (GRPO's per-sequence and Dr. GRPO's per-token
// normalisation) against the float64 numpy references of
// scripts/make_fixtures.py (tests/fixtures/losses.json): advantages of all
// three modes, the loss, KL, clip ratio and the analytic gradient w.r.t. the
// policy's log-probabilities, on the tfjs cpu and wasm backends; hand-worked
// cases, best-of-n, argument errors, leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { ArgumentError } from '../../../src/core/errors';
import {
  groupAdvantages,
  grpoLoss,
  type GroupMode,
  type GrpoLossInput,
  type GrpoNormalise,
} from '../../../src/core/losses';
import { bestOfN, bestOfNKlBound } from '../../../src/core/train/best-of-n';
import {
  expectArgumentError,
  expectClose,
  expectOnlyOutputsKept,
  loadFixtures,
  type GrpoFixture,
} from './losses-helpers';

const fx = loadFixtures();
let tf: typeof TF;

/** The fixture's tensors (`all` to dispose) and settings as grpoLoss's input. */
function inputs(c: GrpoFixture): GrpoLossInput & { all: TF.Tensor[] } {
  const [logprobs, oldLogprobs, refLogprobs, mask] = [
    c.logprobs,
    c.oldLogprobs,
    c.refLogprobs,
    c.mask,
  ].map((a) => tf.tensor2d(a));
  const advantages = tf.tensor1d(c.advantages);
  return {
    logprobs,
    oldLogprobs,
    refLogprobs,
    advantages,
    mask,
    clipRange: c.clipRange,
    beta: c.beta,
    normalise: c.normalise,
    maxCompletionLength: c.maxCompletionLength ?? undefined,
    all: [logprobs, oldLogprobs, refLogprobs, advantages, mask],
  };
}

const cases = [...fx.grpo, ...fx.drGrpo].map((c) => ({ name: `${c.normalise}: ${c.name}`, c }));

describe('groupAdvantages vs fixture', () => {
  it.each(fx.groupAdvantages)('$name', (c) => {
    expectClose(groupAdvantages(c.rewards, c.mode).flat(), c.advantages, c.name, 1e-12, 1e-12);
  });
});

describe.each(['cpu', 'wasm'] as const)('%s backend', (backend) => {
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  it.each(cases)('$name matches the fixture', async ({ c }) => {
    const { all, ...x } = inputs(c);
    const out = grpoLoss(x);
    expectClose(await out.loss.data(), c.loss, 'loss');
    expectClose(await out.kl.data(), c.kl, 'kl');
    expectClose(await out.clipRatio.data(), c.clipRatio, 'clipRatio');
    tf.dispose([out.loss, out.kl, out.clipRatio, ...all]);
  });

  it.each(cases)('$name, gradient vs the analytic float64 one', async ({ c }) => {
    const { all, ...x } = inputs(c);
    const grad = tf.grad((lp: TF.Tensor) =>
      tf.tidy(() => grpoLoss({ ...x, logprobs: lp as TF.Tensor2D }).loss),
    )(x.logprobs);
    expectClose(await grad.data(), c.gradLogprobs, 'd/d logprobs', 1e-5, 1e-6);
    tf.dispose([grad, ...all]);
  });
});

describe('groupAdvantages by hand', () => {
  it('gives exact zeros to a group whose rewards are all equal, in every mode', () => {
    for (const mode of ['grpo', 'dr-grpo', 'rloo'] as const) {
      // 0.1 + 0.1 + 0.1 = 0.30000000000000004: a computed mean would miss 0.1.
      const [equal, other] = groupAdvantages(
        [
          [0.1, 0.1, 0.1],
          [1, 3],
        ],
        mode,
      );
      expect(equal).toEqual([0, 0, 0]);
      expect(other.every(Number.isFinite)).toBe(true);
    }
  });

  it('K = 2, rewards 1 and 3: GRPO ±1/(√2 + 1e-4), Dr. GRPO ±1, RLOO ±2', () => {
    const g = 1 / (Math.SQRT2 + 1e-4); // mean 2, unbiased std √2
    expectClose(groupAdvantages([[1, 3]], 'grpo')[0], [-g, g], 'grpo', 1e-14, 0);
    expect(groupAdvantages([[1, 3]], 'dr-grpo')[0]).toEqual([-1, 1]);
    expect(groupAdvantages([[1, 3]], 'rloo')[0]).toEqual([-2, 2]);
  });

  it('rejects K < 2, non-finite rewards, no groups and unknown modes by name', () => {
    const argument = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        expect(e).toBeInstanceOf(ArgumentError);
        return (e as ArgumentError).message;
      }
      return expect.fail('no error');
    };
    expect(argument(() => groupAdvantages([[1, 2], [3]], 'grpo'))).toMatch(
      /rewards: group 1 has 1 reward\(s\)/,
    );
    expect(argument(() => groupAdvantages([[1, NaN]], 'rloo'))).toMatch(/rewards\[0\]: entry 1/);
    expect(argument(() => groupAdvantages([], 'grpo'))).toMatch(/rewards: is empty/);
    expect(argument(() => groupAdvantages([[1, 2]], 'ppo' as GroupMode))).toMatch(
      /mode: is ppo; expected one of grpo, dr-grpo, rloo/,
    );
  });
});

describe('grpoLoss by hand', () => {
  beforeAll(async () => {
    tf = await useBackend('cpu');
  });

  it('ratio 1, policy = reference: −mean_b A_b (sequence) and −Σ_b A_b·n_b/(B·L) (tokens)', async () => {
    const lp = tf.tensor2d([
      [-1, -2, -3],
      [-0.5, -0.5, -4],
    ]);
    const mask = tf.tensor2d([
      [0, 1, 1],
      [1, 1, 1],
    ]);
    const advantages = tf.tensor1d([2, -1]);
    const x = { logprobs: lp, oldLogprobs: lp, refLogprobs: lp, advantages, mask, clipRange: 0.2 };
    const want: [GrpoNormalise, number | undefined, number][] = [
      ['sequence', undefined, -(2 - 1) / 2],
      ['tokens', undefined, -(2 * 2 - 1 * 3) / (2 * 3)],
      ['tokens', 8, -(2 * 2 - 1 * 3) / (2 * 8)],
    ];
    for (const [normalise, maxCompletionLength, loss] of want) {
      const out = grpoLoss({ ...x, beta: 0.5, normalise, maxCompletionLength });
      expectClose(await out.loss.data(), loss, `${normalise} L=${maxCompletionLength}`, 1e-6, 0);
      expect(Array.from(await out.kl.data())).toEqual([0]);
      expect(Array.from(await out.clipRatio.data())).toEqual([0]);
      tf.dispose([out.loss, out.kl, out.clipRatio]);
    }
    tf.dispose([lp, mask, advantages]);
  });

  it('k3 KL: ref − logp = 1 on every token gives e − 2', async () => {
    const lp = tf.tensor2d([[-2, -3]]);
    const ref = tf.tensor2d([[-1, -2]]);
    const mask = tf.tensor2d([[1, 1]]);
    const advantages = tf.tensor1d([0]);
    const out = grpoLoss({
      logprobs: lp,
      oldLogprobs: lp,
      refLogprobs: ref,
      advantages,
      mask,
      clipRange: 0.2,
      beta: 0.1,
      normalise: 'sequence',
    });
    expectClose(await out.kl.data(), Math.E - 2, 'kl', 1e-6, 0);
    expectClose(await out.loss.data(), 0.1 * (Math.E - 2), 'loss', 1e-6, 0);
    tf.dispose([out.loss, out.kl, out.clipRatio, lp, ref, mask, advantages]);
  });

  it('rejects bad shapes, clip range, β, normalisation and L by name, leaving no tensor', () => {
    const [two, one, empty] = [tf.tensor2d([[-1, -2]]), tf.tensor2d([[-1]]), tf.tensor2d([[]])];
    const [adv, adv2] = [tf.tensor1d([1]), tf.tensor1d([1, 2])];
    const m = tf.tensor2d([[1, 1]]);
    const ok: GrpoLossInput = {
      logprobs: two,
      oldLogprobs: two,
      refLogprobs: two,
      advantages: adv,
      mask: m,
      clipRange: 0.2,
      beta: 0.1,
      normalise: 'sequence',
    };
    const expectArgError = (x: GrpoLossInput, argument: string, reason?: RegExp): void =>
      expectArgumentError(tf, () => grpoLoss(x), argument, reason);
    expectArgError({ ...ok, oldLogprobs: one }, 'oldLogprobs', /shape \[1, 1\]/);
    expectArgError({ ...ok, refLogprobs: one }, 'refLogprobs');
    expectArgError({ ...ok, mask: one }, 'mask');
    expectArgError({ ...ok, advantages: adv2 }, 'advantages', /expected \[1\]/);
    expectArgError({ ...ok, logprobs: empty, oldLogprobs: empty }, 'logprobs', /empty/);
    expectArgError({ ...ok, clipRange: 0 }, 'clipRange');
    expectArgError({ ...ok, beta: -0.1 }, 'beta', />= 0/);
    expectArgError({ ...ok, beta: NaN }, 'beta');
    expectArgError({ ...ok, normalise: 'mean' as GrpoNormalise }, 'normalise', /sequence, tokens/);
    expectArgError({ ...ok, normalise: 'tokens', maxCompletionLength: 0 }, 'maxCompletionLength');
    tf.dispose([two, one, empty, adv, adv2, m]);
  });

  it('leaves only its three outputs, and nothing inside tf.tidy', () => {
    const lp = tf.tensor2d([[-1, -2]]);
    const ref = tf.tensor2d([[-1.5, -1]]);
    const [adv, m] = [tf.tensor1d([0.5]), tf.tensor2d([[1, 1]])];
    for (const [normalise, beta] of [
      ['sequence', 0.1],
      ['tokens', 0],
    ] as const) {
      const call = () =>
        grpoLoss({
          logprobs: lp,
          oldLogprobs: lp,
          refLogprobs: ref,
          advantages: adv,
          mask: m,
          clipRange: 0.2,
          beta,
          normalise,
        });
      expectOnlyOutputsKept(tf, call, 3);
    }
    tf.dispose([lp, ref, adv, m]);
  });
});

describe('best-of-n', () => {
  it('picks the highest score, the first one on a tie', () => {
    expect(bestOfN([0.1, 2, -1, 2])).toBe(1);
    expect(bestOfN([-3])).toBe(0);
    expect(() => bestOfN([])).toThrow(/scores: is empty/);
    expect(() => bestOfN([1, NaN])).toThrow(/scores: entry 1/);
  });

  it('KL bound log n − (n − 1)/n: 0 at n = 1, log 2 − 1/2 at n = 2, log 4 − 3/4 at n = 4', () => {
    expect(bestOfNKlBound(1)).toBe(0);
    expectClose(bestOfNKlBound(2), 0.6931471805599453 - 0.5, 'n=2', 1e-15, 0);
    expectClose(bestOfNKlBound(4), 1.3862943611198906 - 0.75, 'n=4', 1e-15, 0);
    expect(() => bestOfNKlBound(0)).toThrow(/n: is 0/);
    expect(() => bestOfNKlBound(2.5)).toThrow(/integer/);
  });
});
