/**
 * The update every trainer shares: gradients of a loss, clipping by global
 * norm, a check that nothing is NaN or infinite, then an Adam step.
 *
 * Kernel economy (a nano step has ~50 variables): the global norm is taken
 * over all gradients concatenated (3 kernels instead of ~3 per variable), and
 * Adam is written out with its bias corrections and the clipping scale folded
 * into scalars (12 kernels per variable; tfjs's AdamOptimizer takes 14, plus
 * one per variable for clipping). One flat Adam over all parameters would be
 * fewer still, but cutting its update back into variables is slow on wasm
 * (its Slice copies the whole input out of the heap per piece: ~60 ms).
 *
 * Adam's epsilon is always given explicitly: tfjs's default follows the
 * backend (1e-4 on WebGL with 16-bit floats, 1e-7 elsewhere; PITFALLS.md,
 * trap 4). The global norm never uses `tf.addN` over many tensors (more than
 * 7 inputs silently give 0 on WebGPU; trap 2).
 */
import * as tf from '@tensorflow/tfjs';
import { ArgumentError, assertInRange } from '../errors';

export interface OptimizerSettings {
  lr: number;
  beta1?: number;
  beta2?: number;
  /** Adam epsilon; default 1e-8 (as PyTorch), on every backend. */
  epsilon?: number;
  /** Clip gradients to this global L2 norm; 0 turns clipping off. Default 1. */
  maxGradNorm?: number;
}

/** Thrown when a loss or gradient is NaN or infinite; the step was not applied. */
export class NonFiniteError extends Error {
  readonly metric: string;
  constructor(metric: string, value: number) {
    super(`${metric} is ${value}; the step was skipped. Try a lower learning rate.`);
    this.name = 'NonFiniteError';
    this.metric = metric;
  }
}

export function validateOptimizerSettings(s: OptimizerSettings): Required<OptimizerSettings> {
  assertInRange('lr', s.lr, 0, 1);
  const full = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, maxGradNorm: 1, ...s };
  assertInRange('beta1', full.beta1, 0, 0.999999);
  assertInRange('beta2', full.beta2, 0, 0.999999);
  assertInRange('epsilon', full.epsilon, 1e-12, 1);
  assertInRange('maxGradNorm', full.maxGradNorm, 0, 1e6);
  return full;
}

/** √(Σ g²) over all gradients, as one sum over their concatenation. */
function globalNorm(grads: tf.Tensor[]): tf.Scalar {
  return tf.sqrt(tf.sum(tf.square(tf.concat(grads.map((g) => g.reshape([-1])))))) as tf.Scalar;
}

/** Scalars a loss function reports besides the loss, by metric name. */
export type ScalarMetrics = Record<string, tf.Scalar>;

/** Pairwise sum of scalars: a tree of two-input adds. */
export function sumScalars(xs: tf.Scalar[]): tf.Scalar {
  if (xs.length === 0) return tf.scalar(0);
  let level = xs;
  while (level.length > 1) {
    const next: tf.Scalar[] = [];
    for (let i = 0; i < level.length; i += 2) {
      next.push(i + 1 < level.length ? tf.add(level[i], level[i + 1]) : level[i]);
    }
    level = next;
  }
  return level[0];
}

/**
 * Adam (Kingma & Ba 2015) as tfjs's AdamOptimizer and PyTorch's Adam: bias
 * corrected, epsilon added to √v̂. With α = lr·√(1−β2ᵗ)/(1−β1ᵗ) and
 * ε̂ = ε·√(1−β2ᵗ), the step lr·m̂/(√v̂ + ε) equals α·m/(√v + ε̂), which
 * needs no per-element bias correction.
 */
class Adam {
  private readonly moments = new Map<tf.Variable, { m: tf.Tensor; v: tf.Tensor }>();
  private t = 0;

  constructor(
    private readonly beta1: number,
    private readonly beta2: number,
    private readonly epsilon: number,
  ) {}

