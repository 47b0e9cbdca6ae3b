/**
 * a + b for tensors of one shape, for residual connections. tfjs's Add saves
 * (clones) both inputs for its gradient, only to undo broadcasting; on wasm a
 * clone is a copy of the activation. Without broadcasting the gradient is dy
 * for both, so nothing needs saving.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-grad';

const addOp = customOp<tf.Tensor>(([a, b]) => ({
  value: tf.add(a, b),
  // Two tensors (sharing dy's data), so that backprop can dispose each alone.
  gradFunc: (dy) => [dy.reshape(dy.shape), dy.reshape(dy.shape)],
}));

export function addSameShape<T extends tf.Tensor>(a: T, b: T): T {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(`addSameShape: shapes [${a.shape}] and [${b.shape}] differ`);
  }
  return addOp(a, b) as T;
}
