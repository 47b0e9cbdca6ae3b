/**
 * A GPT-2-style character language model in tfjs ops (DESIGN.md, "Models").
 *
 * References: Radford et al. 2019 (GPT-2, pre-norm blocks); karpathy/nanoGPT
 * `model.py` (layout and parameter names, so checkpoints load into PyTorch).
 *
 * Written from tfjs ops rather than tfjs layers on purpose: tfjs's
 * layerNormalization launches tens of thousands of kernels per training step
 * (PITFALLS.md, trap 9). The token embedding is `oneHot(ids) · wte` because the
 * gradient of `gather` is missing on wasm (trap 3).
 *
 * The pieces with their own gradients (linear layers, LayerNorm, GELU,
 * attention, residual adds, the next-token log-probabilities) live in ./ops:
 * with tfjs's autodiff of plain ops a nano training step took ~3.6 s on wasm,
 * mostly in matMuls that fell off XNNPACK. Each file there says why.
 *
 * Shapes: B batch, T sequence, C = nEmbd, nh heads, hs = C / nh, V vocabulary.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertShape } from './errors';
import { selfAttention } from './ops/attention';
import { customOp } from './ops/custom-grad';
import { gelu } from './ops/gelu';
import { layerNorm } from './ops/layer-norm';
import { embedding, linear, transposeMatrix } from './ops/matmul';
import { addSameShape } from './ops/residual';
import { mulberry32, normalArray } from './random';

export interface GPTConfig {
  vocabSize: number;
  /** Context length: the most tokens one forward pass sees. */
  blockSize: number;
  nLayer: number;
  nHead: number;
  nEmbd: number;
  /** Share the token embedding with the LM head (GPT-2). Default true. */
  tiedHead?: boolean;
  /** A scalar head on the final hidden state: the value head (PPO) or reward head (RM). */
  scalarHead?: boolean;
}

export type ModelSize = 'nano' | 'micro';

/** Reference sizes from DESIGN.md: nano ≈ 0.8 M parameters, micro for slow backends. */
export const MODEL_SIZES: Record<ModelSize, Omit<GPTConfig, 'vocabSize'>> = {
  nano: { blockSize: 128, nLayer: 4, nHead: 4, nEmbd: 128 },
  micro: { blockSize: 128, nLayer: 2, nHead: 4, nEmbd: 64 },
};

export function validateConfig(config: GPTConfig): Required<GPTConfig> {
  const positiveInt = (name: keyof GPTConfig) => {
    const v = config[name];
    if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
      throw new ArgumentError(`config.${name}`, `is ${String(v)}; expected a positive integer`);
    }
  };
  (['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd'] as const).forEach(positiveInt);
  if (config.nEmbd % config.nHead !== 0) {
    throw new ArgumentError(
      'config.nEmbd',
      `(${config.nEmbd}) is not divisible by nHead (${config.nHead})`,
    );
  }
  return { tiedHead: true, scalarHead: false, ...config };
}

export interface ForwardOptions {
  /** [B,T] float, 1 for real tokens and 0 for padding (left or right). */
  padMask?: tf.Tensor2D;
}

export interface ForwardResult {
  /** [B,T,V] next-token logits at every position. */
  logits: tf.Tensor3D;
  /** [B,T] scalar-head outputs, or null when the model has no scalar head. */
  head: tf.Tensor2D | null;
}

/** Keys and values of every layer for sampling, in fixed-capacity slots (see `GPT.prefill`). */
export interface KVCache {
  /**
   * Per layer: [B, nh, S, hs]. S = blockSize (fixed slots) on webgl and
   * webgpu, which compile per shape; elsewhere S = length (the cache grows).
   */
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  /** [B, S] additive attention bias: 0 for filled slots, -1e9 for empty or padding. */
  keyBias: tf.Tensor2D;
  /** [B] int32 position id of the next token of each row. */
  nextPosition: tf.Tensor1D;
  /** Slots filled so far (the same for every row). */
  length: number;
}

const NEG = -1e9;

