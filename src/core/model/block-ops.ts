/**
 * The kernels that carry a block's sub-ops (./block.ts), in two sets:
 *
 * - `trainOps`, for training, scoring and prefill: the ops of ../ops with
 *   their own gradients, on the residual stream as (B·T, C) rows.
 * - `DecodeOps`, for one new token per row through a KV cache: inference
 *   only, with as few kernels as possible, since on wasm each kernel costs
 *   ~8 µs whatever its size. The stream is (1, B, C), so that every linear
 *   layer is one fused product-plus-bias kernel on rank-3 operands, and each
 *   LayerNorm's gain and bias are folded into the linear layer after it.
 *
 * Both give the same values (tests/unit/core/gpt.test.ts checks the logits).
 */
import * as tf from '@tensorflow/tfjs';
import { gelu } from '../ops/gelu';
import { layerNorm } from '../ops/layer-norm';
import { linear } from '../ops/matmul';
import { addSameShape } from '../ops/residual';
import type { LayerNormParams, LinearParams } from './params';

export interface BlockOps {
  /** LN(x)·w + b. */
  lnLinear(ln: LayerNormParams, lin: LinearParams, x: tf.Tensor): tf.Tensor;
  /** x·w + b. */
  linear(lin: LinearParams, x: tf.Tensor): tf.Tensor;
  /** GELU, tanh approximation (as GPT-2). */
  gelu(x: tf.Tensor): tf.Tensor;
  /** The residual add x + y. */
  add(x: tf.Tensor, y: tf.Tensor): tf.Tensor;
  /**
   * LN(x)·w_qkv + b split into heads: q, k, v, each (B, nh, Tq, hs), and the
   * scale the scores still need (null: q comes scaled by 1/√hs).
   */
  queryKeyValue(
    ln: LayerNormParams,
    qkv: LinearParams,
    x: tf.Tensor,
    B: number,
    nh: number,
  ): { q: tf.Tensor4D; k: tf.Tensor4D; v: tf.Tensor4D; scale: number | null };
  /** The heads' output (B, nh, Tq, hs) back to rows of the stream. */
  mergeHeads(y: tf.Tensor4D): tf.Tensor;
}

/** LN(x) with its analytic gradient, for rows x (B·T, C). */
export function layerNormRows(ln: LayerNormParams, x: tf.Tensor): tf.Tensor2D {
  return layerNorm(x as tf.Tensor2D, ln.w as tf.Tensor1D, ln.b as tf.Tensor1D) as tf.Tensor2D;
}
const linear2d = (lin: LinearParams, x: tf.Tensor) =>
  linear(x as tf.Tensor2D, lin.w as tf.Tensor2D, lin.b as tf.Tensor1D);

