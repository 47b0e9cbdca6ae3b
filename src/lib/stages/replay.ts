// What a run's policy wrote, iteration by iteration, for replaying training:
// a few answers of each iteration with their scores and per-token KL
// (workers/iteration-samples.ts), the latest MAX_REPLAY_ITERATIONS of them.
import type { IterationSample } from '../bridge/loop-run';

export type { IterationSample };

/** The answers of one iteration of a run (its step, counted across its loops). */
export interface IterationRecord {
  step: number;
  samples: IterationSample[];
}

/** Iterations a run keeps for replay, on the page and in the session. */
export const MAX_REPLAY_ITERATIONS = 300;

/**
 * `kept` with `next` added (replacing one of the same step), in step order;
 * when that makes more than `max`, the oldest go.
 */
export function keepLatest<T extends { step: number }>(
  kept: readonly T[],
  next: T,
  max = MAX_REPLAY_ITERATIONS,
): T[] {
  const out = kept.filter((k) => k.step !== next.step);
  // Steps arrive in order: the new one goes last unless it is older (a restored run).
  if (out.length > 0 && out[out.length - 1].step > next.step) {
    out.push(next);
    out.sort((a, b) => a.step - b.step);
  } else out.push(next);
  return out.length > max ? out.slice(out.length - max) : out;
}

/** An answer's KL to the SFT model: the sum of its tokens' (NaN ones left out), in nats. */
export function answerKl(s: IterationSample): number {
  return s.tokenKl.reduce((a, x) => (Number.isFinite(x) ? a + x : a), 0);
}

/**
 * The |KL| of a token that gets the strongest colour: the largest over a
 * run's kept iterations (one scale for the whole run, so colours compare
 * across iterations), at least `floor` so that noise near 0 stays pale.
 */
export function klScale(iterations: readonly IterationRecord[], floor = 0.05): number {
  let max = floor;
  for (const it of iterations) {
    for (const s of it.samples) {
      for (const x of s.tokenKl) if (Math.abs(x) > max) max = Math.abs(x);
    }
  }
  return max;
}
