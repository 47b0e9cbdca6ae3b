/**
 * The update every trainer shares: gradients of a loss, clipping by global
 * norm, a check that nothing is NaN or infinite, then an Adam step.
 *
 * Adam's epsilon is always given explicitly: the default follows the backend
 * (1e-4 on WebGL with 16-bit floats, 1e-7 elsewhere; PITFALLS.md, trap 4).
 * The global norm is summed pairwise, never with `tf.addN` over many tensors
 * (more than 7 inputs silently give 0 on WebGPU; trap 2).
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

export class Optimizer {
  readonly settings: Required<OptimizerSettings>;
  private adam: tf.AdamOptimizer;
  private readonly variables: tf.Variable[];

  constructor(variables: tf.Variable[], settings: OptimizerSettings) {
    if (variables.length === 0) throw new ArgumentError('variables', 'is empty');
    this.settings = validateOptimizerSettings(settings);
    this.variables = variables;
    const { lr, beta1, beta2, epsilon } = this.settings;
    this.adam = tf.train.adam(lr, beta1, beta2, epsilon);
  }

  /** Changes the learning rate, keeping Adam's moments. */
  setLearningRate(lr: number): void {
    assertInRange('lr', lr, 0, 1);
    this.settings.lr = lr;
    (this.adam as unknown as { learningRate: number }).learningRate = lr;
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
    const names = Object.keys(grads);
    const gradNorm = tf.tidy(() =>
      tf.sqrt(sumScalars(names.map((n) => tf.sum(tf.square(grads[n]))))),
    );
    const keys = [lossName, `${prefix}/grad_norm`, ...Object.keys(metrics)];
    const packed = tf.tidy(() => tf.stack([value, gradNorm, ...Object.values(metrics)]));
    const numbers = await packed.data();
    tf.dispose([packed, value, ...Object.values(metrics)]);
    const out: Record<string, number> = {};
    keys.forEach((k, i) => (out[k] = numbers[i]));
    for (const k of keys) {
      if (!Number.isFinite(out[k])) {
        tf.dispose([gradNorm, ...Object.values(grads)]);
        throw new NonFiniteError(k, out[k]);
      }
    }
    if (skipIf?.(out)) {
      tf.dispose([gradNorm, ...Object.values(grads)]);
      return { ...out, [`${prefix}/skipped`]: 1 };
    }
    const { maxGradNorm } = this.settings;
    const clipped = tf.tidy(() => {
      if (maxGradNorm <= 0 || out[`${prefix}/grad_norm`] <= maxGradNorm) return grads;
      const scale = tf.div(maxGradNorm, tf.add(gradNorm, 1e-6));
      return Object.fromEntries(
        names.map((n) => [n, tf.mul(grads[n], scale)]),
      ) as tf.NamedTensorMap;
    });
    this.adam.applyGradients(clipped as Parameters<tf.AdamOptimizer['applyGradients']>[0]);
    tf.dispose([gradNorm, ...Object.values(grads), ...Object.values(clipped)]);
    return out;
  }

  dispose(): void {
    this.adam.dispose();
  }
}