interface StepTables {
  slotMasks: tf.Tensor4D;
  openSlots: tf.Tensor2D;
  one: tf.Scalar;
  /** I − 11ᵀ/C as (1, C, C): x·center = x − mean(x) per row. */
  center: tf.Tensor3D;
  /** 1/C as (1, C, 1) and eps as [1]: one fused kernel gives mean(·) + eps. */
  meanCol: tf.Tensor3D;
  lnEps: tf.Tensor1D;
  gelu2c: tf.Scalar;
  gelu2ca: tf.Scalar;
}
const LN_EPS = 1e-5;
const GELU_2C = 2 * Math.sqrt(2 / Math.PI);
const GELU_2CA = GELU_2C * 0.044715;

export class GPT {
  readonly config: Required<GPTConfig>;
  /** All trainable variables, in a fixed order (checkpoint order). */
  readonly variables: tf.Variable[];
  /** Variables by nanoGPT-style name, e.g. `transformer.h.0.attn.c_attn.weight`. */
  readonly named: Map<string, tf.Variable>;
  private readonly causalBiasCache = new Map<number, tf.Tensor2D>();
  /** Constants of `step`, made once: see `slotTables`. */
  private stepTables: StepTables | null = null;
  /** Tensors derived from a variable, valid while its data is the same (see `derived`). */
  private readonly derivedCache = new Map<string, { dataIds: object[]; value: tf.Tensor }>();

  constructor(config: GPTConfig, named: Map<string, tf.Variable>) {
    this.config = validateConfig(config);
    this.named = named;
    this.variables = [...named.values()];
  }

  get parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  private p(name: string): tf.Variable {
    const v = this.named.get(name);
    if (!v) throw new Error(`model has no parameter ${name}`);
    return v;
  }