export const trainOps: BlockOps = {
  lnLinear: (ln, lin, x) => linear2d(lin, layerNormRows(ln, x)),
  linear: linear2d,
  gelu: (x) => gelu(x),
  add: (x, y) => addSameShape(x, y),
  queryKeyValue(ln, qkv, x, B, nh) {
    const C = x.shape[1]!;
    const heads = (t: tf.Tensor) =>
      t.reshape([B, -1, nh, C / nh]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // (B, nh, T, hs)
    const [q, k, v] = tf.split(linear2d(qkv, layerNormRows(ln, x)), 3, 1).map(heads); // 3 × (B·T, C)
    return { q, k, v, scale: 1 / Math.sqrt(C / nh) };
  },
  mergeHeads: (y) => y.transpose([0, 2, 1, 3]).reshape([-1, y.shape[1] * y.shape[3]]), // (B·T, C)
};

const LN_EPS = 1e-5;
const GELU_2C = 2 * Math.sqrt(2 / Math.PI);

interface DecodeTables {
  /** I − 11ᵀ/C as (1, C, C): x·center = x − mean(x) per row. */
  center: tf.Tensor3D;
  /** 1/C as (1, C, 1) and eps as [1]: one fused kernel gives mean(·) + eps. */
  meanCol: tf.Tensor3D;
  lnEps: tf.Tensor1D;
  gelu2c: tf.Scalar;
  gelu2ca: tf.Scalar;
}

/** Tensors derived from variables, valid while the variables hold the same data. */
interface Derived {
  dataIds: object[];
  value: tf.Tensor[];
}

export class DecodeOps implements BlockOps {
  /** Constants, made once: uploading even a scalar costs about as much as a kernel on wasm. */
  private tables: DecodeTables | null = null;
  /** Folded weights by the weight of their linear layer (see `derived`). */
  private readonly folded = new Map<tf.Variable, Derived>();
  private readonly weights3d = new Map<tf.Variable, Derived>();

  constructor(private readonly nEmbd: number) {}

  lnLinear(ln: LayerNormParams, lin: LinearParams, x: tf.Tensor, scaleCols = 0, scale = 1) {
    return this.foldedLinear(ln, lin.w, lin.b, false, x as tf.Tensor3D, scaleCols, scale);
  }

  /** LN(x)·w for the LM head w (C, V), or wᵀ when `transposed` (the tied head's wte (V, C)). */
  lnHead(ln: LayerNormParams, w: tf.Variable, transposed: boolean, x: tf.Tensor): tf.Tensor3D {
    return this.foldedLinear(ln, w, null, transposed, x as tf.Tensor3D);
  }

  /** x·w + b without a custom gradient, as one fused kernel (w kept as (1, in, out)). */
  linear(lin: LinearParams, x: tf.Tensor): tf.Tensor3D {
    const [w] = this.derived(this.weights3d, lin.w, [lin.w], () => [
      lin.w.reshape([1, ...lin.w.shape]),
    ]);
    return fusedLinear(x as tf.Tensor3D, w as tf.Tensor3D, lin.b);
  }

  /** GELU (tanh approximation) without a custom gradient: the value of ../ops/gelu, op for op. */
  gelu(x: tf.Tensor): tf.Tensor {
    const t = this.constants();
    const twoU = tf.mul(x, tf.add(tf.mul(tf.square(x), t.gelu2ca), t.gelu2c));
    return tf.mul(x, tf.sigmoid(twoU));
  }

  add(x: tf.Tensor, y: tf.Tensor): tf.Tensor {
    return tf.add(x, y);
  }

  queryKeyValue(ln: LayerNormParams, qkv: LinearParams, x: tf.Tensor, B: number, nh: number) {
    const C = this.nEmbd;
    const all = this.lnLinear(ln, qkv, x, C, 1 / Math.sqrt(C / nh)); // (1, B, 3C), q scaled
    // One token per row: (1, B, C) → (B, nh, 1, hs) is a plain reshape.
    // Slices, not tf.split: SplitV costs several slices' time on wasm.
    const [q, k, v] = [0, 1, 2].map(
      (i) => all.slice([0, 0, i * C], [1, B, C]).reshape([B, nh, 1, C / nh]) as tf.Tensor4D,
    );
    return { q, k, v, scale: null };
  }

  mergeHeads(y: tf.Tensor4D): tf.Tensor {
    return y.reshape([1, y.shape[0], this.nEmbd]); // (1, B, C)
  }

  dispose(): void {
    if (this.tables) tf.dispose(Object.values(this.tables));
    this.tables = null;
    for (const cache of [this.folded, this.weights3d]) {
      for (const d of cache.values()) tf.dispose(d.value);
      cache.clear();
    }
  }

  private constants(): DecodeTables {
    if (!this.tables) {
      const C = this.nEmbd;
      const center = new Float32Array(C * C).map((_, k) => (k % (C + 1) === 0 ? 1 : 0) - 1 / C);
      this.tables = tf.tidy(() => ({
        center: tf.keep(tf.tensor3d(center, [1, C, C])),
        meanCol: tf.keep(tf.fill([1, C, 1], 1 / C) as tf.Tensor3D),
        lnEps: tf.keep(tf.tensor1d([LN_EPS])),
        gelu2c: tf.keep(tf.scalar(GELU_2C)),
        gelu2ca: tf.keep(tf.scalar(GELU_2C * 0.044715)),
      }));
    }
    return this.tables;
  }

  /**
   * `f()`, cached under `key` until one of `vars` gets new data (`assign`
   * does that): weights reshaped or folded once, not at every token.
   */
  private derived(
    cache: Map<tf.Variable, Derived>,
    key: tf.Variable,
    vars: tf.Variable[],
    f: () => tf.Tensor[],
  ): tf.Tensor[] {
    const hit = cache.get(key);
    if (hit && hit.dataIds.every((d, i) => d === vars[i].dataId)) return hit.value;
    if (hit) tf.dispose(hit.value);
    const value = tf.tidy(f).map((t) => tf.keep(t));
    cache.set(key, { dataIds: vars.map((v) => v.dataId), value });
    return value;
  }

  /** (x − mean) / √(var + eps) over the last axis: LayerNorm before its gain and bias. */
  private normalize(x: tf.Tensor3D): tf.Tensor3D {
    // Five kernels instead of seven: centring is one product with I − 11ᵀ/C,
    // and the variance's mean and + eps are one fused product-plus-bias.
    const { center, meanCol, lnEps } = this.constants();
    const xc = fusedLinear(x, center, null);
    return tf.mul(xc, tf.rsqrt(fusedLinear(xc.square(), meanCol, lnEps)));
  }

  /**
   * LN(x)·W + b with LN's gain γ and bias β folded into the weights once:
   * x̂·(diag(γ)·W) + (β·W + b), and the columns [0, scaleCols) scaled by
   * `scale` (the queries' 1/√hs). Two kernels fewer per LayerNorm.
   */
  private foldedLinear(
    ln: LayerNormParams,
    w0: tf.Variable,
    b0: tf.Variable | null,
    transposed: boolean,
    x: tf.Tensor3D,
    scaleCols = 0,
    scale = 1,
  ): tf.Tensor3D {
    const vars = b0 ? [ln.w, ln.b, w0, b0] : [ln.w, ln.b, w0];
    const [wf, bf] = this.derived(this.folded, w0, vars, () => {
      const w = transposed ? w0.transpose() : w0; // (C, n)
      const n = w.shape[1]!;
      const colScale =
        scaleCols > 0
          ? tf.concat([tf.fill([scaleCols], scale), tf.ones([n - scaleCols])])
          : tf.ones([n]);
      const wFolded = tf.mul(tf.mul(ln.w.reshape([-1, 1]), w), colScale).reshape([1, -1, n]);
      const bw = tf.matMul(ln.b.reshape([1, -1]), w).reshape([n]);
      return [wFolded, tf.mul(b0 ? tf.add(bw, b0) : bw, colScale)];
    });
    return fusedLinear(this.normalize(x), wf as tf.Tensor3D, bf);
  }
}

/**
 * x·w + b for x (1, m, in), w (1, in, out), b (out) as ONE `_FusedMatMul`
 * kernel: tf.fused.matMul would add reshapes around it, and a product plus an
 * add is two kernels (on wasm each costs ~8 µs, whatever its size).
 */
function fusedLinear(x: tf.Tensor3D, w: tf.Tensor3D, b: tf.Tensor | null): tf.Tensor3D {
  return tf.engine().runKernel('_FusedMatMul', b ? { a: x, b: w, bias: b } : { a: x, b: w }, {
    transposeA: false,
    transposeB: false,
    activation: 'linear',
  }) as tf.Tensor3D;
}
