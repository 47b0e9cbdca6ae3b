/**
 * Causal softmax-attention as four hand-written WebGPU kernels, registered
 * with tfjs for the webgpu backend:
 *
 *   forward   y_i  = Σ_{j≤i} softmax_j(s_ij) v_j,  s_ij = q_i·k_j/√hs + bias_ij
 *   stats     L_i  = log Σ_{j≤i} exp(s_ij),  D_i = dy_i·y_i
 *   grad q    dq_i = Σ_{j≤i} P_ij (dy_i·v_j − D_i) k_j/√hs,  P_ij = exp(s_ij − L_i)
 *   grad k,v  dk_j = Σ_{i≥j} P_ij (dy_i·v_j − D_i) q_i/√hs,  dv_j = Σ_{i≥j} P_ij dy_i
 *
 * They replace the generic chain (slice q, k, v out of the c_attn output,
 * three transposes, q·kᵀ, scale, add bias, softmax, ·v, transpose back —
 * and about twice as many kernels again in autodiff's backward), which also
 * materialises the (B, nh, T, T) scores and probabilities; here nothing of
 * size T² is stored: the backward recomputes the scores (FlashAttention's
 * recipe, with one thread per query or key row instead of tiles).
 *
 * Contract, identical to the generic path wherever the output matters:
 * - qkv is c_attn's output (B·T, 3C): q, k, v side by side, heads of hs
 *   columns in each; the result is (B·T, C), heads side by side.
 * - bias (B or 1, T, T) is additive and must mask every key j > i (the
 *   causal mask, −1e9): those keys are not visited at all. Key padding is
 *   read from it as given.
 * - A query whose every visible key is padded (left padding) gets a uniform
 *   average over keys 0..i where the generic path also averages in the keys
 *   j > i; such rows are padding, masked out of every loss, and their
 *   gradient is zero in both.
 *
 * Shapes other than the head size and head count come from tfjs's shape
 * uniforms, so one compiled pipeline serves every batch size and length.
 */
import * as tf from '@tensorflow/tfjs';
import type { WebGPUBackend, WebGPUProgram } from '@tensorflow/tfjs-backend-webgpu';
import { customOp } from './custom-grad';

const WORKGROUP = 64;
const KERNELS = {
  forward: 'RlhfCausalAttention',
  stats: 'RlhfCausalAttentionStats',
  gradQ: 'RlhfCausalAttentionGradQ',
  gradKV: 'RlhfCausalAttentionGradKV',
} as const;
type KernelKind = keyof typeof KERNELS;

let enabled = true;

/**
 * Turns the fused kernels on or off (they are on by default). Off, webgpu
 * runs the generic op chain: for comparisons and for a GPU on which the
 * self-check (attention-check.ts) failed.
 */
export function setFusedAttention(on: boolean): void {
  enabled = on;
}

/** Whether `selfAttention` will use the fused kernels for heads of size `hs` now. */
export function fusedAttentionActive(hs: number): boolean {
  return enabled && hs % 4 === 0 && tf.getBackend() === 'webgpu';
}

