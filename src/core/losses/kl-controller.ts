/**
 * KL-coefficient controllers for the per-token KL penalty of RLHF PPO.
 * Adaptive: Ziegler et al. 2019 (arXiv 1909.08593, §2.2), as in TRL:
 *   e = clip(KL / target − 1, −0.2, 0.2),  β ← β·(1 + e·n / horizon),
 * where n is the number of samples (or steps) since the last update.
 */
import { assertFinite, assertInRange, assertPositive } from '../errors';

export interface KLController {
  /** Current coefficient β. */
  readonly value: number;
  /** Feed the KL observed over the last `nSteps` steps. */
  update(observedKl: number, nSteps: number): void;
}

function assertNonNegative(name: string, x: number): void {
  assertInRange(name, x, 0, Number.MAX_VALUE);
}

/** The arguments of `KLController.update`, checked the same way by every controller. */
function assertUpdate(observedKl: number, nSteps: number): void {
  assertFinite('observedKl', observedKl);
  assertNonNegative('nSteps', nSteps);
}

export class AdaptiveKLController implements KLController {
  private coef: number;
  readonly target: number;
  readonly horizon: number;

  constructor(initCoef: number, target: number, horizon: number) {
    assertNonNegative('initCoef', initCoef);
    assertPositive('target', target);
    assertPositive('horizon', horizon);
    this.coef = initCoef;
    this.target = target;
    this.horizon = horizon;
  }

  get value(): number {
    return this.coef;
  }

  update(observedKl: number, nSteps: number): void {
    assertUpdate(observedKl, nSteps);
    const error = Math.min(0.2, Math.max(-0.2, observedKl / this.target - 1));
    this.coef *= 1 + (error * nSteps) / this.horizon;
  }
}

/** Constant β; `update` validates its arguments and changes nothing. */
export class FixedKLController implements KLController {
  readonly value: number;

  constructor(coef: number) {
    assertNonNegative('coef', coef);
    this.value = coef;
  }

  update(observedKl: number, nSteps: number): void {
    assertUpdate(observedKl, nSteps);
  }
}
