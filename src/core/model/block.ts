/**
 * One GPT-2 pre-norm transformer block (Radford et al. 2019; nanoGPT's
 * `Block`): x + attn(LN₁(x)), then x + MLP(LN₂(x)).
 *
 * The same code runs training, prefill and cached decoding. What differs is
 * which kernels carry each sub-op (`BlockOps`, ./block-ops.ts: ops with their
 * own gradients on (B·T, C) rows, or inference-only fused kernels on (1, B, C))
 * and, in attention only, whether keys and values go through a KV cache.
 *
 * Shapes: B batch, T sequence, N rows of the residual stream (B·T, or B when
 * decoding one token), C = nEmbd, nh heads, hs = C / nh, S cache slots.
 */
import * as tf from '@tensorflow/tfjs';
import { selfAttention } from '../ops/attention';
import { layerNormRows, type BlockOps } from './block-ops';
import type { CacheWriter } from './kv-cache';
import type { BlockParams, LayerNormParams, LinearParams } from './params';

/** How a pass runs the blocks: which kernels, and attention over the window or through a cache. */
export interface BlockRun {
  ops: BlockOps;
  attention:
    | { maskBias: tf.Tensor3D } // (B or 1, T, T): causal mask plus key padding, additive
    | { cache: CacheWriter };
}

export class CausalSelfAttention {
  constructor(
    readonly qkv: LinearParams,
    readonly proj: LinearParams,
    readonly nHead: number,
  ) {}

  /** c_proj(attention(LN(x))), (N, C), for the residual stream x (N, C). */
  forward(x: tf.Tensor, ln: LayerNormParams, run: BlockRun): tf.Tensor {
    return run.ops.linear(this.proj, this.heads(x, ln, run)); // (N, C)
  }

  /** The heads' output before c_proj, (N, C). */
  private heads(x: tf.Tensor, ln: LayerNormParams, { ops, attention }: BlockRun): tf.Tensor {
    if ('maskBias' in attention) {
      // The whole window at once, with gradients: fused kernels on webgpu,
      // grouped products on wasm (../ops/attention.ts).
      const h = layerNormRows(ln, x); // (B·T, C)
      const { w, b } = this.qkv;
      return selfAttention(h, w as tf.Tensor2D, b as tf.Tensor1D, attention.maskBias, this.nHead);
    }
    const { cache } = attention;
    const { q, k, v, scale } = ops.queryKeyValue(ln, this.qkv, x, cache.batch, this.nHead); // (B, nh, Tq, hs)
    const [keys, values] = cache.write(k, v); // (B, nh, Tk, hs)
    const y = attend(q, keys, values, cache.bias, scale); // (B, nh, Tq, hs)
    return ops.mergeHeads(y); // (N, C)
  }
}

/** The feed-forward part: c_proj(GELU(c_fc(h))), 4C wide inside. */
export class MLP {
  constructor(
    readonly fc: LinearParams,
    readonly proj: LinearParams,
  ) {}

  /** MLP(LN(x)), (N, C), for the residual stream x (N, C). */
  forward(x: tf.Tensor, ln: LayerNormParams, ops: BlockOps): tf.Tensor {
    const f = ops.gelu(ops.lnLinear(ln, this.fc, x)); // (N, 4C)
    return ops.linear(this.proj, f); // (N, C)
  }
}

export class Block {
  readonly ln1: LayerNormParams;
  readonly attn: CausalSelfAttention;
  readonly ln2: LayerNormParams;
  readonly mlp: MLP;

  constructor(p: BlockParams, nHead: number) {
    this.ln1 = p.ln1;
    this.attn = new CausalSelfAttention(p.attn.qkv, p.attn.proj, nHead);
    this.ln2 = p.ln2;
    this.mlp = new MLP(p.mlp.fc, p.mlp.proj);
  }

  /** The residual stream x (N, C) after this block, (N, C). */
  forward(x: tf.Tensor, run: BlockRun): tf.Tensor {
    const { ops } = run;
    x = ops.add(x, this.attn.forward(x, this.ln1, run)); // x + attn(LN₁(x)), (N, C)
    return ops.add(x, this.mlp.forward(x, this.ln2, ops)); // x + MLP(LN₂(x)), (N, C)
  }
}

/**
 * softmax(q kᵀ · scale + bias) v for the cached paths, (B, nh, Tq, hs).
 * `scale` null: the queries come scaled by 1/√hs.
 */
function attend(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor,
  scale: number | null,
): tf.Tensor4D {
  const scores = tf.matMul(q, k, false, true); // (B, nh, Tq, Tk)
  const att = tf.add(scale === null ? scores : scores.mul(scale), bias);
  return tf.matMul(tf.softmax(att), v);
}