  /**
   * Full forward pass. Call inside `tf.tidy` (or dispose the results).
   *
   * The residual stream is kept as (B·T, C) rows: every reshape that autodiff
   * records saves a copy of its input for the gradient (so do tfjs's Add and
   * Multiply), which on wasm is a real copy per activation.
   */
  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const [B, T] = this.checkIds(ids);
    if (opts.padMask) assertShape('padMask', opts.padMask, [B, T]);
    const out: { logits: tf.Tensor3D; head?: tf.Tensor2D } = tf.tidy(() => {
      const x = this.trunk(ids, B, T, opts.padMask);
      const logits = this.lmHead(x).reshape([B, T, this.config.vocabSize]) as tf.Tensor3D;
      const head = this.scalarHead(x, B, T);
      return head ? { logits, head } : { logits };
    });
    return { logits: out.logits, head: out.head ?? null };
  }

  /**
   * The final hidden state (after the last LayerNorm), (B, T, C): what the LM
   * head and the scalar head read. Call inside `tf.tidy` (or dispose it).
   */
  hidden(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = this.checkIds(ids);
    if (opts.padMask) assertShape('padMask', opts.padMask, [B, T]);
    return tf.tidy(() => this.trunk(ids, B, T, opts.padMask).reshape([B, T, this.config.nEmbd]));
  }

  /** Embeddings, blocks and the final LayerNorm: (B·T, C). */
  private trunk(ids: tf.Tensor2D, B: number, T: number, padMask?: tf.Tensor2D): tf.Tensor2D {
    const positions = padMask ? positionIds(padMask) : null;
    let x = this.embed(ids, positions, T); // (B·T, C)
    let bias = this.causalBias(T).reshape([1, T, T]) as tf.Tensor3D;
    if (padMask) {
      const keyBias = tf.sub(1, padMask).mul(NEG).reshape([B, 1, T]);
      bias = tf.add(bias, keyBias);
    }
    for (let l = 0; l < this.config.nLayer; l++) {
      x = this.attnOut(l, x, this.attention(l, x, bias));
      x = this.mlpResidual(l, x);
    }
    return this.layerNorm('transformer.ln_f', x);
  }

  /**
   * Runs the prompt through the model and fills a KV cache: fixed-capacity
   * (blockSize slots) on WebGL/WebGPU, which compile a shader per new shape
   * (PITFALLS.md, trap 10), growing by one slot per token elsewhere.
   * `fixedSlots` overrides the backend's default. Returns the cache and the
   * logits of the last prompt slot, [B, V].
   */
  prefill(
    ids: tf.Tensor2D,
    opts: ForwardOptions & { fixedSlots?: boolean } = {},
  ): { cache: KVCache; logits: tf.Tensor2D } {
    const [B, T] = this.checkIds(ids);
    if (opts.padMask) assertShape('padMask', opts.padMask, [B, T]);
    const { nEmbd: C, blockSize: S } = this.config;
    const grow = opts.fixedSlots === undefined ? growingCache() : !opts.fixedSlots;
    return tf.tidy(() => {
      const padMask = opts.padMask ?? tf.ones([B, T]);
      const positions = positionIds(padMask);
      let x = this.embed(ids, positions, T); // (B·T, C)
      const keyBiasT = tf.sub(1, padMask).mul(NEG) as tf.Tensor2D;
      const bias = tf.add(this.causalBias(T).reshape([1, 1, T, T]), keyBiasT.reshape([B, 1, 1, T]));
      const keys: tf.Tensor4D[] = [];
      const values: tf.Tensor4D[] = [];
      const padSlots: [number, number][] = [
        [0, 0],
        [0, 0],
        [0, S - T],
        [0, 0],
      ];
      for (let l = 0; l < this.config.nLayer; l++) {
        const [q, k, v] = this.qkv(l, x).map((t) => this.heads(t, B)); // (B, nh, T, hs)
        keys.push(grow ? k : (tf.pad(k, padSlots) as tf.Tensor4D));
        values.push(grow ? v : (tf.pad(v, padSlots) as tf.Tensor4D));
        x = this.attnOut(l, x, this.unheads(attend(q, k, v, bias)));
        x = this.mlpResidual(l, x);
      }
      x = this.layerNorm('transformer.ln_f', x);
      const last = x
        .reshape([B, T, C])
        .slice([0, T - 1, 0], [B, 1, C])
        .reshape([B, C]);
      const keyBias = grow
        ? keyBiasT
        : (tf.pad(
            keyBiasT,
            [
              [0, 0],
              [0, S - T],
            ],
            NEG,
          ) as tf.Tensor2D);
      const nextPosition = padMask.sum(1).toInt() as tf.Tensor1D;
      return {
        cache: { keys, values, keyBias, nextPosition, length: T },
        logits: this.lmHead(last as tf.Tensor2D),
      };
    });
  }

  /**
   * Feeds one new token per row ([B] int32) through the cached model. Returns
   * a new cache (the old one's tensors are disposed) and the next-token logits
   * [B, V]. Gives the same logits as `forward` over the whole sequence.
   */
  step(cache: KVCache, tokens: tf.Tensor1D): { cache: KVCache; logits: tf.Tensor2D } {
    const { blockSize: S, nLayer, nHead: nh, nEmbd: C } = this.config;
    const B = tokens.shape[0];
    if (cache.length >= S) {
      throw new ArgumentError('cache', `is full: the context holds ${S} tokens`);
    }
    const slot = cache.length;
    // A growing cache has exactly `length` slots; a fixed one has S > length.
    const grow = cache.keys[0].shape[2] === slot;
    // Inference only: plain ops (no custom gradients) and as few kernels as
    // possible, since on wasm each kernel costs ~8 µs whatever its size.
    const out = tf.tidy(() => {
      const tables = this.slotTables();
      const { slotMasks, openSlots } = tables;
      let keyBias: tf.Tensor2D;
      let writeSlot: (all: tf.Tensor4D, one: tf.Tensor4D) => tf.Tensor4D;
      if (grow) {
        // Append a slot: attention then covers only the filled slots.
        keyBias = tf.pad(cache.keyBias, [
          [0, 0],
          [0, 1],
        ]);
        writeSlot = (all, one) => tf.concat([all, one], 2);
      } else {
        // Write into the empty (all-zero) slot, and open it for attention:
        // -1e9 + 1e9 is exactly 0 in float32.
        const slotMask = slotMasks.slice([slot, 0, 0, 0], [1, 1, S, 1]); // (1, 1, S, 1)
        keyBias = tf.add(cache.keyBias, openSlots.slice([slot, 0], [1, S]));
        writeSlot = (all, one) => tf.add(all, tf.mul(slotMask, one));
      }
      const bias = keyBias.reshape([B, 1, 1, -1]);
      // gather gives the same rows as oneHot · table (no gradient needed here).
      // The residual stream stays (1, B, C) so that every linear layer is
      // one fused product-plus-bias kernel on rank-3 operands.
      let x = tf
        .add(
          tf.gather(this.p('transformer.wte.weight'), tokens),
          tf.gather(this.p('transformer.wpe.weight'), cache.nextPosition),
        )
        .reshape([1, B, C]) as tf.Tensor3D;
      const keys: tf.Tensor4D[] = [];
      const values: tf.Tensor4D[] = [];
      for (let l = 0; l < nLayer; l++) {
        const h = `transformer.h.${l}`;
        // Queries come pre-scaled by 1/√hs.
        const qkv = this.lnLinearInfer(
          `${h}.ln_1`,
          `${h}.attn.c_attn`,
          x,
          C,
          1 / Math.sqrt(C / nh),
        );
        // One token per row: (B, C) → (B, nh, 1, hs) is a plain reshape.
        // Slices, not tf.split: SplitV costs several slices' time on wasm.
        const [q, k, v] = [0, 1, 2].map((i) =>
          qkv.slice([0, 0, i * C], [1, B, C]).reshape([B, nh, 1, C / nh]),
        );
        const kAll = writeSlot(cache.keys[l], k as tf.Tensor4D);
        const vAll = writeSlot(cache.values[l], v as tf.Tensor4D);
        keys.push(kAll);
        values.push(vAll);
        const att = attend(q as tf.Tensor4D, kAll, vAll, bias, null);
        const y = att.reshape([1, B, C]) as tf.Tensor3D;
        x = tf.add(x, this.linearInfer(`${h}.attn.c_proj`, y));
        const f = geluInfer(this.lnLinearInfer(`${h}.ln_2`, `${h}.mlp.c_fc`, x), tables);
        x = tf.add(x, this.linearInfer(`${h}.mlp.c_proj`, f));
      }
      const logits = this.lnLinearInfer('transformer.ln_f', null, x).reshape([B, -1]);
      const nextPosition = tf.add(cache.nextPosition, tables.one) as tf.Tensor1D;
      return { keys, values, keyBias, nextPosition, logits: logits as tf.Tensor2D };
    });
    disposeCache(cache);
    const { logits, ...rest } = out;
    return { cache: { ...rest, length: slot + 1 }, logits };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const t of this.causalBiasCache.values()) t.dispose();
    this.causalBiasCache.clear();
    if (this.stepTables) tf.dispose([...Object.values(this.stepTables)]);
    this.stepTables = null;
    for (const d of this.derivedCache.values()) d.value.dispose();
    this.derivedCache.clear();
  }

  // --- pieces, in reading order ---

  private checkIds(ids: tf.Tensor2D): [number, number] {
    if (ids.rank !== 2) throw new ArgumentError('ids', `has rank ${ids.rank}; expected [B, T]`);
    if (ids.dtype !== 'int32')
      throw new ArgumentError('ids', `has dtype ${ids.dtype}; expected int32`);
    const [B, T] = ids.shape;
    if (B === 0 || T === 0) throw new ArgumentError('ids', `is empty (shape [${B}, ${T}])`);
    if (T > this.config.blockSize) {
      throw new ArgumentError('ids', `has ${T} tokens; the context holds ${this.config.blockSize}`);
    }
    return [B, T];
  }

  /** Token + position embeddings, (B·T, C). `positions` is [B,T] int32 or null for 0..T-1. */
  private embed(ids: tf.Tensor2D, positions: tf.Tensor2D | null, T: number): tf.Tensor2D {
    const C = this.config.nEmbd;
    const B = ids.shape[0];
    const wte = this.p('transformer.wte.weight') as tf.Tensor2D; // (V, C)
    const wpe = this.p('transformer.wpe.weight') as tf.Tensor2D; // (blockSize, C)
    const tok = embedding(ids.reshape([B * T]), wte); // (B·T, C)
    if (positions) return addSameShape(tok, embedding(positions.reshape([B * T]), wpe));
    // Positions 0..T-1 in every row: broadcast the first T rows of wpe.
    const pos = wpe.slice([0, 0], [T, C]).reshape([1, T, C]);
    return tf.add(tok.reshape([B, T, C]), pos).reshape([B * T, C]);
  }

  /** LayerNorm over the last axis (eps 1e-5, as PyTorch), with an analytic gradient. */
  private layerNorm(prefix: string, x: tf.Tensor2D): tf.Tensor2D {
    const gamma = this.p(`${prefix}.weight`) as tf.Tensor1D;
    return layerNorm(x, gamma, this.p(`${prefix}.bias`) as tf.Tensor1D) as tf.Tensor2D;
  }

  private linear(prefix: string, x: tf.Tensor2D): tf.Tensor2D {
    // Weights are stored (in, out) here; checkpoints transpose to PyTorch's (out, in).
    const w = this.p(`${prefix}.weight`) as tf.Tensor2D;
    return linear(x, w, this.p(`${prefix}.bias`) as tf.Tensor1D);
  }

  /** Layer l's self-attention of LN(x), before its output projection, (B·T, C). */
  private attention(l: number, x: tf.Tensor2D, bias: tf.Tensor3D): tf.Tensor2D {
    const h = this.layerNorm(`transformer.h.${l}.ln_1`, x);
    const w = this.p(`transformer.h.${l}.attn.c_attn.weight`) as tf.Tensor2D;
    const b = this.p(`transformer.h.${l}.attn.c_attn.bias`) as tf.Tensor1D;
    return selfAttention(h, w, b, bias, this.config.nHead);
  }

  /** Queries, keys and values of layer l, each (B·T, C), for the KV-cache paths. */
  private qkv(l: number, x: tf.Tensor2D): tf.Tensor2D[] {
    const h = this.layerNorm(`transformer.h.${l}.ln_1`, x);
    return tf.split(this.linear(`transformer.h.${l}.attn.c_attn`, h), 3, 1);
  }

  /** Output projection of attention and the first residual: x + proj(y), y (B·T, C). */
  private attnOut(l: number, x: tf.Tensor2D, y: tf.Tensor2D): tf.Tensor2D {
    return addSameShape(x, this.linear(`transformer.h.${l}.attn.c_proj`, y));
  }

  /** Second residual: x + MLP(LN(x)), with GELU (tanh approximation, as GPT-2). */
  private mlpResidual(l: number, x: tf.Tensor2D): tf.Tensor2D {
    const h = this.layerNorm(`transformer.h.${l}.ln_2`, x);
    const f = gelu(this.linear(`transformer.h.${l}.mlp.c_fc`, h)) as tf.Tensor2D;
    return addSameShape(x, this.linear(`transformer.h.${l}.mlp.c_proj`, f));
  }

  private lmHead(x: tf.Tensor2D): tf.Tensor2D {
    const w = this.config.tiedHead
      ? transposeMatrix(this.p('transformer.wte.weight') as tf.Tensor2D) // (C, V)
      : (this.p('lm_head.weight') as tf.Tensor2D);
    return linear(x, w);
  }

  private scalarHead(x: tf.Tensor2D, B: number, T: number): tf.Tensor2D | null {
    if (!this.config.scalarHead) return null;
    return this.linear('score', x).reshape([B, T]) as tf.Tensor2D;
  }

  /** (B·T, C) → (B, nh, T, hs), for the KV-cache paths. */
  private heads(x: tf.Tensor2D, B: number): tf.Tensor4D {
    const { nHead: nh, nEmbd: C } = this.config;
    return x.reshape([B, -1, nh, C / nh]).transpose([0, 2, 1, 3]) as tf.Tensor4D;
  }

  /** (B, nh, T, hs) → (B·T, C). */
  private unheads(y: tf.Tensor4D): tf.Tensor2D {
    return y.transpose([0, 2, 1, 3]).reshape([-1, this.config.nEmbd]) as tf.Tensor2D;
  }

  /**
   * Constants of `step`, built once (uploading even a scalar costs about as
   * much as a kernel on wasm): slotMasks[s] (as [S, 1, S, 1]) is the one-hot
   * of slot s, openSlots[s] (as [S, S]) is 1e9 at slot s, and the scalars.
   */
  private slotTables(): StepTables {
    if (!this.stepTables) {
      const S = this.config.blockSize;
      const C = this.config.nEmbd;
      const eye = new Float32Array(S * S);
      for (let i = 0; i < S; i++) eye[i * S + i] = 1;
      const center = new Float32Array(C * C).map((_, k) => (k % (C + 1) === 0 ? 1 : 0) - 1 / C);
      this.stepTables = tf.tidy(() => ({
        slotMasks: tf.keep(tf.tensor4d(eye, [S, 1, S, 1])),
        openSlots: tf.keep(
          tf.tensor2d(
            eye.map((e) => e * -NEG),
            [S, S],
          ),
        ),
        one: tf.keep(tf.scalar(1, 'int32')),
        center: tf.keep(tf.tensor3d(center, [1, C, C])),
        meanCol: tf.keep(tf.fill([1, C, 1], 1 / C) as tf.Tensor3D),
        lnEps: tf.keep(tf.tensor1d([LN_EPS])),
        gelu2c: tf.keep(tf.scalar(GELU_2C)),
        gelu2ca: tf.keep(tf.scalar(GELU_2CA)),
      }));
    }
    return this.stepTables;
  }

  /**
   * `f(variables)`, cached under `key` until one of the variables' data
   * changes (`assign` gives a variable new data): weights folded for `step`.
   */
  private derived(key: string, names: string[], f: (vs: tf.Variable[]) => tf.Tensor): tf.Tensor {
    const vs = names.map((n) => this.p(n));
    const hit = this.derivedCache.get(key);
    if (hit && hit.dataIds.every((d, i) => d === vs[i].dataId)) return hit.value;
    hit?.value.dispose();
    const value = tf.keep(tf.tidy(() => f(vs)));
    this.derivedCache.set(key, { dataIds: vs.map((v) => v.dataId), value });
    return value;
  }

  /** (x − mean) / √(var + eps) over the last axis: LayerNorm before its gain and bias. */
  private normalizeInfer(x: tf.Tensor3D): tf.Tensor3D {
    // Five kernels instead of seven: centring is one product with I − 11ᵀ/C,
    // and the variance's mean and + eps are one fused product-plus-bias.
    const { center, meanCol, lnEps } = this.slotTables();
    const xc = fusedLinear(x, center, null);
    return tf.mul(xc, tf.rsqrt(fusedLinear(xc.square(), meanCol, lnEps)));
  }

  /**
   * LN(x)·W + b with LN's gain γ and bias β folded into the weights once:
   * x̂·(diag(γ)·W) + (β·W + b), and the columns [0, scaleCols) scaled by
   * `scale` (the queries' 1/√hs). Two kernels fewer per LayerNorm.
   */
  private lnLinearInfer(
    ln: string,
    linear: string | null,
    x: tf.Tensor3D,
    scaleCols = 0,
    scale = 1,
  ): tf.Tensor3D {
    const key = `${ln}>${linear ?? 'head'}`;
    const names = [`${ln}.weight`, `${ln}.bias`];
    if (linear) names.push(`${linear}.weight`, `${linear}.bias`);
    else names.push(this.config.tiedHead ? 'transformer.wte.weight' : 'lm_head.weight');
    const folded = (part: 'w' | 'b') =>
      this.derived(`${key}:${part}`, names, (vs) => {
        const [gamma, beta, w0, b0] = vs;
        // The tied head's weight is wte (V, C); it needs wteᵀ (C, V).
        const w = linear || !this.config.tiedHead ? w0 : w0.transpose();
        const n = w.shape[1]!;
        const colScale =
          scaleCols > 0
            ? tf.concat([tf.fill([scaleCols], scale), tf.ones([n - scaleCols])])
            : tf.ones([n]);
        if (part === 'w') {
          return tf.mul(tf.mul(gamma.reshape([-1, 1]), w), colScale).reshape([1, -1, n]);
        }
        const bf = tf.matMul(beta.reshape([1, -1]), w).reshape([n]);
        return tf.mul(b0 ? tf.add(bf, b0) : bf, colScale);
      });
    return fusedLinear(this.normalizeInfer(x), folded('w') as tf.Tensor3D, folded('b'));
  }

  /** x·W + b without a custom gradient, as one fused kernel (W kept as (1, in, out)). */
  private linearInfer(prefix: string, x: tf.Tensor3D): tf.Tensor3D {
    const names = [`${prefix}.weight`];
    const w = this.derived(`${prefix}:3d`, names, ([v]) => v.reshape([1, ...v.shape]));
    return fusedLinear(x, w as tf.Tensor3D, this.p(`${prefix}.bias`));
  }

  /** [T,T] additive causal mask: 0 on and below the diagonal, -1e9 above. Cached per T. */
  private causalBias(T: number): tf.Tensor2D {
    let bias = this.causalBiasCache.get(T);
    if (!bias) {
      const data = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) data[i * T + j] = NEG;
      bias = tf.keep(tf.tensor2d(data, [T, T]));
      this.causalBiasCache.set(T, bias);
    }
    return bias;
  }
}