/** The WGSL of one kernel; nh and hs are compiled in, everything else is a uniform. */
function shader(kind: KernelKind, nh: number, hs: number): string {
  const H4 = hs / 4; // head size in vec4s
  const C4 = nh * H4; // one of q, k, v, in vec4s
  // Common prologue: this thread's (b, h, t) and the row strides.
  const prologue = `
    let T = uniforms.biasShape[1];
    let BB = uniforms.biasShape[0];
    let rows = uniforms.qkvShape[0];
    if (index >= rows * NH) { return; }
    let t = index % T;
    let bh = index / T;
    let h = bh % NH;
    let b = bh / NH;
    let biasB = select(b, 0, BB == 1) * T;
    let head = h * H4;`;
  const consts = `
    const NH = ${nh};
    const H4 = ${H4};
    const C4 = ${C4};
    const C34 = ${3 * C4};
    const SCALE = ${1 / Math.sqrt(hs)};`;
  // Scores s_ij for query row i (q already scaled) and key row j.
  const score = `
    fn score(q: ptr<function, array<vec4<f32>, H4>>, kBase: i32) -> f32 {
      var s = 0.0;
      for (var d = 0; d < H4; d++) { s += dot((*q)[d], qkv[kBase + d]); }
      return s;
    }`;
  // Online softmax over the keys j ≤ t of this thread's query row: running
  // max m and sum l and, with values, the running Σ p·v in acc.
  const softmax = (values: boolean) => `
    let qBase = (b * T + t) * C34 + head;
    var q: array<vec4<f32>, H4>;
    for (var d = 0; d < H4; d++) { q[d] = qkv[qBase + d] * SCALE; }${values ? '\n    var acc: array<vec4<f32>, H4>;' : ''}
    var m = -3.402823e+38;
    var l = 0.0;
    let biasRow = (biasB + t) * T;
    for (var j = 0; j <= t; j++) {
      let kBase = (b * T + j) * C34 + C4 + head;
      let s = score(&q, kBase) + bias[biasRow + j];
      let mNew = max(m, s);
      let corr = exp(m - mNew);
      let p = exp(s - mNew);
      l = l * corr + p;${
        values
          ? `
      for (var d = 0; d < H4; d++) { acc[d] = acc[d] * corr + p * qkv[kBase + C4 + d]; }`
          : ''
      }
      m = mNew;
    }`;
  switch (kind) {
    case 'forward':
      return `${consts}${score}
  fn main(index: i32) {${prologue}${softmax(true)}
    let outBase = (b * T + t) * C4 + head;
    for (var d = 0; d < H4; d++) { result[outBase + d] = acc[d] / l; }
  }`;
    case 'stats':
      // Output (rows·nh, 2), scalar components: [L, D] per (b, h, i).
      return `${consts}${score}
  fn main(index: i32) {${prologue}${softmax(false)}
    let yBase = (b * T + t) * C4 + head;
    var dd = 0.0;
    for (var d = 0; d < H4; d++) { dd += dot(dy[yBase + d], y[yBase + d]); }
    let o = (bh * T + t) * 2;
    result[o] = m + log(l);
    result[o + 1] = dd;
  }`;
    case 'gradQ':
      return `${consts}${score}
  fn main(index: i32) {${prologue}
    let row = b * T + t;
    var q: array<vec4<f32>, H4>;
    var g: array<vec4<f32>, H4>;
    for (var d = 0; d < H4; d++) {
      q[d] = qkv[row * C34 + head + d] * SCALE;
      g[d] = dy[row * C4 + head + d];
    }
    let L = stats[(bh * T + t) * 2];
    let D = stats[(bh * T + t) * 2 + 1];
    var acc: array<vec4<f32>, H4>;
    let biasRow = (biasB + t) * T;
    for (var j = 0; j <= t; j++) {
      let kBase = (b * T + j) * C34 + C4 + head;
      let p = exp(score(&q, kBase) + bias[biasRow + j] - L);
      var dp = 0.0;
      for (var d = 0; d < H4; d++) { dp += dot(g[d], qkv[kBase + C4 + d]); }
      let ds = p * (dp - D);
      for (var d = 0; d < H4; d++) { acc[d] += ds * qkv[kBase + d]; }
    }
    for (var d = 0; d < H4; d++) { result[row * C4 + head + d] = acc[d] * SCALE; }
  }`;
    case 'gradKV':
      // Output (rows, 2C): dk in the first C columns, dv in the next C.
      return `${consts}
  fn main(index: i32) {${prologue}
    let row = b * T + t;
    var k: array<vec4<f32>, H4>;
    var v: array<vec4<f32>, H4>;
    for (var d = 0; d < H4; d++) {
      k[d] = qkv[row * C34 + C4 + head + d] * SCALE;
      v[d] = qkv[row * C34 + 2 * C4 + head + d];
    }
    var dk: array<vec4<f32>, H4>;
    var dv: array<vec4<f32>, H4>;
    for (var i = t; i < T; i++) {
      let qBase = (b * T + i) * C34 + head;
      let gBase = (b * T + i) * C4 + head;
      var s = 0.0;
      var dp = 0.0;
      for (var d = 0; d < H4; d++) {
        s += dot(qkv[qBase + d], k[d]);
        dp += dot(dy[gBase + d], v[d]);
      }
      let st = (bh * T + i) * 2;
      let p = exp(s + bias[(biasB + i) * T + t] - stats[st]);
      let ds = p * (dp - stats[st + 1]);
      for (var d = 0; d < H4; d++) {
        dv[d] += p * dy[gBase + d];
        dk[d] += ds * qkv[qBase + d];
      }
    }
    for (var d = 0; d < H4; d++) {
      result[row * 2 * C4 + head + d] = dk[d] * SCALE;
      result[row * 2 * C4 + C4 + head + d] = dv[d];
    }
  }`;
  }
}

