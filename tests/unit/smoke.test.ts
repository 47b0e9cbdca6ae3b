import { describe, expect, it } from 'vitest';
import { useBackend } from '../helpers/tf';

describe('tfjs in node', () => {
  it.each(['cpu', 'wasm'] as const)('%s computes a matmul', async (b) => {
    const tf = await useBackend(b);
    const y = tf.matMul(tf.tensor2d([[1, 2]]), tf.tensor2d([[3], [4]]));
    expect(await y.data()).toEqual(new Float32Array([11]));
    y.dispose();
  });
});
