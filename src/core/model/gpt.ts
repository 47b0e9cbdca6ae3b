/**
 * A GPT-2-style character language model in tfjs ops (DESIGN.md, "Models").
 *
 * References: Radford et al. 2019 (GPT-2, pre-norm blocks); karpathy/nanoGPT
 * `model.py` (layout and parameter names, so checkpoints load into PyTorch).
 * The blocks are ./block.ts, their kernels ./block-ops.ts, the KV cache
 * ./kv-cache.ts and the weights' typed fields and names ./params.ts.
 *
 * Written from tfjs ops rather than tfjs layers on purpose: tfjs's
 * layerNormalization launches tens of thousands of kernels per training step
 * (PITFALLS.md, trap 9). The token embedding is `oneHot(ids) · wte` because the
 * gradient of `gather` is missing on wasm (trap 3).
 *
 * Shapes: B batch, T sequence, C = nEmbd, V vocabulary, S cache slots.
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertShape } from '../errors';
import { embedding, linear, transposeMatrix } from '../ops/matmul';
import { addSameShape } from '../ops/residual';
import { mulberry32 } from '../random';
import { Block, type BlockRun } from './block';
import { DecodeOps, layerNormRows, trainOps } from './block-ops';
import { validateConfig, type GPTConfig } from './config';
import {
  disposeCache,
  growingCache,
  NEG,
  prefillWriter,
  slotTables,
  stepWriter,
  type KVCache,
  type SlotTables,
} from './kv-cache';
import {
  initialValues,
  mapParameters,
  namedParameters,
  parameterTree,
  type GPTParams,
  type LayerNormParams,
  type LinearParams,
} from './params';

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

export class GPT implements GPTParams {
  readonly config: Required<GPTConfig>;
  readonly wte: tf.Variable;
  readonly wpe: tf.Variable;
  readonly blocks: Block[];
  readonly lnF: LayerNormParams;
  readonly lmHead: tf.Variable | null;
  readonly score: LinearParams | null;
  /** All parameters by nanoGPT-style name, in checkpoint order (see ./params.ts). */
  readonly named: ReadonlyMap<string, tf.Variable>;
  /** All trainable variables, in checkpoint order. */
  readonly variables: tf.Variable[];
  private readonly causalBiasCache = new Map<number, tf.Tensor2D>();
  /** Made on the first cached step. */
  private decodeOps: DecodeOps | null = null;
  private slots: SlotTables | null = null;

  constructor(config: GPTConfig, params: GPTParams) {
    this.config = validateConfig(config);
    ({ wte: this.wte, wpe: this.wpe, lnF: this.lnF, lmHead: this.lmHead } = params);
    this.score = params.score;
    this.blocks = params.blocks.map((b) => new Block(b, this.config.nHead));
    this.named = new Map(namedParameters<tf.Variable>(this));
    this.variables = [...this.named.values()];
  }

  get parameterCount(): number {
    return this.variables.reduce((n, v) => n + v.size, 0);
  }

  /**
   * Full forward pass. Call inside `tf.tidy` (or dispose the results).
   *
   * The residual stream is kept as (B·T, C) rows: every reshape that autodiff
   * records saves a copy of its input for the gradient (so do tfjs's Add and
   * Multiply), which on wasm is a real copy per activation.
   */
  forward(ids: tf.Tensor2D, opts: ForwardOptions = {}): ForwardResult {
    const [B, T] = this.checkIds(ids, opts.padMask);
    const out: { logits: tf.Tensor3D; head?: tf.Tensor2D } = tf.tidy(() => {
      const x = this.trunk(ids, B, T, opts.padMask); // (B·T, C)
      const logits = this.headLogits(x).reshape([B, T, this.config.vocabSize]) as tf.Tensor3D;
      const head = this.scoreHead(x, B, T);
      return head ? { logits, head } : { logits };
    });
    return { logits: out.logits, head: out.head ?? null };
  }

  /**
   * The final hidden state (after the last LayerNorm), (B, T, C): what the LM
   * head and the scalar head read. Call inside `tf.tidy` (or dispose it).
   */
  hidden(ids: tf.Tensor2D, opts: ForwardOptions = {}): tf.Tensor3D {
    const [B, T] = this.checkIds(ids, opts.padMask);
    return tf.tidy(() => this.trunk(ids, B, T, opts.padMask).reshape([B, T, this.config.nEmbd]));
  }

  /** Embeddings, blocks and the final LayerNorm: (B·T, C). */
  private trunk(ids: tf.Tensor2D, B: number, T: number, padMask?: tf.Tensor2D): tf.Tensor2D {
    const positions = padMask ? positionIds(padMask) : null;
    const x = this.embed(ids, positions, T); // (B·T, C)
    let maskBias = this.causalBias(T).reshape([1, T, T]) as tf.Tensor3D;
    if (padMask) maskBias = tf.add(maskBias, tf.sub(1, padMask).mul(NEG).reshape([B, 1, T]));
    return this.finalNorm(this.runBlocks(x, { ops: trainOps, attention: { maskBias } }));
  }

  /**
   * Runs the prompt through the model and fills a KV cache (./kv-cache.ts):
   * fixed-capacity on WebGL/WebGPU, growing elsewhere; `fixedSlots` overrides
   * the backend's default. Returns the cache and the logits of the last
   * prompt slot, [B, V].
   */
  prefill(
    ids: tf.Tensor2D,
    opts: ForwardOptions & { fixedSlots?: boolean } = {},
  ): { cache: KVCache; logits: tf.Tensor2D } {
    const [B, T] = this.checkIds(ids, opts.padMask);
    const { nEmbd: C, blockSize: S } = this.config;
    const grow = opts.fixedSlots === undefined ? growingCache() : !opts.fixedSlots;
    return tf.tidy(() => {
      const padMask = opts.padMask ?? tf.ones([B, T]);
      const x = this.embed(ids, positionIds(padMask), T); // (B·T, C)
      const cache = prefillWriter(padMask, this.causalBias(T), grow, S);
      const h = this.finalNorm(this.runBlocks(x, { ops: trainOps, attention: { cache } }));
      const last = h
        .reshape([B, T, C])
        .slice([0, T - 1, 0], [B, 1, C])
        .reshape([B, C]); // (B, C)
      return { cache: cache.finish(), logits: this.headLogits(last as tf.Tensor2D) };
    });
  }

  /**
   * Feeds one new token per row ([B] int32) through the cached model. Returns
   * a new cache (the old one's tensors are disposed) and the next-token logits
   * [B, V]. Gives the same logits as `forward` over the whole sequence.
   */
  step(cache: KVCache, tokens: tf.Tensor1D): { cache: KVCache; logits: tf.Tensor2D } {
    const { blockSize: S, nEmbd: C, tiedHead } = this.config;
    const B = tokens.shape[0];
    if (cache.length >= S) {
      throw new ArgumentError('cache', `is full: the context holds ${S} tokens`);
    }
    const out = tf.tidy(() => {
      this.decodeOps ??= new DecodeOps(C);
      this.slots ??= slotTables(S);
      const ops = this.decodeOps;
      const writer = stepWriter(cache, this.slots);
      // gather gives the same rows as oneHot · table (no gradient needed here).
      const x = tf
        .add(tf.gather(this.wte, tokens), tf.gather(this.wpe, cache.nextPosition))
        .reshape([1, B, C]); // (1, B, C)
      const h = this.runBlocks(x, { ops, attention: { cache: writer } }); // (1, B, C)
      const head = tiedHead ? this.wte : this.lmHead!;
      const logits = ops.lnHead(this.lnF, head, tiedHead, h).reshape([B, -1]) as tf.Tensor2D;
      return { next: writer.finish(), logits };
    });
    disposeCache(cache);
    return { cache: out.next, logits: out.logits };
  }

  dispose(): void {
    for (const v of this.variables) v.dispose();
    for (const t of this.causalBiasCache.values()) t.dispose();
    this.causalBiasCache.clear();
    this.decodeOps?.dispose();
    this.decodeOps = null;
    if (this.slots) tf.dispose(Object.values(this.slots));
    this.slots = null;
  }

  // --- pieces, in reading order ---

  private checkIds(ids: tf.Tensor2D, padMask?: tf.Tensor2D): [number, number] {
    if (ids.rank !== 2) throw new ArgumentError('ids', `has rank ${ids.rank}; expected [B, T]`);
    if (ids.dtype !== 'int32')
      throw new ArgumentError('ids', `has dtype ${ids.dtype}; expected int32`);
    const [B, T] = ids.shape;
    if (B === 0 || T === 0) throw new ArgumentError('ids', `is empty (shape [${B}, ${T}])`);
    if (T > this.config.blockSize) {
      throw new ArgumentError('ids', `has ${T} tokens; the context holds ${this.config.blockSize}`);
    }
    if (padMask) assertShape('padMask', padMask, [B, T]);
    return [B, T];
  }

  /** Token + position embeddings, (B·T, C). `positions` is [B,T] int32 or null for 0..T-1. */
  private embed(ids: tf.Tensor2D, positions: tf.Tensor2D | null, T: number): tf.Tensor2D {
    const C = this.config.nEmbd;
    const B = ids.shape[0];
    const tok = embedding(ids.reshape([B * T]), this.wte as tf.Tensor2D); // (B·T, C)
    const wpe = this.wpe as tf.Tensor2D; // (blockSize, C)
    if (positions) return addSameShape(tok, embedding(positions.reshape([B * T]), wpe));
    // Positions 0..T-1 in every row: broadcast the first T rows of wpe.
    const pos = wpe.slice([0, 0], [T, C]).reshape([1, T, C]);
    return tf.add(tok.reshape([B, T, C]), pos).reshape([B * T, C]);
  }

  /** The residual stream through every block. */
  private runBlocks<X extends tf.Tensor>(x: X, run: BlockRun): X {
    return this.blocks.reduce((h, block) => block.forward(h, run), x as tf.Tensor) as X;
  }

  /** LayerNorm ln_f over the last axis (eps 1e-5, as PyTorch), (B·T, C). */
  private finalNorm(x: tf.Tensor2D): tf.Tensor2D {
    return layerNormRows(this.lnF, x);
  }

  /** Next-token logits (N, V) of hidden rows (N, C). */
  private headLogits(x: tf.Tensor2D): tf.Tensor2D {
    const w = this.config.tiedHead
      ? transposeMatrix(this.wte as tf.Tensor2D) // (C, V)
      : (this.lmHead as tf.Tensor2D);
    return linear(x, w);
  }

  private scoreHead(x: tf.Tensor2D, B: number, T: number): tf.Tensor2D | null {
    if (!this.score) return null;
    const { w, b } = this.score;
    return linear(x, w as tf.Tensor2D, b as tf.Tensor1D).reshape([B, T]) as tf.Tensor2D;
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

/** Position ids that skip padding: the first real token of each row is position 0. */
export function positionIds(padMask: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => tf.relu(tf.sub(tf.cumsum(padMask, 1), 1)).toInt() as tf.Tensor2D);
}

