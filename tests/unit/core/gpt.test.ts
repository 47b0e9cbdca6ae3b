import { beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type * as tfNs from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { createGPT, gptFromWeights } from '../../../src/core/model/gpt';
import { disposeCache } from '../../../src/core/model/kv-cache';
import { lmLoss } from '../../../src/core/model/lm-losses';
import { parameterShapes } from '../../../src/core/model/params';
import type { GPTConfig } from '../../../src/core/model/config';

interface Fixture {
  config: GPTConfig;
  weights: Record<string, { shape: number[]; data: number[] }>;
  ids: number[][];
  padMask: number[][];
  logits: number[][][];
  head: number[][];
  lossRow0: number;
}

const fixture: Fixture = JSON.parse(
  readFileSync(new URL('../../fixtures/gpt-tiny.json', import.meta.url), 'utf8'),
);

function fixtureModel() {
  const weights = new Map(
    Object.entries(fixture.weights).map(([k, v]) => [k, Float32Array.from(v.data)]),
  );
  return gptFromWeights(fixture.config, weights);
}

function maxRelErr(got: ArrayLike<number>, want: number[]): number {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(1, Math.abs(want[i])));
  }
  return worst;
}

describe.each(['cpu', 'wasm'] as const)('GPT on %s', (backend) => {
  let tf: typeof tfNs;
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  it('matches a float64 numpy forward pass, with left padding', async () => {
    const model = fixtureModel();
    const ids = tf.tensor2d(fixture.ids, undefined, 'int32');
    const padMask = tf.tensor2d(fixture.padMask);
    const { logits, head } = model.forward(ids, { padMask });
    const got = await logits.data();
    const gotHead = await head!.data();
    // Compare only real (unpadded) positions: padded ones are never read.
    const B = fixture.ids.length;
    const T = fixture.ids[0].length;
    const V = fixture.config.vocabSize;
    const g: number[] = [];
    const w: number[] = [];
    const gh: number[] = [];
    const wh: number[] = [];
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        if (fixture.padMask[b][t] === 0) continue;
        for (let v = 0; v < V; v++) {
          g.push(got[(b * T + t) * V + v]);
          w.push(fixture.logits[b][t][v]);
        }
        gh.push(gotHead[b * T + t]);
        wh.push(fixture.head[b][t]);
      }
    }
    expect(maxRelErr(g, w)).toBeLessThan(2e-5);
    expect(maxRelErr(gh, wh)).toBeLessThan(2e-5);
    tf.dispose([ids, padMask, logits, head!]);
    model.dispose();
  });

  it('computes the next-token loss of the reference', async () => {
    const model = fixtureModel();
    const ids = tf.tensor2d([fixture.ids[0]], undefined, 'int32');
    const loss = lmLoss(model, ids);
    expect((await loss.data())[0]).toBeCloseTo(fixture.lossRow0, 5);
    tf.dispose([ids, loss]);
    model.dispose();
  });

  it.each([
    ['growing', false],
    ['fixed-capacity', true],
  ] as const)(
    'gives the same logits through a %s KV cache as the full forward pass',
    async (_, fixedSlots) => {
      const model = fixtureModel();
      const ids = tf.tensor2d(fixture.ids, undefined, 'int32');
      const padMask = tf.tensor2d(fixture.padMask);
      const full = await model.forward(ids, { padMask }).logits.data();
      const B = fixture.ids.length;
      const T = fixture.ids[0].length;
      const V = fixture.config.vocabSize;
      const P = 3; // prompt slots; the rest is fed one token at a time
      const prompt = ids.slice([0, 0], [B, P]) as tfNs.Tensor2D;
      const promptMask = padMask.slice([0, 0], [B, P]) as tfNs.Tensor2D;
      let { cache, logits } = model.prefill(prompt, { padMask: promptMask, fixedSlots });
      expect(cache.keys[0].shape[2]).toBe(fixedSlots ? fixture.config.blockSize : P);
      for (let t = P - 1; t < T; t++) {
        const got = await logits.data();
        for (let b = 0; b < B; b++) {
          if (fixture.padMask[b][t] === 0) continue;
          const want = Array.from(full.subarray((b * T + t) * V, (b * T + t + 1) * V));
          expect(maxRelErr(got.subarray(b * V, (b + 1) * V), want)).toBeLessThan(1e-5);
        }
        logits.dispose();
        if (t + 1 < T) {
          const next = tf.tensor1d(
            fixture.ids.map((row) => row[t + 1]),
            'int32',
          );
          ({ cache, logits } = model.step(cache, next));
          next.dispose();
        }
      }
      disposeCache(cache);
      tf.dispose([ids, padMask, prompt, promptMask]);
      model.dispose();
    },
  );

  it('is deterministic for a seed and differs across seeds', async () => {
    const config = { vocabSize: 13, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 };
    const a = createGPT(config, 7);
    const b = createGPT(config, 7);
    const c = createGPT(config, 8);
    const wa = await a.variables[0].data();
    expect(await b.variables[0].data()).toEqual(wa);
    expect(await c.variables[0].data()).not.toEqual(wa);
    [a, b, c].forEach((m) => m.dispose());
  });
});

describe('GPT configuration', () => {
  it('has about 0.8 M parameters at the nano size', () => {
    const shapes = parameterShapes({
      vocabSize: 70,
      blockSize: 128,
      nLayer: 4,
      nHead: 4,
      nEmbd: 128,
    });
    const n = shapes.reduce((s, [, shape]) => s + shape.reduce((a, b) => a * b, 1), 0);
    // 4 blocks of 12·C² + 13·C, embeddings (V + 128)·C, final LN 2·C.
    expect(n).toBe(4 * (12 * 128 * 128 + 13 * 128) + (70 + 128) * 128 + 2 * 128);
  });

  it('rejects bad configs and inputs with the argument named', async () => {
    const tf = await useBackend('cpu');
    expect(() =>
      createGPT({ vocabSize: 10, blockSize: 8, nLayer: 1, nHead: 3, nEmbd: 8 }, 1),
    ).toThrow(/config.nEmbd/);
    expect(() =>
      createGPT({ vocabSize: 0, blockSize: 8, nLayer: 1, nHead: 2, nEmbd: 8 }, 1),
    ).toThrow(/config.vocabSize/);
    const m = createGPT({ vocabSize: 10, blockSize: 4, nLayer: 1, nHead: 2, nEmbd: 8 }, 1);
    const long = tf.zeros([1, 5], 'int32') as tfNs.Tensor2D;
    expect(() => m.forward(long)).toThrow(/ids: has 5 tokens; the context holds 4/);
    const floats = tf.zeros([1, 3]) as tfNs.Tensor2D;
    expect(() => m.forward(floats)).toThrow(/dtype float32/);
    tf.dispose([long, floats]);
    m.dispose();
  });
});