/**
 * Whether KV caches grow by one slot per token (wasm, cpu) rather than fill
 * fixed slots: shapes that change every token cost a shader compilation each
 * on webgl and webgpu (PITFALLS.md, trap 10), nothing elsewhere.
 */
function growingCache(): boolean {
  return ['wasm', 'cpu'].includes(tf.getBackend());
}

/** softmax(q kᵀ / √hs + bias) v, (B, nh, Tq, hs), for the KV-cache paths. */
function attend(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  bias: tf.Tensor,
  scale: number | null = 1 / Math.sqrt(q.shape[3]),
): tf.Tensor4D {
  // scale null: the queries come scaled.
  const scores = tf.matMul(q, k, false, true);
  const att = tf.add(scale === null ? scores : scores.mul(scale), bias); // (B, nh, Tq, Tk)
  return tf.matMul(tf.softmax(att), v);
}

/** GELU (tanh approximation) without a custom gradient: the value of ./ops/gelu, op for op. */
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

function geluInfer(x: tf.Tensor3D, t: StepTables): tf.Tensor3D {
  const twoU = tf.mul(x, tf.add(tf.mul(tf.square(x), t.gelu2ca), t.gelu2c));
  return tf.mul(x, tf.sigmoid(twoU));
}

/** Position ids that skip padding: the first real token of each row is position 0. */
export function positionIds(padMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.relu(tf.sub(tf.cumsum(padMask, 1), 1)).toInt() as tf.Tensor2D);
}