/** A freshly initialised model; the same seed gives the same weights on every backend. */
export function createGPT(config: GPTConfig, seed: number): GPT {
  const c = validateConfig(config);
  const rng = mulberry32(seed);
  const params = mapParameters(parameterTree(c), (name, shape) =>
    newVariable(initialValues(name, shape, c.nLayer, rng), shape, `${name}_${seed}`),
  );
  return new GPT(c, params);
}

/** A model with the given weights (e.g. from a checkpoint), in `parameterShapes` layout. */
export function gptFromWeights(config: GPTConfig, weights: Map<string, Float32Array>): GPT {
  const c = validateConfig(config);
  const made: tf.Variable[] = [];
  try {
    const params = mapParameters(parameterTree(c), (name, shape) => {
      const data = weights.get(name);
      const n = shape.reduce((a, b) => a * b, 1);
      if (!data) throw new ArgumentError('weights', `lack ${name}`);
      if (data.length !== n) {
        throw new ArgumentError('weights', `${name} has ${data.length} values; expected ${n}`);
      }
      const v = newVariable(data, shape, `${name}_w`);
      made.push(v);
      return v;
    });
    return new GPT(c, params);
  } catch (e) {
    for (const v of made) v.dispose();
    throw e;
  }
}

let variableCounter = 0;

function newVariable(data: Float32Array, shape: number[], name: string): tf.Variable {
  const init = tf.tensor(data, shape);
  const v = tf.variable(init, true, `${name}_${variableCounter++}`);
  init.dispose();
  return v;
}
