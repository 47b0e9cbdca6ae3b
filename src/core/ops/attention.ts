/**
 * Multi-head self-attention up to (not including) its output projection:
 * q, k, v = split(h·w + b); y = softmax(q·kᵀ/√hs + bias)·v in every head.
 *
 * Three implementations of the same math:
 * - `selfAttentionReference`: batched matMuls with tfjs autodiff. Used on
 *   webgl and cpu, where batched matMul is a native kernel, and on webgpu
 *   when the fused kernels are off.
 * - on webgpu, c_attn's product followed by `fusedCausalAttention`
 *   (fused-attention.ts): four hand-written kernels in place of the chain.
 * - `selfAttentionGrouped`: for wasm, whose batched matMul is a naive loop
 *   (~20 ms for one nano layer's q·kᵀ, ~3.5 GFLOP/s). It writes each per-head
 *   product as ONE depthwise convolution, which XNNPACK runs as a grouped
 *   GEMM (~3 ms for the same product), with an analytic gradient made of the
 *   same grouped products. The q, k, v projection is part of the op because
 *   splitting its (B·T, 3C) output is slow on wasm (a copy per row in JS):
 *   q, k, v come from three products with column blocks of w instead, and
 *   their gradients meet in one product again.
 *
 * Shapes: B batch, T sequence, nh heads, hs head size, C = nh·hs, G = B·nh.
 * h and y are (B·T, C): rows of the residual stream, batch major. w is
 * c_attn's weight (C, 3C), b its bias (3C). The attention bias is additive,
 * (B or 1, T, T): causal mask plus key padding.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-grad';
import { fusedAttentionActive, fusedCausalAttention } from './fused-attention';
import { linear, linearGrads, onWasm } from './matmul';

type Args = [h: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, bias: tf.Tensor3D, nh: number];

/** Picks the implementation that is fast on the current backend. */
export function selfAttention(...args: Args): tf.Tensor2D {
  if (onWasm()) return selfAttentionGrouped(...args);
  const [h, w, b, bias, nh] = args;
  if (fusedAttentionActive(h.shape[1] / nh)) return fusedCausalAttention(linear(h, w, b), bias, nh);
  return selfAttentionReference(...args);
}

export function selfAttentionReference(...[h, w, b, bias, nh]: Args): tf.Tensor2D {
  return attentionCoreReference(linear(h, w, b), bias, nh);
}

/** The attention core from c_attn's output qkv (B·T, 3C) as the generic op chain. */
export function attentionCoreReference(
  qkv: tf.Tensor2D,
  bias: tf.Tensor3D,
  nh: number,
): tf.Tensor2D {
  const T = bias.shape[1];
  const C = qkv.shape[1] / 3;
  const hs = C / nh;
  const heads = (x: tf.Tensor) => x.reshape([-1, T, nh, hs]).transpose([0, 2, 1, 3]); // (B, nh, T, hs)
  const [q, k, v] = tf.split(qkv, 3, 1).map(heads);
  const att = tf.add(
    tf.matMul(q, k, false, true).mul(1 / Math.sqrt(hs)), // (B, nh, T, T)
    bias.reshape([bias.shape[0], 1, T, T]),
  );
  const y = tf.matMul(tf.softmax(att), v); // (B, nh, T, hs)
  return y.transpose([0, 2, 1, 3]).reshape([-1, C]) as tf.Tensor2D;
}

/**
 * Per-group products out[m, g, n] = Σ_k a[m, k, g]·b[k, g, n], as a depthwise
 * convolution: the input (1, M, K, G) filtered by (1, K, G, N) with 'valid'
 * padding gives (1, M, 1, G·N), output channel g·N + n. `a` and `b` may have
 * any shape with their values in that order; the result gets `outShape`.
 */
function groupedMatMul(
  a: tf.Tensor,
  b: tf.Tensor,
  [M, K, G, N]: number[],
  outShape: number[],
): tf.Tensor {
  const x = a.reshape([1, M, K, G]) as tf.Tensor4D;
  const filter = b.reshape([1, K, G, N]) as tf.Tensor4D;
  return tf.depthwiseConv2d(x, filter, 1, 'valid').reshape(outShape);
}

export function selfAttentionGrouped(...[h, w, b, bias, nh]: Args): tf.Tensor2D {
  const T = bias.shape[1];
  const C = h.shape[1];
  const dims: Dims = { B: h.shape[0] / T, T, nh, hs: C / nh };
  const op = customOp<tf.Tensor2D>(([hIn, wIn, bIn], save) => {
    const ws = tf.split(wIn, 3, 1); // 3 × (C, C)
    const bs = tf.split(bIn, 3); // 3 × (C)
    const [q, k, v] = [0, 1, 2].map((i) => tf.add(tf.matMul(hIn as tf.Tensor2D, ws[i]), bs[i]));
    const { y, saved } = groupedForward(q, k, v, bias, dims);
    save([hIn, wIn, ...saved]);
    return {
      value: y,
      gradFunc: (dy, [hSaved, wSaved, ...att]) => {
        const dqkv = tf.concat(groupedBackward(dy, att, dims), 1) as tf.Tensor2D; // (B·T, 3C)
        return linearGrads(hSaved as tf.Tensor2D, wSaved as tf.Tensor2D, dqkv);
      },
    };
  });
  return op(h, w, b);
}

