// Optimizer (global-norm clipping + our Adam) against tfjs's AdamOptimizer
// with the clipping done by hand, step for step, on cpu and wasm.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { mulberry32, normalArray } from '../../../src/core/random';
import { Optimizer } from '../../../src/core/train/optimizer';

describe.each(['cpu', 'wasm'] as const)('Optimizer on %s', (backend) => {
  let tf: typeof TF;
  beforeAll(async () => {
    tf = await useBackend(backend);
  });

  it('matches tf.train.adam after global-norm clipping, and leaves gradient-less variables', async () => {
    const rng = mulberry32(3);
    const init = (shape: number[]) => normalArray(shape[0] * (shape[1] ?? 1), 1, rng);
    const shapes = [[4, 3], [3], [5]]; // the last one does not enter the loss
    const values = shapes.map(init);
    const x = tf.tensor2d(normalArray(8 * 4, 1, rng), [8, 4]);
    const y = tf.tensor2d(normalArray(8 * 3, 1, rng), [8, 3]);
    const make = (tag: string) =>
      shapes.map((s, i) => tf.variable(tf.tensor(values[i], s), true, `${backend}-${tag}${i}`));
    const loss = ([w, b]: TF.Variable[]) =>
      tf.sum(tf.square(tf.sub(tf.add(tf.matMul(x, w as TF.Tensor2D), b), y))) as TF.Scalar;

    const ours = make('ours');
    const theirs = make('theirs');
    const settings = { lr: 0.05, beta1: 0.8, beta2: 0.95, epsilon: 1e-6, maxGradNorm: 40 };
    const optimizer = new Optimizer(ours, settings);
    const adam = tf.train.adam(settings.lr, settings.beta1, settings.beta2, settings.epsilon);
    let clipped = 0;
    for (let step = 0; step < 8; step++) {
      const metrics = await optimizer.step(() => ({ loss: loss(ours), metrics: {} }), 'l', 'p');
      // The reference: tfjs gradients, clipped by hand, then tfjs's Adam.
      const { grads } = tf.variableGrads(() => loss(theirs), theirs);
      const norm = Math.sqrt(
        (await Promise.all(Object.values(grads).map((g) => tf.sum(tf.square(g)).data()))).reduce(
          (s, d) => s + d[0],
          0,
        ),
      );
      expect(metrics['p/grad_norm']).toBeCloseTo(norm, 3);
      const scale = norm > settings.maxGradNorm ? settings.maxGradNorm / (norm + 1e-6) : 1;
      if (scale < 1) clipped++;
      const scaled = Object.fromEntries(
        Object.entries(grads).map(([k, g]) => [k, tf.mul(g, scale)]),
      );
      adam.applyGradients(scaled);
      tf.dispose([...Object.values(grads), ...Object.values(scaled)]);
    }
    expect(clipped).toBe(4); // the norm falls from ~62 to ~26: both paths are exercised
    for (let i = 0; i < shapes.length; i++) {
      const got = await ours[i].data();
      const want = await theirs[i].data();
      for (let j = 0; j < want.length; j++) expect(got[j]).toBeCloseTo(want[j], 5);
    }
    expect(Array.from(await ours[2].data())).toEqual(Array.from(Float32Array.from(values[2])));
    optimizer.dispose();
    adam.dispose();
    tf.dispose([x, y, ...ours, ...theirs]);
  });
});
