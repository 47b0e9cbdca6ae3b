// The attention self-check (src/core/ops/attention-check.ts): its float64
// reference against a case worked by hand and against finite differences of
// itself, the paths of cpu and wasm against it, and proof that the check
// fails an implementation that is slightly or grossly wrong. The fused WebGPU
// kernels run the same check in Chromium (tests/browser/webgpu-worker.test.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import {
  attentionErrors,
  attentionFloat64,
  attentionInputs,
  checkAttention,
  largestError,
  type AttentionCase,
  type AttentionInputs,
} from '../../../src/core/ops/attention-check';
import { selfAttentionReference } from '../../../src/core/ops/attention';

describe('attentionFloat64', () => {
  it('matches a case worked by hand', () => {
    // One head of size 1; w copies h into q, k and v; h = [1, 2]; no bias.
    const c: AttentionCase = { B: 1, T: 2, nh: 1, hs: 1, pad: [0] };
    const x: AttentionInputs = {
      h: Float64Array.from([1, 2]),
      w: Float64Array.from([1, 1, 1]),
      b: Float64Array.from([0, 0, 0]),
      bias: Float64Array.from([0, -1e9, 0, 0]),
      dy: Float64Array.from([0, 1]),
      valid: [true, true],
    };
    const { y, dh } = attentionFloat64(c, x);
    // Row 0 sees only itself: y0 = v0 = 1. Row 1: scores q1·k = [2, 4].
    const p1 = Math.exp(4) / (Math.exp(2) + Math.exp(4));
    expect(y[0]).toBeCloseTo(1, 12);
    expect(y[1]).toBeCloseTo(1 - p1 + 2 * p1, 12);
    // y1(h0, h1) = (h0·e^{h1 h0} + h1·e^{h1²}) / (e^{h1 h0} + e^{h1²}); dy = [0, 1].
    const y1 = (h0: number, h1: number) =>
      (h0 * Math.exp(h1 * h0) + h1 * Math.exp(h1 * h1)) / (Math.exp(h1 * h0) + Math.exp(h1 * h1));
    const e = 1e-6;
    expect(dh[0]).toBeCloseTo((y1(1 + e, 2) - y1(1 - e, 2)) / (2 * e), 7);
    expect(dh[1]).toBeCloseTo((y1(1, 2 + e) - y1(1, 2 - e)) / (2 * e), 7);
  });

  it('has gradients equal to finite differences of its own forward pass', () => {
    const c: AttentionCase = { B: 2, T: 5, nh: 2, hs: 3, pad: [0, 2] };
    const x = attentionInputs(c, 7);
    const ref = attentionFloat64(c, x);
    const loss = (xx: AttentionInputs) =>
      attentionFloat64(c, xx).y.reduce((s, v, i) => s + v * xx.dy[i], 0);
    const e = 1e-6;
    for (const [name, grad] of [
      ['h', ref.dh],
      ['w', ref.dw],
      ['b', ref.db],
    ] as const) {
      const arr = x[name];
      for (const i of [0, 3, arr.length - 1, Math.floor(arr.length / 2)]) {
        const at = (d: number) => {
          const copy = Float64Array.from(arr);
          copy[i] += d;
          return loss({ ...x, [name]: copy });
        };
        const numeric = (at(e) - at(-e)) / (2 * e);
        expect(Math.abs(grad[i] - numeric), `d${name}[${i}]`).toBeLessThan(1e-6);
      }
    }
  });
});

describe.each(['cpu', 'wasm'] as const)('checkAttention on %s', (backend) => {
  let tf: typeof TF;
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  it("passes this backend's path, well inside the tolerance, and leaks nothing", async () => {
    const before = tf.memory().numTensors;
    const r = await checkAttention();
    expect(r.backend).toBe(backend);
    expect(r.path).toBe(backend === 'wasm' ? 'grouped products (wasm)' : 'generic ops');
    expect(r.ok).toBe(true);
    expect(r.cases).toHaveLength(2);
    for (const c of r.cases) {
      for (const v of Object.values(c.active)) expect(v).toBeLessThan(1e-5);
    }
    const all = r.cases.flatMap((c) => Object.values(c.active));
    expect(largestError(r)).toBe(Math.max(...all));
    expect(tf.memory().numTensors).toBe(before);
  });

  it('fails an implementation that is slightly wrong or ignores the mask', async () => {
    const c: AttentionCase = { B: 2, T: 12, nh: 2, hs: 8, pad: [0, 3] };
    const x = attentionInputs(c, 3);
    const ref = attentionFloat64(c, x);
    const scaled = await attentionErrors(
      (h, w, b, bias, nh) => tf.tidy(() => selfAttentionReference(h, w, b, bias, nh).mul(1.001)),
      c,
      x,
      ref,
    );
    expect(scaled.y).toBeGreaterThan(1e-4);
    const unmasked = await attentionErrors(
      (h, w, b, bias, nh) => selfAttentionReference(h, w, b, tf.zerosLike(bias), nh),
      c,
      x,
      ref,
    );
    expect(unmasked.y).toBeGreaterThan(0.01);
    expect(unmasked.dw).toBeGreaterThan(0.01);
  });
});
