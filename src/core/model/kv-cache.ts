/**
 * The KV cache of sampling: every layer's keys and values, and what a block's
 * attention does with a pass's new ones (`CacheWriter`, used by ./block.ts).
 *
 * Fixed-capacity (blockSize slots) on WebGL/WebGPU, which compile a shader per
 * new shape (PITFALLS.md, trap 10); growing by one slot per token elsewhere.
 */
import * as tf from '@tensorflow/tfjs';

/**
 * Keys and values of every layer for sampling, in slots (see `GPT.prefill`).
 * A type, not an interface, so that `tf.tidy` may return it.
 */
export type KVCache = {
  /**
   * Per layer: [B, nh, S, hs]. S = blockSize (fixed slots) on webgl and
   * webgpu, which compile per shape; elsewhere S = length (the cache grows).
   */
  keys: tf.Tensor4D[];
  values: tf.Tensor4D[];
  /** [B, S] additive attention bias: 0 for filled slots, -1e9 for empty or padding. */
  keyBias: tf.Tensor2D;
  /** [B] int32 position id of the next token of each row. */
  nextPosition: tf.Tensor1D;
  /** Slots filled so far (the same for every row). */
  length: number;
};

/** Additive bias of a masked attention score: exp(-1e9 − max) is exactly 0 in float32. */
export const NEG = -1e9;

/** One pass's view of the cache, layer by layer. */
export interface CacheWriter {
  /** Rows in the batch. */
  batch: number;
  /** Additive attention bias, broadcast over (B, nh, Tq, Tk). */
  bias: tf.Tensor;
  /**
   * Stores the next layer's new keys and values (B, nh, Tq, hs) and returns
   * the ones its queries attend to, (B, nh, Tk, hs).
   */
  write(k: tf.Tensor4D, v: tf.Tensor4D): [tf.Tensor4D, tf.Tensor4D];
  /** The cache after this pass, once every layer has written. */
  finish(): KVCache;
}

/**
 * Whether KV caches grow by one slot per token (wasm, cpu) rather than fill
 * fixed slots: shapes that change every token cost a shader compilation each
 * on webgl and webgpu (PITFALLS.md, trap 10), nothing elsewhere.
 */
export function growingCache(): boolean {
  return ['wasm', 'cpu'].includes(tf.getBackend());
}

/**
 * A new cache from a prompt of T tokens: its queries attend to its own keys
 * (causal bias (T, T) plus padding); the cache keeps them, padded to S slots
 * unless it grows.
 */
export function prefillWriter(
  padMask: tf.Tensor2D,
  causalBias: tf.Tensor2D,
  grow: boolean,
  S: number,
): CacheWriter {
  const [B, T] = padMask.shape;
  const keyBiasT = tf.sub(1, padMask).mul(NEG) as tf.Tensor2D; // (B, T)
  const keys: tf.Tensor4D[] = [];
  const values: tf.Tensor4D[] = [];
  const padSlots: [number, number][] = [
    [0, 0],
    [0, 0],
    [0, S - T],
    [0, 0],
  ];
  return {
    batch: B,
    bias: tf.add(causalBias.reshape([1, 1, T, T]), keyBiasT.reshape([B, 1, 1, T])), // (B, 1, T, T)
    write(k, v) {
      keys.push(grow ? k : (tf.pad(k, padSlots) as tf.Tensor4D)); // (B, nh, S, hs)
      values.push(grow ? v : (tf.pad(v, padSlots) as tf.Tensor4D));
      return [k, v];
    },
    finish() {
      const keyBias = grow
        ? keyBiasT
        : (tf.pad(
            keyBiasT,
            [
              [0, 0],
              [0, S - T],
            ],
            NEG,
          ) as tf.Tensor2D); // (B, S)
      const nextPosition = padMask.sum(1).toInt() as tf.Tensor1D;
      return { keys, values, keyBias, nextPosition, length: T };
    },
  };
}

/**
 * Constants of a cached step, built once for S slots: slotMasks[s] (as
 * [S, 1, S, 1]) is the one-hot of slot s, openSlots[s] (as [S, S]) is 1e9 at
 * slot s, and the int32 1 that advances positions.
 */
export interface SlotTables {
  slotMasks: tf.Tensor4D;
  openSlots: tf.Tensor2D;
  one: tf.Scalar;
}

export function slotTables(S: number): SlotTables {
  const eye = new Float32Array(S * S);
  for (let i = 0; i < S; i++) eye[i * S + i] = 1;
  return tf.tidy(() => ({
    slotMasks: tf.keep(tf.tensor4d(eye, [S, 1, S, 1])),
    openSlots: tf.keep(
      tf.tensor2d(
        eye.map((e) => e * -NEG),
        [S, S],
      ),
    ),
    one: tf.keep(tf.scalar(1, 'int32')),
  }));
}

/** One new token per row into the next slot of `cache` (not disposed here). */
export function stepWriter(cache: KVCache, tables: SlotTables): CacheWriter {
  const B = cache.nextPosition.shape[0];
  const slot = cache.length;
  const S = tables.openSlots.shape[0];
  // A growing cache has exactly `length` slots; a fixed one has S > length.
  const grow = cache.keys[0].shape[2] === slot;
  let keyBias: tf.Tensor2D;
  let writeSlot: (all: tf.Tensor4D, one: tf.Tensor4D) => tf.Tensor4D;
  if (grow) {
    // Append a slot: attention then covers only the filled slots.
    keyBias = tf.pad(cache.keyBias, [
      [0, 0],
      [0, 1],
    ]);
    writeSlot = (all, one) => tf.concat([all, one], 2);
  } else {
    // Write into the empty (all-zero) slot, and open it for attention:
    // -1e9 + 1e9 is exactly 0 in float32.
    const slotMask = tables.slotMasks.slice([slot, 0, 0, 0], [1, 1, S, 1]); // (1, 1, S, 1)
    keyBias = tf.add(cache.keyBias, tables.openSlots.slice([slot, 0], [1, S]));
    writeSlot = (all, one) => tf.add(all, tf.mul(slotMask, one));
  }
  const keys: tf.Tensor4D[] = [];
  const values: tf.Tensor4D[] = [];
  return {
    batch: B,
    bias: keyBias.reshape([B, 1, 1, -1]), // (B, 1, 1, S)
    write(k, v) {
      const l = keys.length;
      keys.push(writeSlot(cache.keys[l], k)); // (B, nh, S, hs)
      values.push(writeSlot(cache.values[l], v));
      return [keys[l], values[l]];
    },
    finish() {
      const nextPosition = tf.add(cache.nextPosition, tables.one) as tf.Tensor1D;
      return { keys, values, keyBias, nextPosition, length: slot + 1 };
    },
  };
}

export function disposeCache(cache: KVCache): void {
  tf.dispose([...cache.keys, ...cache.values, cache.keyBias, cache.nextPosition]);
}
