// The custom-gradient ops of src/core/ops against plain tfjs ops with tfjs's
// own autodiff, on the same inputs: values and gradients must agree to ~1e-5
// on cpu and on wasm. Each loss weights the output with fixed random numbers
// so that every output element reaches the gradient.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { mulberry32, normalArray } from '../../../src/core/random';
import { embedding, linear, matMul, sumRows, transposeMatrix } from '../../../src/core/ops/matmul';
import { layerNorm } from '../../../src/core/ops/layer-norm';
import { gelu } from '../../../src/core/ops/gelu';
import { addSameShape } from '../../../src/core/ops/residual';
import { selfAttentionGrouped, selfAttentionReference } from '../../../src/core/ops/attention';
import { createGPT } from '../../../src/core/model/gpt';
import { lmLoss, tokenLogprobs, tokenLogprobsReference } from '../../../src/core/model/lm-losses';

const TOL = 1e-5;

describe.each(['cpu', 'wasm'] as const)('custom ops on %s', (backend) => {
  let tf: typeof TF;
  let rng: () => number;
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  const randn = (shape: number[], std = 1) =>
    tf.tensor(
      normalArray(
        shape.reduce((a, b) => a * b, 1),
        std,
        rng,
      ),
      shape,
    );

  /** max |got − want| / max(1, max |want|). */
  async function relErr(got: TF.Tensor, want: TF.Tensor): Promise<number> {
    expect(got.shape).toEqual(want.shape);
    const g = await got.data();
    const w = await want.data();
    let diff = 0;
    let scale = 1;
    for (let i = 0; i < w.length; i++) {
      diff = Math.max(diff, Math.abs(g[i] - w[i]));
      scale = Math.max(scale, Math.abs(w[i]));
    }
    return diff / scale;
  }

  /**
   * Compares f and ref: their values, and the gradients of Σ out·r with
   * respect to every input.
   */
  async function expectSameOpAndGrads(
    f: (...xs: TF.Tensor[]) => TF.Tensor,
    ref: (...xs: TF.Tensor[]) => TF.Tensor,
    inputs: TF.Tensor[],
  ) {
    const want = ref(...inputs);
    const r = randn(want.shape);
    const loss =
      (fn: typeof f) =>
      (...xs: TF.Tensor[]) =>
        tf.sum(tf.mul(fn(...xs), r));
    expect(await relErr(f(...inputs), want)).toBeLessThan(TOL);
    const got = tf.grads(loss(f))(inputs);
    const exp = tf.grads(loss(ref))(inputs);
    for (let i = 0; i < inputs.length; i++) {
      expect(await relErr(got[i], exp[i]), `gradient of input ${i}`).toBeLessThan(TOL);
    }
    tf.dispose([want, r, ...got, ...exp]);
  }

  it('transposes matrices and sums their rows as the plain ops', async () => {
    rng = mulberry32(1);
    for (const shape of [
      [8, 5],
      [7, 3],
    ]) {
      const x = randn(shape) as TF.Tensor2D;
      expect(await relErr(transposeMatrix(x), x.transpose())).toBe(0);
      expect(await relErr(sumRows(x), x.sum(0))).toBeLessThan(TOL);
      const y = randn([shape[0], 4]) as TF.Tensor2D;
      expect(await relErr(matMul(x, y, true, false), tf.matMul(x, y, true, false))).toBeLessThan(
        TOL,
      );
      x.dispose();
      y.dispose();
    }
  });

  it('addSameShape: a + b', async () => {
    rng = mulberry32(8);
    const [a, b] = [randn([3, 4]), randn([3, 4])];
    await expectSameOpAndGrads(
      (a, b) => addSameShape(a, b),
      (a, b) => tf.add(a, b),
      [a, b],
    );
    tf.dispose([a, b]);
  });

  it('linear: x·w + b, with and without bias', async () => {
    rng = mulberry32(2);
    for (const [m, n, k] of [
      [8, 5, 7], // in < out: the gradient transposes x
      [12, 9, 3], // in > out: it transposes dy
      [5, 4, 4], // m not a multiple of 4
    ]) {
      const x = randn([m, n]);
      const w = randn([n, k]);
      const b = randn([k]);
      await expectSameOpAndGrads(
        (x, w, b) => linear(x as TF.Tensor2D, w as TF.Tensor2D, b as TF.Tensor1D),
        (x, w, b) => tf.add(tf.matMul(x as TF.Tensor2D, w as TF.Tensor2D), b),
        [x, w, b],
      );
      await expectSameOpAndGrads(
        (x, w) => linear(x as TF.Tensor2D, w as TF.Tensor2D),
        (x, w) => tf.matMul(x as TF.Tensor2D, w as TF.Tensor2D),
        [x, w],
      );
      tf.dispose([x, w, b]);
    }
  });

  it('embedding: one-hot rows of a table, gradient for the table', async () => {
    rng = mulberry32(3);
    const ids = tf.tensor1d([3, 0, 3, 5, 1, 2, 2, 4], 'int32');
    const table = randn([6, 5]);
    await expectSameOpAndGrads(
      (t) => embedding(ids, t as TF.Tensor2D),
      (t) => tf.matMul(tf.oneHot(ids, 6).toFloat(), t as TF.Tensor2D),
      [table],
    );
    tf.dispose([ids, table]);
  });

  it('layerNorm: PyTorch LayerNorm over the last axis', async () => {
    rng = mulberry32(4);
    const x = tf.add(randn([2, 3, 8], 2), 0.5);
    const gamma = tf.add(randn([8], 0.3), 1);
    const beta = randn([8], 0.3);
    const ref = (x: TF.Tensor, g: TF.Tensor, b: TF.Tensor) => {
      const xc = tf.sub(x, x.mean(-1, true));
      const xhat = tf.mul(xc, tf.rsqrt(tf.add(xc.square().mean(-1, true), 1e-5)));
      return tf.add(tf.mul(xhat, g), b);
    };
    await expectSameOpAndGrads((x, g, b) => layerNorm(x, g as TF.Tensor1D, b as TF.Tensor1D), ref, [
      x,
      gamma,
      beta,
    ]);
    tf.dispose([x, gamma, beta]);
  });

  it('gelu: the tanh approximation of GPT-2', async () => {
    rng = mulberry32(5);
    const x = randn([4, 16], 3);
    const ref = (x: TF.Tensor) => {
      const inner = tf.mul(Math.sqrt(2 / Math.PI), tf.add(x, tf.mul(0.044715, tf.pow(x, 3))));
      return tf.mul(tf.mul(0.5, x), tf.add(1, tf.tanh(inner)));
    };
    await expectSameOpAndGrads((x) => gelu(x), ref, [x]);
    x.dispose();
  });

  it('grouped self-attention equals batched-matMul attention, with causal and padding bias', async () => {
    rng = mulberry32(6);
    const [B, T, nh, hs] = [2, 5, 2, 4];
    const C = nh * hs;
    const h = randn([B * T, C]); // (B·T, C) rows
    const w = randn([C, 3 * C], 0.5);
    const b = randn([3 * C], 0.5);
    const causal = tf.tensor3d(
      [
        Array.from({ length: T }, (_, i) =>
          Array.from({ length: T }, (_, j) => (j > i ? -1e9 : 0)),
        ),
      ],
      [1, T, T],
    );
    // Row 1 is left-padded by 2: its first two keys are masked too.
    const pad = tf.tensor3d([[[0, 0, 0, 0, 0]], [[-1e9, -1e9, 0, 0, 0]]], [B, 1, T]);
    for (const bias of [causal, tf.add(causal, pad) as TF.Tensor3D]) {
      await expectSameOpAndGrads(
        (h, w, b) =>
          selfAttentionGrouped(h as TF.Tensor2D, w as TF.Tensor2D, b as TF.Tensor1D, bias, nh),
        (h, w, b) =>
          selfAttentionReference(h as TF.Tensor2D, w as TF.Tensor2D, b as TF.Tensor1D, bias, nh),
        [h, w, b],
      );
    }
    tf.dispose([h, w, b, causal, pad]);
  });

  it('tokenLogprobs: log-softmax at the next token, with its gradient', async () => {
    rng = mulberry32(7);
    const [B, T, V] = [3, 6, 7];
    const logits = randn([B, T, V], 2);
    const ids = tf.tensor2d(
      Array.from({ length: B }, () => Array.from({ length: T }, () => Math.floor(rng() * V))),
      [B, T],
      'int32',
    );
    await expectSameOpAndGrads(
      (l) => tokenLogprobs(l as TF.Tensor3D, ids),
      (l) => tokenLogprobsReference(l as TF.Tensor3D, ids),
      [logits],
    );
    tf.dispose([logits, ids]);
  });
});

