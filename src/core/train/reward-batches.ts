/**
 * How the reward model's scoring, evaluation and cross-validation are cut into
 * passes of bounded size, so that memory stays bounded whatever the set's size.
 */

/**
 * The most sequences one forward pass reads when scoring, evaluating or
 * caching features. A held-out set of 10,000 rankings is 40,000 sequences:
 * in one pass its activations (B·T·C floats per layer) overflowed wasm's
 * memory ("memory access out of bounds"); in passes of this size memory
 * stays bounded whatever the set's size.
 */
export const EVAL_BATCH_SEQUENCES = 256;

/** Leave-one-out cross-validation reads at most this many groups (its cost is quadratic). */
export const CROSS_VALIDATE_MAX_GROUPS = 200;

/** At most `n` items, evenly spread through the list (all of them when there are few). */
export function spreadSample<T>(items: readonly T[], n: number): T[] {
  if (items.length <= n) return [...items];
  return Array.from({ length: n }, (_, i) => items[Math.floor((i * items.length) / n)]);
}

/** Groups in batches of at most `maxSequences` completions (a larger group stays whole). */
export function groupBatches<G extends { completions: unknown[] }>(
  groups: readonly G[],
  maxSequences = EVAL_BATCH_SEQUENCES,
): G[][] {
  const out: G[][] = [];
  let batch: G[] = [];
  let size = 0;
  for (const g of groups) {
    if (batch.length > 0 && size + g.completions.length > maxSequences) {
      out.push(batch);
      batch = [];
      size = 0;
    }
    batch.push(g);
    size += g.completions.length;
  }
  if (batch.length > 0) out.push(batch);
  return out;
}
