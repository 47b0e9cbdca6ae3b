// The loop every long training action runs in (SFT, pretraining, PPO, RRHF,
// the reward model): it streams metrics each step, can be paused, resumed,
// single-stepped and stopped without losing weights, and turns failures into
// recoveries instead of lost work:
//   NaN/Inf   → roll back to the last good weights, pause, say which metric;
//   lost GPU  → re-initialise a backend, rebuild from the last good weights, go on;
//   GPU OOM   → halve the batch and retry.
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../src/core/errors';
import { NonFiniteError } from '../src/core/train/optimizer';
import { DeviceLostError, type DeviceGuard } from './device-guard';
import type { ModelSlot } from './model-slot';
import type { LoopControl, LoopState } from './loop-control';
import type { TestHooks } from './test-hooks';
import type { IterationSample } from './iteration-samples';

export type { LoopState };

export type NoticeKind = 'device-lost' | 'non-finite' | 'out-of-memory' | 'info';

export interface Notice {
  kind: NoticeKind;
  message: string;
  /** Training step of the model when it happened. */
  step: number;
}

export type LoopEvent =
  | {
      type: 'metrics';
      step: number;
      batchSize: number;
      ms: number;
      /** tf.memory().numTensors after the step: flat when nothing leaks. */
      tensors: number;
      metrics: Record<string, number>;
    }
  | { type: 'state'; state: LoopState; step: number }
  | ({ type: 'notice' } & Notice)
  | { type: 'snapshot'; step: number; checkpoint: Uint8Array }
  /** A few answers the policy wrote in the step just reported, for replaying training. */
  | { type: 'samples'; step: number; samples: IterationSample[] };

/** Settings shared by every loop. */
export interface LoopSettings {
  lr: number;
  /** Sequences (or prompts, or ranked groups) per step. */
  batchSize: number;
  /** Stop after this many steps; default: run until stopped. */
  maxSteps?: number;
  /** Keep the weights as the last good ones every this many steps. Default 10. */
  snapshotEvery?: number;
  seed?: number;
  /** Start paused (then `step` or `resume`). */
  startPaused?: boolean;
}

export interface LoopSummary {
  kind: string;
  steps: number;
  /** The model's training step at the end. */
  step: number;
  batchSize: number;
  stoppedBy: 'stop' | 'maxSteps';
  lastMetrics: Record<string, number> | null;
}

/** One kind of training (SFT, PPO, ...) seen from the loop. */
export interface LoopTask {
  readonly kind: string;
  batchSize: number;
  readonly lr: number;
  /** Things the caller should know before the first step (e.g. prompts cut to fit). */
  readonly warnings?: string[];
  /** One update; TRL-named metrics. */
  step(): Promise<Record<string, number>>;
  /** What the policy wrote in the last step (optimiser loops), once: null after it was taken. */
  takeSamples?(): IterationSample[] | null;
  /** Settings changed between steps (while paused or running); validated by the task. */
  update(changes: Record<string, unknown>): void;
  /** Frees the optimizer; its state lived on a lost device. */
  release(): void;
  /** A fresh optimizer for the rebuilt model(s). */
  rebuild(): void;
  dispose(): void;
}

export interface LoopEnv {
  /** The model whose weights this loop changes. */
  trained: ModelSlot;
  guard: DeviceGuard;
  hooks: TestHooks;
  /** Re-initialises a backend after a lost device and rebuilds every model; says what it did. */
  recover(detail: string): Promise<string>;
  onNotice(n: Notice): void;
}

export interface LoopOptions {
  maxSteps: number;
  snapshotEvery: number;
  startPaused: boolean;
  onEvent?: (e: LoopEvent) => void;
}

const OOM = /out of ?memory|OutOfMemory|failed to allocate|allocation failed|memory size exceeded/i;

export function isOutOfMemory(e: unknown): boolean {
  return e instanceof Error && OOM.test(`${e.name} ${e.message}`);
}

