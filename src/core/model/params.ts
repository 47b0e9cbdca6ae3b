/**
 * The model's weights as typed fields, and their checkpoint names.
 *
 * Names follow karpathy/nanoGPT (`transformer.h.0.attn.c_attn.weight`) so that
 * checkpoints load into PyTorch; linear weights are stored (in, out) here and
 * the checkpoint code transposes them to PyTorch's (out, in). `mapParameters`
 * is the one place that pairs fields with names, in checkpoint order.
 */
import type * as tf from '@tensorflow/tfjs';
import { normalArray } from '../random';
import { validateConfig, type GPTConfig } from './config';

/** LayerNorm's gain γ and bias β, each (C). */
export interface LayerNormParams<P = tf.Variable> {
  w: P;
  b: P;
}

/** x·w + b: w (in, out), b (out). */
export interface LinearParams<P = tf.Variable> {
  w: P;
  b: P;
}

export interface BlockParams<P = tf.Variable> {
  ln1: LayerNormParams<P>;
  attn: { qkv: LinearParams<P>; proj: LinearParams<P> };
  ln2: LayerNormParams<P>;
  mlp: { fc: LinearParams<P>; proj: LinearParams<P> };
}

export interface GPTParams<P = tf.Variable> {
  /** Token embedding (V, C); its transpose is the LM head when the head is tied. */
  wte: P;
  /** Position embedding (blockSize, C). */
  wpe: P;
  blocks: BlockParams<P>[];
  lnF: LayerNormParams<P>;
  /** Untied LM head (C, V), or null. */
  lmHead: P | null;
  /** Scalar head (C, 1) and (1), or null. */
  score: LinearParams<P> | null;
}

/** The shape of every parameter, in the typed fields' layout. */
export function parameterTree(config: GPTConfig): GPTParams<number[]> {
  const c = validateConfig(config);
  const C = c.nEmbd;
  const ln = () => ({ w: [C], b: [C] });
  const lin = (n: number, m: number) => ({ w: [n, m], b: [m] });
  return {
    wte: [c.vocabSize, C],
    wpe: [c.blockSize, C],
    blocks: Array.from({ length: c.nLayer }, () => ({
      ln1: ln(),
      attn: { qkv: lin(C, 3 * C), proj: lin(C, C) },
      ln2: ln(),
      mlp: { fc: lin(C, 4 * C), proj: lin(4 * C, C) },
    })),
    lnF: ln(),
    lmHead: c.tiedHead ? null : [C, c.vocabSize],
    score: c.scalarHead ? lin(C, 1) : null,
  };
}

/** The same tree with `f(name, leaf)` at every leaf; `f` is called in checkpoint order. */
export function mapParameters<P, Q>(
  m: GPTParams<P>,
  f: (name: string, leaf: P) => Q,
): GPTParams<Q> {
  const pair = (prefix: string, p: { w: P; b: P }) => ({
    w: f(`${prefix}.weight`, p.w),
    b: f(`${prefix}.bias`, p.b),
  });
  const wte = f('transformer.wte.weight', m.wte);
  const wpe = f('transformer.wpe.weight', m.wpe);
  const blocks = m.blocks.map((b, l) => {
    const h = `transformer.h.${l}`;
    const ln1 = pair(`${h}.ln_1`, b.ln1);
    const attn = {
      qkv: pair(`${h}.attn.c_attn`, b.attn.qkv),
      proj: pair(`${h}.attn.c_proj`, b.attn.proj),
    };
    const ln2 = pair(`${h}.ln_2`, b.ln2);
    const mlp = { fc: pair(`${h}.mlp.c_fc`, b.mlp.fc), proj: pair(`${h}.mlp.c_proj`, b.mlp.proj) };
    return { ln1, attn, ln2, mlp };
  });
  const lnF = pair('transformer.ln_f', m.lnF);
  const lmHead = m.lmHead === null ? null : f('lm_head.weight', m.lmHead);
  const score = m.score === null ? null : pair('score', m.score);
  return { wte, wpe, blocks, lnF, lmHead, score };
}

/** (name, leaf) pairs in checkpoint order: what checkpoints save and load. */
export function namedParameters<P>(m: GPTParams<P>): [string, P][] {
  const out: [string, P][] = [];
  mapParameters(m, (name, leaf) => out.push([name, leaf]));
  return out;
}

/** Parameter names and shapes in checkpoint order (our (in, out) layout for linear weights). */
export function parameterShapes(config: GPTConfig): [string, number[]][] {
  return namedParameters(parameterTree(config));
}

/** Initial values as nanoGPT: N(0, 0.02), residual projections N(0, 0.02/√(2·nLayer)), LN 1/0. */
export function initialValues(
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