export function disposeCache(cache: KVCache): void {
  tf.dispose([...cache.keys, ...cache.values, cache.keyBias, cache.nextPosition]);
}

/** Parameter names and shapes in checkpoint order (our (in, out) layout for linear weights). */
export function parameterShapes(config: GPTConfig): [string, number[]][] {
  const c = validateConfig(config);
  const C = c.nEmbd;
  const shapes: [string, number[]][] = [
    ['transformer.wte.weight', [c.vocabSize, C]],
    ['transformer.wpe.weight', [c.blockSize, C]],
  ];
  for (let l = 0; l < c.nLayer; l++) {
    const h = `transformer.h.${l}`;
    shapes.push(
      [`${h}.ln_1.weight`, [C]],
      [`${h}.ln_1.bias`, [C]],
      [`${h}.attn.c_attn.weight`, [C, 3 * C]],
      [`${h}.attn.c_attn.bias`, [3 * C]],
      [`${h}.attn.c_proj.weight`, [C, C]],
      [`${h}.attn.c_proj.bias`, [C]],
      [`${h}.ln_2.weight`, [C]],
      [`${h}.ln_2.bias`, [C]],
      [`${h}.mlp.c_fc.weight`, [C, 4 * C]],
      [`${h}.mlp.c_fc.bias`, [4 * C]],
      [`${h}.mlp.c_proj.weight`, [4 * C, C]],
      [`${h}.mlp.c_proj.bias`, [C]],
    );
  }
  shapes.push(['transformer.ln_f.weight', [C]], ['transformer.ln_f.bias', [C]]);
  if (!c.tiedHead) shapes.push(['lm_head.weight', [C, c.vocabSize]]);
  if (c.scalarHead) shapes.push(['score.weight', [C, 1]], ['score.bias', [1]]);
  return shapes;
}