  /** One step; each gradient is multiplied by `scale` (the clipping) first. Call in tf.tidy. */
  apply(variables: tf.Variable[], grads: tf.NamedTensorMap, lr: number, scale: number): void {
    const { beta1, beta2, epsilon } = this;
    this.t++;
    const correction = Math.sqrt(1 - beta2 ** this.t);
    const alpha = (lr * correction) / (1 - beta1 ** this.t);
    const epsHat = epsilon * correction;
    // The constants as tensors once per step, not once per variable: a JS
    // number becomes a new scalar tensor in each op, and on webgpu each one
    // is an upload (a new buffer, ~0.2 ms of host time on the H200 of
    // BENCHMARKS.md: ~300 uploads per nano step).
    const c = (x: number) => tf.scalar(x);
    const [b1, b2, gScale, g2Scale, eps, a] = [
      c(beta1),
      c(beta2),
      c((1 - beta1) * scale),
      c((1 - beta2) * scale * scale),
      c(epsHat),
      c(alpha),
    ];
    for (const variable of variables) {
      const g = grads[variable.name];
      if (!g) continue; // as tfjs: a variable without a gradient is left alone
      const old = this.moments.get(variable);
      const m = tf.mul(g, gScale);
      const v = tf.mul(tf.square(g), g2Scale);
      const next = old
        ? { m: tf.add(tf.mul(old.m, b1), m), v: tf.add(tf.mul(old.v, b2), v) }
        : { m, v };
      if (old) tf.dispose([old.m, old.v]);
      this.moments.set(variable, { m: tf.keep(next.m), v: tf.keep(next.v) });
      const step = tf.div(next.m, tf.add(tf.sqrt(next.v), eps));
      variable.assign(tf.sub(variable, tf.mul(step, a)));
    }
  }

  dispose(): void {
    for (const { m, v } of this.moments.values()) tf.dispose([m, v]);
    this.moments.clear();
  }
}

export class Optimizer {
  readonly settings: Required<OptimizerSettings>;
  private adam: Adam;
  private readonly variables: tf.Variable[];

  constructor(variables: tf.Variable[], settings: OptimizerSettings) {
    if (variables.length === 0) throw new ArgumentError('variables', 'is empty');
    this.settings = validateOptimizerSettings(settings);
    this.variables = variables;
    const { beta1, beta2, epsilon } = this.settings;
    this.adam = new Adam(beta1, beta2, epsilon);
  }

  /** Changes the learning rate, keeping Adam's moments. */
  setLearningRate(lr: number): void {
    assertInRange('lr', lr, 0, 1);
    this.settings.lr = lr;
  }

  /**
   * Computes `lossFn`'s gradients, clips them, checks the loss, the gradient
   * norm and every reported metric for NaN/Inf (one read-back), and applies
   * the update. Returns the metrics as numbers, with `<prefix>/grad_norm`.
   * Throws NonFiniteError (nothing applied) when something is not finite.
   */
  async step(
    lossFn: () => { loss: tf.Scalar; metrics: ScalarMetrics },
    lossName: string,
    prefix: string,
    /** Looks at the metrics before the update; a truthy answer skips the update. */
    skipIf?: (metrics: Record<string, number>) => boolean,
  ): Promise<Record<string, number>> {
    let metrics: ScalarMetrics = {};
    const { value, grads } = tf.variableGrads(() => {
      const out = lossFn();
      metrics = Object.fromEntries(Object.entries(out.metrics).map(([k, v]) => [k, tf.keep(v)]));
      return out.loss;
    }, this.variables);
    const gradNorm = tf.tidy(() => globalNorm(Object.values(grads)));
    const keys = [lossName, `${prefix}/grad_norm`, ...Object.keys(metrics)];
    const packed = tf.tidy(() => tf.stack([value, gradNorm, ...Object.values(metrics)]));
    const numbers = await packed.data();
    tf.dispose([packed, value, gradNorm, ...Object.values(metrics)]);
    const out: Record<string, number> = {};
    keys.forEach((k, i) => (out[k] = numbers[i]));
    try {
      for (const k of keys) {
        if (!Number.isFinite(out[k])) throw new NonFiniteError(k, out[k]);
      }
      if (skipIf?.(out)) return { ...out, [`${prefix}/skipped`]: 1 };
      // The norm is known here, so clipping is a scalar folded into Adam.
      const { maxGradNorm, lr } = this.settings;
      const norm = out[`${prefix}/grad_norm`];
      const scale = maxGradNorm > 0 && norm > maxGradNorm ? maxGradNorm / (norm + 1e-6) : 1;
      tf.tidy(() => this.adam.apply(this.variables, grads, lr, scale));
      return out;
    } finally {
      tf.dispose(Object.values(grads));
    }
  }

  dispose(): void {
    this.adam.dispose();
  }
}
