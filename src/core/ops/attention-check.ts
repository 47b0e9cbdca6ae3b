/**
 * A self-check of self-attention on the active backend: the path
 * `selfAttention` takes there (fused WebGPU kernels, grouped products on
 * wasm, or the generic op chain) against an independent float64
 * implementation written out as loops below, for the output and for the
 * gradients w.r.t. h, w and b. On webgpu the generic chain is checked too,
 * and the fused kernels against it. Small enough to run when a worker starts
 * (two cases, the larger the nano model's head layout at full context), so
 * that kernels which misbehave on a user's GPU are switched off rather than
 * trusted.
 */
import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '../random';
import { selfAttention, selfAttentionReference } from './attention';
import { fusedAttentionActive, setFusedAttention } from './fused-attention';

export interface AttentionCase {
  B: number;
  T: number;
  nh: number;
  hs: number;
  /** Left padding (keys masked) per batch element. */
  pad: number[];
}

export const ATTENTION_CHECK_CASES: AttentionCase[] = [
  { B: 2, T: 12, nh: 2, hs: 8, pad: [0, 3] },
  { B: 2, T: 128, nh: 4, hs: 32, pad: [0, 5] },
];

/** Largest |a − ref| over the compared entries, divided by the largest |ref|. */
export interface Errors {
  y: number;
  dh: number;
  dw: number;
  db: number;
}

export interface AttentionCaseReport {
  shape: string;
  /** The path selfAttention takes on this backend, against float64. */
  active: Errors;
  /** webgpu only: the generic op chain against float64. */
  generic?: Errors;
}

export interface AttentionCheck {
  backend: string;
  path: 'fused webgpu kernels' | 'grouped products (wasm)' | 'generic ops';
  tolerance: number;
  cases: AttentionCaseReport[];
  /** Every error below the tolerance. */
  ok: boolean;
}

export interface AttentionInputs {
  h: Float64Array; // (B·T, C)
  w: Float64Array; // (C, 3C)
  b: Float64Array; // (3C)
  bias: Float64Array; // (B, T, T), as the model builds it: causal + key padding
  dy: Float64Array; // (B·T, C), zero on rows with no visible key
  valid: boolean[]; // per row of B·T: the query sees at least one key
}

/** Seeded inputs for one case: random h, w, b, dy and the model's mask. */
export function attentionInputs(
  { B, T, nh, hs, pad }: AttentionCase,
  seed: number,
): AttentionInputs {
  const C = nh * hs;
  const rng = mulberry32(seed);
  const u = (n: number, scale: number) =>
    Float64Array.from({ length: n }, () => (rng() * 2 - 1) * scale);
  const h = u(B * T * C, 1);
  const w = u(C * 3 * C, Math.sqrt(3 / C)); // unit-variance q, k, v
  const b = u(3 * C, 0.1);
  const bias = new Float64Array(B * T * T);
  const valid: boolean[] = [];
  for (let bb = 0; bb < B; bb++) {
    for (let i = 0; i < T; i++) {
      valid.push(i >= pad[bb]);
      for (let j = 0; j < T; j++) {
        bias[(bb * T + i) * T + j] = (j > i ? -1e9 : 0) + (j < pad[bb] ? -1e9 : 0);
      }
    }
  }
  const dy = u(B * T * C, 1);
  valid.forEach((ok, r) => {
    if (!ok) dy.fill(0, r * C, (r + 1) * C);
  });
  return { h, w, b, bias, dy, valid };
}

/** y and the gradients of Σ y ⊙ dy, in float64, with loops only. */
export function attentionFloat64(
  { B, T, nh, hs }: AttentionCase,
  { h, w, b, bias, dy, valid }: AttentionInputs,
): { y: Float64Array; dh: Float64Array; dw: Float64Array; db: Float64Array } {
  const C = nh * hs;
  const C3 = 3 * C;
  const R = B * T;
  const qkv = new Float64Array(R * C3);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C3; c++) {
      let s = b[c];
      for (let k = 0; k < C; k++) s += h[r * C + k] * w[k * C3 + c];
      qkv[r * C3 + c] = s;
    }
  }
  const y = new Float64Array(R * C);
  const dqkv = new Float64Array(R * C3);
  const scale = 1 / Math.sqrt(hs);
  const p = new Float64Array(T);
  for (let bb = 0; bb < B; bb++) {
    for (let hh = 0; hh < nh; hh++) {
      const q = (i: number, d: number) => qkv[(bb * T + i) * C3 + hh * hs + d];
      const k = (j: number, d: number) => qkv[(bb * T + j) * C3 + C + hh * hs + d];
      const v = (j: number, d: number) => qkv[(bb * T + j) * C3 + 2 * C + hh * hs + d];
      for (let i = 0; i < T; i++) {
        const row = bb * T + i;
        if (!valid[row]) continue;
        let max = -Infinity;
        for (let j = 0; j <= i; j++) {
          let s = 0;
          for (let d = 0; d < hs; d++) s += q(i, d) * k(j, d);
          p[j] = s * scale + bias[(bb * T + i) * T + j];
          max = Math.max(max, p[j]);
        }
        let sum = 0;
        for (let j = 0; j <= i; j++) sum += p[j] = Math.exp(p[j] - max);
        for (let j = 0; j <= i; j++) p[j] /= sum;
        const yo = row * C + hh * hs;
        for (let d = 0; d < hs; d++) {
          let s = 0;
          for (let j = 0; j <= i; j++) s += p[j] * v(j, d);
          y[yo + d] = s;
        }
        let D = 0;
        for (let d = 0; d < hs; d++) D += dy[yo + d] * y[yo + d];
        for (let j = 0; j <= i; j++) {
          let dp = 0;
          for (let d = 0; d < hs; d++) dp += dy[yo + d] * v(j, d);
          const ds = p[j] * (dp - D);
          const kRow = (bb * T + j) * C3 + hh * hs;
          for (let d = 0; d < hs; d++) {
            dqkv[row * C3 + hh * hs + d] += ds * k(j, d) * scale;
            dqkv[kRow + C + d] += ds * q(i, d) * scale;
            dqkv[kRow + 2 * C + d] += p[j] * dy[yo + d];
          }
        }
      }
    }
  }
  const dh = new Float64Array(R * C);
  const dw = new Float64Array(C * C3);
  const db = new Float64Array(C3);
  for (let r = 0; r < R; r++) {
    for (let c = 0; c < C3; c++) {
      const g = dqkv[r * C3 + c];
      if (g === 0) continue;
      db[c] += g;
      for (let k = 0; k < C; k++) {
        dh[r * C + k] += g * w[k * C3 + c];
        dw[k * C3 + c] += h[r * C + k] * g;
      }
    }
  }
  return { y, dh, dw, db };
}