/** Initial values as nanoGPT: N(0, 0.02), residual projections N(0, 0.02/√(2·nLayer)), LN 1/0. */
function initialValues(
  name: string,
  shape: number[],
  nLayer: number,
  rng: () => number,
): Float32Array {
  const n = shape.reduce((a, b) => a * b, 1);
  if (name.endsWith('.bias')) return new Float32Array(n);
  if (/ln_\d\.weight$|ln_f\.weight$/.test(name)) return new Float32Array(n).fill(1);
  const std = name.endsWith('c_proj.weight') ? 0.02 / Math.sqrt(2 * nLayer) : 0.02;
  return normalArray(n, std, rng);
}

/** A freshly initialised model; the same seed gives the same weights on every backend. */
export function createGPT(config: GPTConfig, seed: number): GPT {
  const c = validateConfig(config);
  const rng = mulberry32(seed);
  const named = new Map<string, tf.Variable>();
  for (const [name, shape] of parameterShapes(c)) {
    const init = tf.tensor(initialValues(name, shape, c.nLayer, rng), shape);
    named.set(name, tf.variable(init, true, `${name}_${seed}_${variableCounter++}`));
    init.dispose();
  }
  return new GPT(c, named);
}

/** A model with the given weights (e.g. from a checkpoint), in `parameterShapes` layout. */
export function gptFromWeights(config: GPTConfig, weights: Map<string, Float32Array>): GPT {
  const c = validateConfig(config);
  const named = new Map<string, tf.Variable>();
  try {
    for (const [name, shape] of parameterShapes(c)) {
      const data = weights.get(name);
      const n = shape.reduce((a, b) => a * b, 1);
      if (!data) throw new ArgumentError('weights', `lack ${name}`);
      if (data.length !== n) {
        throw new ArgumentError('weights', `${name} has ${data.length} values; expected ${n}`);
      }
      const init = tf.tensor(data, shape);
      named.set(name, tf.variable(init, true, `${name}_w_${variableCounter++}`));
      init.dispose();
    }
  } catch (e) {
    for (const v of named.values()) v.dispose();
    throw e;
  }
  return new GPT(c, named);
}

