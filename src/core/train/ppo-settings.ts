/**
 * PPO's settings: the hyperparameters with their defaults (TRL's, with a
 * smaller value-loss coefficient) and their validation.
 */
import { ArgumentError, assertInRange } from '../errors';
import type { OptimizerSettings } from './optimizer';

export interface PpoSettings extends OptimizerSettings {
  ppoEpochs?: number;
  /** Sequences per minibatch. */
  miniBatchSize?: number;
  clipRange?: number;
  clipRangeValue?: number;
  vfCoef?: number;
  gamma?: number;
  lam?: number;
  /** Initial (or fixed) KL coefficient β. */
  klCoef?: number;
  /** Adaptive KL control (Ziegler et al.): target KL per sequence and horizon in sequences. */
  adaptiveKl?: { target: number; horizon: number } | null;
  /** Skip a minibatch whose mean ratio exceeds this. */
  ratioThreshold?: number;
  /** Stop an iteration's epochs once the minibatch approximate KL exceeds this; null = never. */
  targetKl?: number | null;
  /** PPO-ptx coefficient γ_ptx on the pretraining log-likelihood; 0 = plain PPO. */
  ptxCoef?: number;
  seed?: number;
}

export const PPO_DEFAULTS = {
  ppoEpochs: 4,
  miniBatchSize: 8,
  clipRange: 0.2,
  clipRangeValue: 0.2,
  vfCoef: 0.1,
  gamma: 1,
  lam: 0.95,
  klCoef: 0.2,
  adaptiveKl: null,
  ratioThreshold: 10,
  targetKl: null,
  ptxCoef: 0,
  seed: 0,
};

/** Settings with every default filled in. */
export type ResolvedPpoSettings = Required<Omit<PpoSettings, 'adaptiveKl' | 'targetKl'>> & {
  adaptiveKl: { target: number; horizon: number } | null;
  targetKl: number | null;
};

export function validatePpoSettings(s: PpoSettings): ResolvedPpoSettings {
  const r = { ...PPO_DEFAULTS, maxGradNorm: 1, ...s } as ResolvedPpoSettings;
  if (!Number.isInteger(r.ppoEpochs) || r.ppoEpochs < 1 || r.ppoEpochs > 100) {
    throw new ArgumentError('ppoEpochs', `is ${r.ppoEpochs}; expected an integer in [1, 100]`);
  }
  if (!Number.isInteger(r.miniBatchSize) || r.miniBatchSize < 1) {
    throw new ArgumentError('miniBatchSize', `is ${r.miniBatchSize}; expected a positive integer`);
  }
  assertInRange('clipRange', r.clipRange, 1e-6, 10);
  assertInRange('clipRangeValue', r.clipRangeValue, 1e-6, 1e6);
  assertInRange('vfCoef', r.vfCoef, 0, 100);
  assertInRange('gamma', r.gamma, 0, 1);
  assertInRange('lam', r.lam, 0, 1);
  assertInRange('klCoef', r.klCoef, 0, 100);
  assertInRange('ratioThreshold', r.ratioThreshold, 1, 1e6);
  assertInRange('ptxCoef', r.ptxCoef, 0, 1e3);
  if (r.targetKl !== null) assertInRange('targetKl', r.targetKl, 0, 1e6);
  if (r.adaptiveKl) {
    assertInRange('adaptiveKl.target', r.adaptiveKl.target, 1e-9, 1e6);
    assertInRange('adaptiveKl.horizon', r.adaptiveKl.horizon, 1, 1e9);
  }
  return r;
}
