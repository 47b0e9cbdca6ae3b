// dpoLoss (DPO's sigmoid loss and IPO) against the float64 numpy references of
// scripts/make_fixtures.py (tests/fixtures/losses.json): the loss, the implicit
// rewards and the analytic gradient w.r.t. the policy's log-probabilities, on
// the tfjs cpu and wasm backends; hand-worked cases, argument errors, leaks.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { dpoLoss, type DpoInput, type DpoLossType } from '../../../src/core/losses';
import {
  expectArgumentError,
  expectClose,
  expectOnlyOutputsKept,
  loadFixtures,
  type DpoFixture,
} from './losses-helpers';

const fx = loadFixtures();
let tf: typeof TF;

/** The fixture's four log-prob vectors as tensors. */
function inputs(c: DpoFixture): Omit<DpoInput, 'beta'> & { all: TF.Tensor1D[] } {
  const [policyChosen, policyRejected, refChosen, refRejected] = [
    c.policyChosen,
    c.policyRejected,
    c.refChosen,
    c.refRejected,
  ].map((a) => tf.tensor1d(a));
  return {
    policyChosen,
    policyRejected,
    refChosen,
    refRejected,
    all: [policyChosen, policyRejected, refChosen, refRejected],
  };
}

const cases: { loss: DpoLossType; name: string; c: DpoFixture }[] = [
  ...fx.dpo.map((c) => ({ loss: 'sigmoid' as const, name: c.name, c })),
  ...fx.ipo.map((c) => ({ loss: 'ipo' as const, name: c.name, c })),
];

describe.each(['cpu', 'wasm'] as const)('%s backend', (backend) => {
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  it.each(cases)('$loss: $name matches the fixture', async ({ loss, c }) => {
    const { all, ...x } = inputs(c);
    const out = dpoLoss({ ...x, beta: c.beta, loss });
    expect(out.chosenRewards.shape).toEqual([c.policyChosen.length]);
    expectClose(await out.loss.data(), c.loss, 'loss');
    expectClose(await out.chosenRewards.data(), c.chosenRewards, 'chosenRewards');
    expectClose(await out.rejectedRewards.data(), c.rejectedRewards, 'rejectedRewards');
    tf.dispose([out.loss, out.chosenRewards, out.rejectedRewards, ...all]);
  });

  it.each(cases)('$loss: $name, gradient vs the analytic float64 one', async ({ loss, c }) => {
    const { all, refChosen, refRejected } = inputs(c);
    const grads = tf.grads((pc: TF.Tensor, pr: TF.Tensor) =>
      tf.tidy(
        () =>
          dpoLoss({
            policyChosen: pc as TF.Tensor1D,
            policyRejected: pr as TF.Tensor1D,
            refChosen,
            refRejected,
            beta: c.beta,
            loss,
          }).loss,
      ),
    )([all[0], all[1]]);
    expectClose(await grads[0].data(), c.gradPolicyChosen, 'd/d policyChosen', 1e-5, 1e-6);
    expectClose(await grads[1].data(), c.gradPolicyRejected, 'd/d policyRejected', 1e-5, 1e-6);
    tf.dispose([...grads, ...all]);
  });
});