let variableCounter = 0;

/**
 * Mean next-token cross-entropy: position t predicts ids[:, t+1].
 * `lossMask` [B,T] marks which tokens count as targets (1 = counts); the mask
 * of position 0 is ignored since nothing predicts it. Without a mask every
 * target counts.
 */
export function lmLoss(
  model: GPT,
  ids: tf.Tensor2D,
  lossMask?: tf.Tensor2D,
  padMask?: tf.Tensor2D,
): tf.Scalar {
  return tf.tidy(() => {
    const [B, T] = ids.shape;
    if (T < 2) throw new ArgumentError('ids', 'needs at least 2 tokens to predict one');
    if (lossMask) assertShape('lossMask', lossMask, [B, T]);
    const { logits } = model.forward(ids, { padMask });
    const lp = tokenLogprobs(logits, ids); // (B, T-1)
    const mask = lossMask ? lossMask.slice([0, 1], [B, T - 1]) : tf.onesLike(lp);
    return tf.div(tf.mul(lp, mask).sum(), tf.maximum(mask.sum(), 1)).neg() as tf.Scalar;
  });
}

/** log π(ids[:, t+1] | ids[:, ≤t]) for t = 0..T-2, (B, T-1), from logits (B, T, V). */
export function tokenLogprobs(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    // A target at every position (the last wraps around and is dropped): on
    // wasm, slicing the logits instead would copy all of them.
    const next = tf.concat([ids.slice([0, 1], [B, T - 1]), ids.slice([0, 0], [B, 1])], 1);
    const targets = tf.oneHot(next, V).toFloat() as tf.Tensor3D; // (B, T, V)
    return logprobsAt(logits, targets).slice([0, 0], [B, T - 1]) as tf.Tensor2D;
  });
}

