// Shared helpers for the loss tests: fixture loading and float32-aware comparison.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as TF from '@tensorflow/tfjs';
import { expect } from 'vitest';
import { ArgumentError } from '../../../src/core/errors';

export type Num2D = number[][];

export interface LossFixtures {
  masked: {
    name: string;
    x: Num2D;
    mask: Num2D;
    sum: number;
    mean: number;
    varUnbiased: number;
    varBiased: number;
    meanAxis1: number[];
    varUnbiasedAxis1: number[];
  }[];
  rankingToPairs: { name: string; ranks: number[]; pairs: [number, number][] }[];
  rankingLoss: { name: string; rewards: number[]; ranks: number[]; loss: number }[];
  directScoreLoss: { name: string; rewards: number[]; grades: number[]; loss: number }[];
  whiten: { name: string; x: Num2D; mask: Num2D; shiftMean: boolean; out: Num2D }[];
  klPenalizedRewards: {
    name: string;
    logprobs: Num2D;
    refLogprobs: Num2D;
    mask: Num2D;
    scores: number[];
    beta: number;
    rewards: Num2D;
    kl: Num2D;
  }[];
  ppoPolicyLoss: {
    name: string;
    logprobs: Num2D;
    oldLogprobs: Num2D;
    advantages: Num2D;
    mask: Num2D;
    clipRange: number;
    loss: number;
    clipfrac: number;
    approxKl: number;
  }[];
  ppoValueLoss: {
    name: string;
    values: Num2D;
    oldValues: Num2D;
    returns: Num2D;
    mask: Num2D;
    clipRange: number;
    loss: number;
    clipfrac: number;
  }[];
  gae: {
    name: string;
    rewards: number[];
    values: number[];
    gamma: number;
    lam: number;
    advantages: number[];
    returns: number[];
  }[];
  gaeMasked: {
    name: string;
    B: number;
    T: number;
    gamma: number;
    lam: number;
    rewards: number[];
    values: number[];
    mask: number[];
    advantages: number[];
    returns: number[];
  }[];
  adaptiveKL: {
    name: string;
    initCoef: number;
    target: number;
    horizon: number;
    updates: [number, number][];
    values: number[];
  }[];
  rrhf: {
    name: string;
    logprobSums: number[];
    lengths: number[];
    scores: number[];
    lengthPenalty: number;
    rank: number;
    sft: number;
    total: number;
  }[];
  /** DPO's sigmoid loss and IPO, with the analytic gradient w.r.t. the policy's log-probs. */
  dpo: DpoFixture[];
  ipo: DpoFixture[];
  groupAdvantages: {
    name: string;
    mode: 'grpo' | 'dr-grpo' | 'rloo';
    rewards: Num2D;
    advantages: Num2D;
  }[];
  /** GRPO's per-sequence and Dr. GRPO's per-token normalisation, with dL/d logprobs. */
  grpo: GrpoFixture[];
  drGrpo: GrpoFixture[];
}

export interface GrpoFixture {
  name: string;
  logprobs: Num2D;
  oldLogprobs: Num2D;
  refLogprobs: Num2D;
  advantages: number[];
  mask: Num2D;
  clipRange: number;
  beta: number;
  normalise: 'sequence' | 'tokens';
  maxCompletionLength: number | null;
  loss: number;
  kl: number;
  clipRatio: number;
  gradLogprobs: Num2D;
}

export interface DpoFixture {
  name: string;
  policyChosen: number[];
  policyRejected: number[];
  refChosen: number[];
  refRejected: number[];
  beta: number;
  loss: number;
  chosenRewards: number[];
  rejectedRewards: number[];
  gradPolicyChosen: number[];
  gradPolicyRejected: number[];
}

export function loadFixtures(): LossFixtures {
  const file = fileURLToPath(new URL('../../fixtures/losses.json', import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as LossFixtures;
}

/** |a − e| ≤ rtol·|e| + atol elementwise (float32 results vs float64 references). */
export function expectClose(
  actual: ArrayLike<number> | number,
  expected: number[] | number[][] | number,
  label: string,
  rtol = 1e-5,
  atol = 1e-6,
): void {
  const a = typeof actual === 'number' ? [actual] : Array.from(actual);
  const e = typeof expected === 'number' ? [expected] : expected.flat();
  expect(a.length, `${label}: length`).toBe(e.length);
  for (let i = 0; i < e.length; i++) {
    const err = Math.abs(a[i] - e[i]);
    if (!(err <= rtol * Math.abs(e[i]) + atol)) {
      expect.fail(`${label}[${i}]: got ${a[i]}, expected ${e[i]} (|err| ${err.toExponential(2)})`);
    }
  }
}

/**
 * `fn` throws an ArgumentError naming `argument` (and matching `reason`), and
 * leaves no tensor behind: the count is the same after the throw as before.
 */
export function expectArgumentError(
  tf: typeof TF,
  fn: () => unknown,
  argument: string,
  reason?: RegExp,
): void {
  const before = tf.memory().numTensors;
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught, argument).toBeInstanceOf(ArgumentError);
  expect((caught as ArgumentError).argument).toBe(argument);
  if (reason) expect((caught as ArgumentError).message).toMatch(reason);
  expect(tf.memory().numTensors).toBe(before);
}

/**
 * A loss leaves nothing behind: inside tf.tidy no tensor remains, and called
 * bare only the `outputs` tensors it returns (its intermediates are tidied).
 */
export function expectOnlyOutputsKept(
  tf: typeof TF,
  /** A tensor, or an object of tensors (a loss's named outputs). */
  call: () => TF.Tensor | object,
  outputs: number,
): void {
  const before = tf.memory().numTensors;
  tf.tidy(() => {
    call();
  });
  expect(tf.memory().numTensors, 'inside tidy').toBe(before);
  const out = call();
  const list = out instanceof tf.Tensor ? [out] : (Object.values(out) as TF.Tensor[]);
  expect(list).toHaveLength(outputs);
  expect(tf.memory().numTensors, 'outside tidy').toBe(before + outputs);
  tf.dispose(list);
}