// The ops compose into the model: cpu (batched-matMul attention, tfjs's own
// transposes and sums) and wasm (grouped attention, rank-3 transposes, pooled
// sums) give the same gradients for a loss with padding and a loss mask.
describe('GPT gradients', () => {
  it('agree on cpu and wasm', async () => {
    const config = { vocabSize: 13, blockSize: 16, nLayer: 2, nHead: 2, nEmbd: 16 };
    const ids = [0, 1, 2].map((b) => Array.from({ length: 12 }, (_, t) => (b * 5 + t * 7) % 13));
    const lossMask = ids.map((row) => row.map((_, t) => (t > 3 ? 1 : 0)));
    const padMask = ids.map((row, b) => row.map((_, t) => (b === 1 && t < 2 ? 0 : 1)));
    const grads: Record<string, Float32Array[]> = {};
    for (const backend of ['cpu', 'wasm'] as const) {
      const tf = await useBackend(backend);
      const model = createGPT(config, 5);
      const [i, l, p] = [
        tf.tensor2d(ids, undefined, 'int32'),
        tf.tensor2d(lossMask),
        tf.tensor2d(padMask),
      ];
      const g = tf.variableGrads(() => lmLoss(model, i, l, p), model.variables);
      grads[backend] = await Promise.all(
        model.variables.map((v) => g.grads[v.name].data() as Promise<Float32Array>),
      );
      tf.dispose([i, l, p, g.value, ...Object.values(g.grads)]);
      model.dispose();
    }
    grads.cpu.forEach((want, n) => {
      const got = grads.wasm[n];
      const scale = Math.max(1e-6, ...want.map(Math.abs));
      const diff = Math.max(...want.map((w, j) => Math.abs(w - got[j])));
      expect(diff / scale).toBeLessThan(1e-5);
    });
  });
});