/** Turns a failed step into a recovery and the notice describing it, or null if it is not one. */
async function recoverFrom(
  e: unknown,
  task: LoopTask,
  env: LoopEnv,
  control: LoopControl,
): Promise<Notice | null> {
  const step = env.trained.step;
  if (e instanceof NonFiniteError) {
    const back = env.trained.rollback();
    control.pause();
    const message =
      `${e.metric} became non-finite at step ${step + 1}: nothing was applied. ` +
      `Rolled back to the weights of step ${back} and paused. ` +
      `Try a lower learning rate (now ${task.lr}) and resume.`;
    return { kind: 'non-finite', message, step: back };
  }
  if (e instanceof DeviceLostError || (await env.guard.confirmLost())) {
    task.release();
    const message = await env.recover(env.guard.lost ?? (e as Error).message);
    task.rebuild();
    return { kind: 'device-lost', message, step: env.trained.step };
  }
  if (isOutOfMemory(e)) {
    const from = task.batchSize;
    const backend = tf.getBackend();
    if (from <= 1) {
      control.pause();
      const message = `Out of memory on ${backend} even with a batch of 1; paused. Choose a smaller model.`;
      return { kind: 'out-of-memory', message, step };
    }
    task.batchSize = Math.max(1, Math.floor(from / 2));
    const message = `Out of memory on ${backend} with a batch of ${from}; continuing with a batch of ${task.batchSize}.`;
    return { kind: 'out-of-memory', message, step };
  }
  return null;
}

/** Runs `task` until stopped or `maxSteps`; rejects only on failures it cannot recover from. */
export async function runLoop(
  control: LoopControl,
  task: LoopTask,
  env: LoopEnv,
  opts: LoopOptions,
  checkpoint: () => Promise<Uint8Array>,
): Promise<LoopSummary> {
  // A proxied page callback returns a promise. The last one is awaited before
  // the loop returns: the summary travels on another port, and could
  // otherwise overtake the final events.
  let delivered: Promise<unknown> = Promise.resolve();
  const emit = (e: LoopEvent) => {
    const r: unknown = opts.onEvent?.(e);
    if (r instanceof Promise) delivered = r.catch(() => undefined);
  };
  const notify = (n: Notice) => {
    env.onNotice(n);
    emit({ type: 'notice', ...n });
  };
  const keepGood = async () => {
    await env.trained.snapshot();
    emit({ type: 'snapshot', step: env.trained.step, checkpoint: await checkpoint() });
  };
  control.onChange = (state) => emit({ type: 'state', state, step: env.trained.step });
  control.begin(opts.startPaused);
  let done = 0;
  let lastMetrics: Record<string, number> | null = null;
  try {
    for (const message of task.warnings ?? [])
      notify({ kind: 'info', message, step: env.trained.step });
    await env.trained.snapshot();
    while (done < opts.maxSteps && (await control.next())) {
      try {
        env.hooks.beforeStep(env.trained.model, task.batchSize);
        if (env.guard.lost) throw new DeviceLostError(env.guard.lost);
        const t0 = performance.now();
        const metrics = await env.guard.race(task.step());
        const ms = performance.now() - t0;
        env.trained.step++;
        done++;
        lastMetrics = metrics;
        const tensors = tf.memory().numTensors;
        emit({
          type: 'metrics',
          step: env.trained.step,
          batchSize: task.batchSize,
          ms,
          tensors,
          metrics,
        });
        const samples = task.takeSamples?.();
        if (samples?.length) emit({ type: 'samples', step: env.trained.step, samples });
        if (done % opts.snapshotEvery === 0) await keepGood();
      } catch (e) {
        const notice = await recoverFrom(e, task, env, control);
        if (!notice) throw e;
        notify(notice);
      }
    }
    if (done % opts.snapshotEvery !== 0) await keepGood();
  } finally {
    control.end();
    control.onChange = null;
    await delivered;
  }
  return {
    kind: task.kind,
    steps: done,
    step: env.trained.step,
    batchSize: task.batchSize,
    stoppedBy: done >= opts.maxSteps ? 'maxSteps' : 'stop',
    lastMetrics,
  };
}

export function resolveLoopOptions(s: LoopSettings, onEvent?: (e: LoopEvent) => void): LoopOptions {
  const int = (name: string, v: unknown, lo: number) => {
    if (typeof v !== 'number' || !(Number.isInteger(v) || v === Infinity) || v < lo) {
      throw new ArgumentError(`settings.${name}`, `is ${String(v)}; expected an integer ≥ ${lo}`);
    }
    return v;
  };
  int('batchSize', s.batchSize, 1);
  return {
    maxSteps: int('maxSteps', s.maxSteps ?? Infinity, 1),
    snapshotEvery: int('snapshotEvery', s.snapshotEvery ?? 10, 1),
    startPaused: Boolean(s.startPaused),
    onEvent,
  };
}