describe('dpoLoss by hand', () => {
  beforeAll(async () => {
    tf = await useBackend('cpu');
  });

  it('is log 2 (sigmoid) and 1/(4β²) (ipo) when the policy is the reference, any β', async () => {
    const lp = tf.tensor1d([-3, -11.5]);
    const lr = tf.tensor1d([-7, -2.25]);
    for (const beta of [0.05, 1, 3]) {
      const x = { policyChosen: lp, policyRejected: lr, refChosen: lp, refRejected: lr, beta };
      const sig = dpoLoss(x); // the default is the sigmoid loss
      expectClose(await sig.loss.data(), Math.LN2, `sigmoid β=${beta}`, 1e-6, 0);
      expect(Array.from(await sig.chosenRewards.data()).map(Math.abs)).toEqual([0, 0]);
      const ipo = dpoLoss({ ...x, loss: 'ipo' });
      expectClose(await ipo.loss.data(), 1 / (4 * beta * beta), `ipo β=${beta}`, 1e-6, 0);
      tf.dispose([sig.loss, sig.chosenRewards, sig.rejectedRewards]);
      tf.dispose([ipo.loss, ipo.chosenRewards, ipo.rejectedRewards]);
    }
    tf.dispose([lp, lr]);
  });

  it('hand case: h = (−4 + 5) − (−6 + 5) = 2, β = 0.5: −log σ(1) and (2 − 1)²', async () => {
    const [pc, pr, ref] = [tf.tensor1d([-4]), tf.tensor1d([-6]), tf.tensor1d([-5])];
    const x = { policyChosen: pc, policyRejected: pr, refChosen: ref, refRejected: ref, beta: 0.5 };
    const sig = dpoLoss({ ...x, loss: 'sigmoid' });
    expectClose(await sig.loss.data(), Math.log1p(Math.exp(-1)), 'sigmoid');
    expectClose(await sig.chosenRewards.data(), 0.5, 'chosen reward');
    expectClose(await sig.rejectedRewards.data(), -0.5, 'rejected reward');
    const ipo = dpoLoss({ ...x, loss: 'ipo' });
    expectClose(await ipo.loss.data(), 1, 'ipo');
    tf.dispose([pc, pr, ref, sig.loss, sig.chosenRewards, sig.rejectedRewards]);
    tf.dispose([ipo.loss, ipo.chosenRewards, ipo.rejectedRewards]);
  });

  it('rejects bad shapes, β and loss types by name, leaving no tensor behind', () => {
    const [two, one, empty] = [tf.tensor1d([-1, -2]), tf.tensor1d([-3]), tf.tensor1d([])];
    const matrix = tf.tensor2d([[-1]]);
    const held = [two, one, empty, matrix];
    const ok: DpoInput = {
      policyChosen: two,
      policyRejected: two,
      refChosen: two,
      refRejected: two,
      beta: 0.1,
    };
    const expectArgError = (x: DpoInput, argument: string, reason?: RegExp): void =>
      expectArgumentError(tf, () => dpoLoss(x), argument, reason);
    expectArgError({ ...ok, policyRejected: one }, 'policyRejected', /shape \[1\]/);
    expectArgError({ ...ok, refChosen: one }, 'refChosen');
    expectArgError({ ...ok, refRejected: one }, 'refRejected');
    expectArgError({ ...ok, policyChosen: matrix as unknown as TF.Tensor1D }, 'policyChosen');
    const e = { policyChosen: empty, policyRejected: empty, refChosen: empty, refRejected: empty };
    expectArgError({ ...e, beta: 0.1 } as DpoInput, 'policyChosen', /empty/);
    expectArgError({ ...ok, beta: 0 }, 'beta', /> 0/);
    expectArgError({ ...ok, beta: -0.1 }, 'beta');
    expectArgError({ ...ok, beta: NaN }, 'beta');
    expectArgError({ ...ok, beta: Infinity }, 'beta');
    expectArgError({ ...ok, loss: 'hinge' as DpoLossType }, 'loss', /sigmoid, ipo/);
    tf.dispose(held);
  });

  it('leaves only its three outputs, and nothing inside tf.tidy', () => {
    const x = [tf.tensor1d([-1, -2]), tf.tensor1d([-3, -1]), tf.tensor1d([-2, -2])];
    for (const loss of ['sigmoid', 'ipo'] as const) {
      const call = () =>
        dpoLoss({
          policyChosen: x[0],
          policyRejected: x[1],
          refChosen: x[2],
          refRejected: x[2],
          beta: 0.1,
          loss,
        });
      expectOnlyOutputsKept(tf, call, 3);
    }
    tf.dispose(x);
  });
});