interface Dims {
  B: number;
  T: number;
  nh: number;
  hs: number;
}

/**
 * The attention core from q, k, v (B·T, C). Returns y (B·T, C) and what the
 * gradient needs: qA (i, d, g) (q scaled by 1/√hs), kB (d, g, j), vB (j, g, d)
 * and the probabilities p (i, g, j), with g = (b h).
 */
function groupedForward(
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  bias: tf.Tensor3D,
  { B, T, nh, hs }: Dims,
): { y: tf.Tensor2D; saved: tf.Tensor[] } {
  const G = B * nh;
  const rows = (x: tf.Tensor) => x.reshape([B, T, nh, hs]); // b, t, h, d
  // Operand layouts for groupedMatMul; the scale 1/√hs is folded into q.
  const qA = rows(tf.mul(q, 1 / Math.sqrt(hs))).transpose([1, 3, 0, 2]); // i, d, (b h)
  const kB = rows(k).transpose([3, 0, 2, 1]); // d, (b h), j
  const vB = rows(v).transpose([1, 0, 2, 3]); // j, (b h), d
  const scores = groupedMatMul(qA, kB, [T, hs, G, T], [T, B, nh, T]); // i, b, h, j
  // (Bb, T, T) → (T, Bb, 1, T), to broadcast over the scores' layout.
  const biasT = bias.transpose([1, 0, 2]).reshape([T, bias.shape[0], 1, T]);
  const p = tf.softmax(tf.add(scores, biasT)).reshape([T, G, T]); // i, (b h), j
  const y = groupedMatMul(p.transpose([0, 2, 1]), vB, [T, T, G, hs], [T, B, nh, hs]);
  return {
    y: y.transpose([1, 0, 2, 3]).reshape([B * T, nh * hs]) as tf.Tensor2D, // (b t), (h d)
    saved: [qA, kB, vB, p],
  };
}

/** Gradients w.r.t. q, k, v, each (B·T, C), from dy (B·T, C) and `groupedForward`'s saved. */
function groupedBackward(
  dy: tf.Tensor2D,
  [qA, kB, vB, p]: tf.Tensor[],
  { B, T, nh, hs }: Dims,
): tf.Tensor[] {
  const [G, C] = [B * nh, nh * hs];
  const dyRows = dy.reshape([B, T, nh, hs]).transpose([1, 3, 0, 2]); // i, d, g
  const dyCols = dyRows.reshape([T, hs, G]).transpose([1, 0, 2]); // d, i, g
  // dV = pᵀ·dy, computed transposed: dVᵀ[d, g, j] = Σ_i dy[i, d, g]·p[i, g, j].
  const dVt = groupedMatMul(dyCols, p, [hs, T, G, T], [hs, B, nh, T]);
  // dP = dy·vᵀ; then the softmax backward dS = p ⊙ (dP − Σ_j dP ⊙ p).
  const vT = vB.reshape([T, G, hs]).transpose([2, 1, 0]); // d, g, j
  const dP = groupedMatMul(dyRows, vT, [T, hs, G, T], [T, G, T]);
  const dS = tf.mul(p, tf.sub(dP, tf.mul(dP, p).sum(-1, true))); // i, g, j
  // dQ = dS·k/√hs (the scale was folded into qA).
  const kJ = kB.reshape([hs, G, T]).transpose([2, 1, 0]); // j, g, d
  const dQ = groupedMatMul(dS.transpose([0, 2, 1]), kJ, [T, T, G, hs], [T, B, nh, hs]);
  // dK = dSᵀ·(q/√hs), computed transposed: dKᵀ[d, g, j] = Σ_i qA[i, d, g]·dS[i, g, j].
  const qT = qA.reshape([T, hs, G]).transpose([1, 0, 2]); // d, i, g
  const dKt = groupedMatMul(qT, dS, [hs, T, G, T], [hs, B, nh, T]);
  const fromTransposed = (x: tf.Tensor) => x.transpose([1, 3, 2, 0]).reshape([B * T, C]);
  return [
    dQ
      .mul(1 / Math.sqrt(hs))
      .transpose([1, 0, 2, 3])
      .reshape([B * T, C]),
    fromTransposed(dKt),
    fromTransposed(dVt),
  ];
}
