/**
 * A typed front for `tf.customGrad`: the op receives its input tensors as an
 * array and returns its value with a gradient function.
 *
 * Saved tensors are cloned by the engine (a copy on wasm), so save only what
 * the gradient needs; anything the gradient reads must be saved, not captured,
 * because the forward's tidy scopes dispose the rest before backprop runs.
 */
import * as tf from '@tensorflow/tfjs';

export type GradFunc<T extends tf.Tensor> = (dy: T, saved: tf.Tensor[]) => tf.Tensor[];

export function customOp<T extends tf.Tensor>(
  f: (inputs: tf.Tensor[], save: tf.GradSaveFunc) => { value: T; gradFunc: GradFunc<T> },
): (...inputs: tf.Tensor[]) => T {
  return tf.customGrad<T>((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  });
}
