/**
 * Argument errors for the core library. Every public function validates its
 * inputs and throws an `ArgumentError` naming the argument and the reason, so a
 * caller (or a worker relaying the error to the page) can show a clear message
 * instead of a silent NaN.
 */
import type { Tensor } from '@tensorflow/tfjs';

export class ArgumentError extends Error {
  readonly argument: string;
  constructor(argument: string, reason: string) {
    super(`${argument}: ${reason}`);
    this.name = 'ArgumentError';
    this.argument = argument;
  }
}

/** Throws unless every entry of `values` is a finite number. */
export function assertFiniteArray(name: string, values: ArrayLike<number>): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw new ArgumentError(name, `entry ${i} is ${String(v)}; expected a finite number`);
    }
  }
}

/** Throws unless `values` is non-empty. */
export function assertNonEmpty(name: string, values: ArrayLike<unknown>): void {
  if (values.length === 0) throw new ArgumentError(name, 'is empty');
}

/** Throws unless the tensor has exactly `shape` (entries of -1 match any size). */
export function assertShape(name: string, t: Tensor, shape: readonly number[]): void {
  const ok = t.shape.length === shape.length && shape.every((s, i) => s === -1 || s === t.shape[i]);
  if (!ok) {
    const want = `[${shape.map((s) => (s === -1 ? '?' : s)).join(', ')}]`;
    throw new ArgumentError(name, `has shape [${t.shape.join(', ')}]; expected ${want}`);
  }
}

/** Throws unless two tensors have the same shape. */
export function assertSameShape(name: string, t: Tensor, refName: string, ref: Tensor): void {
  if (t.shape.length !== ref.shape.length || t.shape.some((s, i) => s !== ref.shape[i])) {
    throw new ArgumentError(
      name,
      `has shape [${t.shape.join(', ')}] but ${refName} has [${ref.shape.join(', ')}]`,
    );
  }
}

/**
 * Throws unless every tensor of `tensors` (keyed by argument name, checked in
 * order) has the shape of `ref`.
 */
export function assertShapesMatch(
  refName: string,
  ref: Tensor,
  tensors: Readonly<Record<string, Tensor>>,
): void {
  for (const [name, t] of Object.entries(tensors)) assertSameShape(name, t, refName, ref);
}

/** Throws unless `x` is a finite number. */
export function assertFinite(name: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x)) {
    throw new ArgumentError(name, `is ${String(x)}; expected a finite number`);
  }
}

/** Throws unless `x` is a finite number > 0. */
export function assertPositive(name: string, x: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0) {
    throw new ArgumentError(name, `is ${String(x)}; expected a finite number > 0`);
  }
}

/** Throws unless `x` is a finite number within [lo, hi]. */
export function assertInRange(name: string, x: number, lo: number, hi: number): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi) {
    throw new ArgumentError(name, `is ${String(x)}; expected a number in [${lo}, ${hi}]`);
  }
}

/** Throws unless `x` is one of `options`. */
export function assertOneOf(name: string, x: unknown, options: readonly string[]): void {
  if (!options.includes(x as string)) {
    throw new ArgumentError(name, `is ${String(x)}; expected one of ${options.join(', ')}`);
  }
}

/** What went wrong, in words: an error's message, or whatever was thrown. */
export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