const INPUTS: Record<KernelKind, string[]> = {
  forward: ['qkv', 'bias'],
  stats: ['qkv', 'bias', 'y', 'dy'],
  gradQ: ['qkv', 'bias', 'dy', 'stats'],
  gradKV: ['qkv', 'bias', 'dy', 'stats'],
};
/** Components per element of each input as the shader reads it (vec4 rows or scalars). */
const COMPONENTS: Record<string, number> = { qkv: 4, bias: 1, y: 4, dy: 4, stats: 1 };

function program(kind: KernelKind, outShape: number[], nh: number, hs: number): WebGPUProgram {
  const rows = outShape[0];
  const threads = kind === 'stats' ? rows : rows * nh;
  const variableNames = INPUTS[kind];
  return {
    variableNames,
    variableComponents: variableNames.map((n) => COMPONENTS[n]),
    outputComponent: kind === 'stats' ? 1 : 4,
    outputShape: outShape,
    shaderKey: `${KERNELS[kind]}_${nh}_${hs}`,
    dispatchLayout: { x: [0] },
    dispatch: [Math.ceil(threads / WORKGROUP), 1, 1],
    workgroupSize: [WORKGROUP, 1, 1],
    getUserCode: () => shader(kind, nh, hs),
  };
}

interface Attrs {
  nh: number;
  hs: number;
}

function register(kind: KernelKind): void {
  const kernelName = KERNELS[kind];
  if (tf.getKernel(kernelName, 'webgpu')) return; // module loaded twice (dev reloads)
  tf.registerKernel({
    kernelName,
    backendName: 'webgpu',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { nh, hs } = attrs as unknown as Attrs;
      const ins = INPUTS[kind].map((n) => inputs[n]!);
      const [rows] = ins[0].shape; // qkv (B·T, 3C)
      const T = ins[1].shape[1];
      const outShape =
        kind === 'stats' ? [(rows / T) * nh * T, 2] : [rows, (kind === 'gradKV' ? 2 : 1) * nh * hs];
      return (backend as WebGPUBackend).runWebGPUProgram(
        program(kind, outShape, nh, hs),
        ins,
        'float32',
      );
    },
  });
}
(Object.keys(KERNELS) as KernelKind[]).forEach(register);

function run(kind: KernelKind, inputs: Record<string, tf.Tensor>, attrs: Attrs): tf.Tensor2D {
  return tf
    .engine()
    .runKernel(KERNELS[kind], inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor2D;
}

/**
 * softmax(q·kᵀ/√hs + bias)·v per head from c_attn's output qkv (B·T, 3C),
 * on the fused WebGPU kernels; gradient w.r.t. qkv only (bias is a mask).
 * Call only when `fusedAttentionActive(hs)`.
 */
export function fusedCausalAttention(qkv: tf.Tensor2D, bias: tf.Tensor3D, nh: number): tf.Tensor2D {
  const hs = qkv.shape[1] / 3 / nh;
  const attrs = { nh, hs };
  const op = customOp<tf.Tensor2D>(([x], save) => {
    const y = run('forward', { qkv: x, bias }, attrs);
    save([x, bias, y]);
    return {
      value: y,
      gradFunc: (dy, [xs, bs, ys]) => {
        const inputs = { qkv: xs, bias: bs, dy };
        const stats = run('stats', { ...inputs, y: ys }, attrs);
        const dq = run('gradQ', { ...inputs, stats }, attrs);
        const dkv = run('gradKV', { ...inputs, stats }, attrs);
        return [tf.concat([dq, dkv], 1)];
      },
    };
  });
  return op(qkv);
}
