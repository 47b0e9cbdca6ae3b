/**
 * Matrix products whose gradients stay on fast kernels.
 *
 * tfjs-backend-wasm 4.22 hands a matMul to XNNPACK only when both operands
 * are rank 2 and neither is transposed; a transpose flag or a batch dimension
 * falls back to a naive triple loop. Measured on 2 cores (nano shapes):
 * [2048,512]ᵀ·[2048,128] takes 160 ms with `transposeA` but 5 + 6 ms as an
 * explicit transpose and a plain product. tfjs's own matMul gradient uses
 * the flags, so `linear` below brings its own gradient.
 *
 * The wasm rank-2 Transpose is slow too ([2048,512]: 7 ms) while the rank-3
 * one is fast (2 ms), so `transposeMatrix` goes through a rank-3 view.
 */
import * as tf from '@tensorflow/tfjs';
import { customOp } from './custom-grad';

/** The workarounds here are for tfjs-backend-wasm; other backends get the plain ops. */
export function onWasm(): boolean {
  return tf.getBackend() === 'wasm';
}

/** xᵀ for a matrix [m, n] → [n, m]; the same values as `x.transpose()`. */
export function transposeMatrix(x: tf.Tensor2D): tf.Tensor2D {
  const [m, n] = x.shape;
  if (m % 4 !== 0) return x.transpose();
  // (4, m/4, n) → (n, 4, m/4) is xᵀ laid out row-major.
  return x
    .reshape([4, m / 4, n])
    .transpose([2, 0, 1])
    .reshape([n, m]);
}

/** a·b with optional transposes, as `tf.matMul`, but never on wasm's slow path. */
export function matMul(
  a: tf.Tensor2D,
  b: tf.Tensor2D,
  transposeA = false,
  transposeB = false,
): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(a, b, transposeA, transposeB);
  return tf.matMul(transposeA ? transposeMatrix(a) : a, transposeB ? transposeMatrix(b) : b);
}

/** Column sums of a matrix [m, n] → [n]: the gradient of a broadcast bias. */
export function sumRows(x: tf.Tensor2D): tf.Tensor1D {
  if (!onWasm()) return x.sum(0);
  // wasm reduces a non-last axis by transposing first, with its slow rank-2
  // transpose ([2048,512]: 7.2 ms). XNNPACK's average pooling over the rows
  // takes 0.6 ms; times m it is the sum (exactly so when m is a power of 2).
  const [m, n] = x.shape;
  const pooled = tf.avgPool(x.reshape([1, m, 1, n]) as tf.Tensor4D, [m, 1], 1, 'valid');
  return pooled.mul(m).reshape([n]);
}

/** xᵀ·dy for x (m, in) and dy (m, out): the weight gradient of a linear layer. */
function weightGrad(x: tf.Tensor2D, dy: tf.Tensor2D): tf.Tensor2D {
  if (!onWasm()) return tf.matMul(x, dy, true, false);
  // XNNPACK repacks the right operand of every product with new data
  // ([2048,512]: ~4 ms, more than transposing it), so the narrower of x and
  // dy goes right and the wider one is transposed to go left.
  if (x.shape[1] < dy.shape[1]) return transposeMatrix(tf.matMul(transposeMatrix(dy), x));
  return tf.matMul(transposeMatrix(x), dy);
}

/**
 * Gradients of x·w (+ b) w.r.t. x, w (and b) from dy (m, out): plain rank-2
 * products on wasm (see the file comment).
 */
export function linearGrads(
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  dy: tf.Tensor2D,
  withBias = true,
): tf.Tensor[] {
  const grads = [matMul(dy, w, false, true), weightGrad(x, dy)];
  return withBias ? [...grads, sumRows(dy)] : grads;
}

const linearWithBias = customOp<tf.Tensor2D>(([x, w, b], save) => {
  save([x, w]);
  return {
    value: tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b),
    gradFunc: (dy, [xs, ws]) => linearGrads(xs as tf.Tensor2D, ws as tf.Tensor2D, dy),
  };
});

const linearNoBias = customOp<tf.Tensor2D>(([x, w], save) => {
  save([x, w]);
  return {
    value: tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D),
    gradFunc: (dy, [xs, ws]) => linearGrads(xs as tf.Tensor2D, ws as tf.Tensor2D, dy, false),
  };
});

/**
 * x·w + b for x (m, in), w (in, out), b (out), with a gradient made of plain
 * rank-2 products (see the file comment). Same values as tf.matMul + tf.add.
 */
export function linear(x: tf.Tensor2D, w: tf.Tensor2D, b?: tf.Tensor1D): tf.Tensor2D {
  return b ? linearWithBias(x, w, b) : linearNoBias(x, w);
}

/**
 * Rows of `table` (V, C) picked by `ids` (int32 [m]) → (m, C), as one-hot
 * products: the gradient of `gather` is missing on wasm (PITFALLS.md, trap 3).
 * Only the table gets a gradient.
 */
export function embedding(ids: tf.Tensor1D, table: tf.Tensor2D): tf.Tensor2D {
  // oneHot's dtype argument is ignored on wasm (it returns int32 bits): cast.
  const oneHot = tf.oneHot(ids, table.shape[0]).toFloat() as tf.Tensor2D; // (m, V)
  const op = customOp<tf.Tensor2D>(([t], save) => {
    save([oneHot]);
    return {
      value: tf.matMul(oneHot, t as tf.Tensor2D),
      gradFunc: (dy, [oh]) => [weightGrad(oh as tf.Tensor2D, dy)], // (V, C)
    };
  });
  return op(table);
}