/**
 * Σ_v logSoftmax(logits)·targets over the last axis, (B, T), with the
 * analytic gradient dy·(targets − softmax(logits)).
 */
function logprobsAt(logits: tf.Tensor3D, targets: tf.Tensor3D): tf.Tensor2D {
  const op = customOp<tf.Tensor2D>(([x], save) => {
    save([x, targets]);
    const shifted = tf.sub(x, x.max(-1, true));
    const logSoftmax = tf.sub(shifted, tf.log(tf.exp(shifted).sum(-1, true)));
    return {
      value: tf.mul(logSoftmax, targets).sum(-1),
      gradFunc: (dy, [xs, t]) => [tf.mul(dy.expandDims(-1), tf.sub(t, tf.softmax(xs)))],
    };
  });
  return op(logits);
}

/** `tokenLogprobs` from plain tfjs ops and autodiff: the reference in tests. */
export function tokenLogprobsReference(logits: tf.Tensor3D, ids: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const [B, T, V] = logits.shape;
    const lsm = tf.logSoftmax(logits.slice([0, 0, 0], [B, T - 1, V])); // (B, T-1, V)
    const targets = tf.oneHot(ids.slice([0, 1], [B, T - 1]), V).toFloat(); // (B, T-1, V)
    return tf.mul(lsm, targets).sum(-1) as tf.Tensor2D;
  });
}

/** Entropy of the next-token distribution at each position, (B, T). */
export function tokenEntropy(logits: tf.Tensor3D): tf.Tensor2D {
  return tf.tidy(() => {
    const lsm = tf.logSoftmax(logits);
    return tf.mul(tf.exp(lsm), lsm).sum(-1).neg() as tf.Tensor2D;
  });
}