/** max |a − ref| / max |ref| over the entries `keep` selects. */
function relError(
  a: ArrayLike<number>,
  ref: Float64Array,
  keep: (i: number) => boolean = () => true,
) {
  let err = 0;
  let scale = 0;
  for (let i = 0; i < ref.length; i++) {
    if (!keep(i)) continue;
    err = Math.max(err, Math.abs(a[i] - ref[i]));
    scale = Math.max(scale, Math.abs(ref[i]));
  }
  return scale > 0 ? err / scale : err;
}

type Impl = typeof selfAttention;

/** An implementation's errors on one case's inputs against the float64 result `ref`. */
export async function attentionErrors(
  impl: Impl,
  c: AttentionCase,
  x: AttentionInputs,
  ref: ReturnType<typeof attentionFloat64>,
): Promise<Errors> {
  const C = c.nh * c.hs;
  const [y, dh, dw, db] = tf.tidy(() => {
    const h = tf.tensor2d(Float32Array.from(x.h), [c.B * c.T, C]);
    const w = tf.tensor2d(Float32Array.from(x.w), [C, 3 * C]);
    const b = tf.tensor1d(Float32Array.from(x.b));
    const bias = tf.tensor3d(Float32Array.from(x.bias), [c.B, c.T, c.T]);
    const dy = tf.tensor2d(Float32Array.from(x.dy), [c.B * c.T, C]);
    const f = (hh: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      impl(hh as tf.Tensor2D, ww as tf.Tensor2D, bb as tf.Tensor1D, bias, c.nh);
    const grads = tf.grads((hh, ww, bb) => tf.sum(tf.mul(f(hh, ww, bb), dy)))([h, w, b]);
    return [f(h, w, b), ...grads];
  });
  try {
    const [yv, dhv, dwv, dbv] = await Promise.all([y, dh, dw, db].map((t) => t.data()));
    return {
      y: relError(yv, ref.y, (i) => x.valid[Math.floor(i / C)]),
      dh: relError(dhv, ref.dh),
      dw: relError(dwv, ref.dw),
      db: relError(dbv, ref.db),
    };
  } finally {
    tf.dispose([y, dh, dw, db]);
  }
}

const worst = (e: Errors) => Math.max(e.y, e.dh, e.dw, e.db);

/** The largest relative error of the path the backend takes, over every case. */
export function largestError(check: AttentionCheck): number {
  return Math.max(...check.cases.map((c) => worst(c.active)));
}

/**
 * Runs the check on the active backend. `tolerance` bounds every relative
 * error; float32 arithmetic over these sizes stays near 1e-6.
 */
export async function checkAttention(
  cases: AttentionCase[] = ATTENTION_CHECK_CASES,
  tolerance = 1e-4,
): Promise<AttentionCheck> {
  const backend = tf.getBackend();
  const fused = fusedAttentionActive(cases[0].hs);
  const report: AttentionCheck = {
    backend,
    path: fused
      ? 'fused webgpu kernels'
      : backend === 'wasm'
        ? 'grouped products (wasm)'
        : 'generic ops',
    tolerance,
    cases: [],
    ok: true,
  };
  for (const [n, c] of cases.entries()) {
    const x = attentionInputs(c, 1234 + n);
    const ref = attentionFloat64(c, x);
    const row: AttentionCaseReport = {
      shape: `B=${c.B} T=${c.T} nh=${c.nh} hs=${c.hs}`,
      active: await attentionErrors(selfAttention, c, x, ref),
    };
    if (backend === 'webgpu')
      row.generic = await attentionErrors(selfAttentionReference, c, x, ref);
    report.cases.push(row);
    const errors = [row.active, ...(row.generic ? [row.generic] : [])];
    if (!errors.every((e) => worst(e) < tolerance)) report.ok = false;
  }
  return report;
}

/**
 * On webgpu: runs the check and switches the fused kernels off when they
 * fail it (or throw), so the model falls back to the generic chain. Returns
 * the report, or null on other backends.
 */
export async function verifyFusedAttention(): Promise<AttentionCheck | null> {
  if (!fusedAttentionActive(ATTENTION_CHECK_CASES[0].hs)) return null;
  try {
    const report = await checkAttention();
    if (!report.ok) setFusedAttention(false);
    return report;
  } catch (e) {
    setFusedAttention(false);
    throw e;
  }
}
