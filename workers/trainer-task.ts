// Wraps a core trainer (SFT, PPO, RRHF) as a LoopTask: the live-editable
// settings (lr, batch size and each task's extras), release and rebuild after a
// lost device, plus the seeded picking and sampling length the tasks share.
import { ArgumentError, mulberry32, type Optimizer } from '../src/core';
import type { IterationSample } from './iteration-samples';
import type { PolicyContext, SampleSettings } from './policy-requests';
import type { LoopSettings, LoopTask } from './training-loop';

interface Trainer {
  optimizer: Optimizer;
  dispose(): void;
}

interface TaskSpec<T extends Trainer> {
  kind: string;
  warnings?: string[];
  settings: LoopSettings;
  /** Settings besides lr and batchSize that may change between steps, with their values. */
  extra?: Record<string, unknown>;
  create(lr: number, extra: Record<string, unknown>): T;
  /** One update; `show` hands over a few of the answers the policy wrote in it. */
  step(
    trainer: T,
    batchSize: number,
    show: (samples: IterationSample[]) => void,
  ): Promise<Record<string, number>>;
  apply?(trainer: T, key: string, value: unknown): void;
}

export function makeTask<T extends Trainer>(spec: TaskSpec<T>): LoopTask {
  // Shared with the spec's closures, so a changed setting reaches its step().
  const extra = spec.extra ?? {};
  let lr = spec.settings.lr;
  let trainer: T | null = spec.create(lr, extra);
  const allowed = ['lr', 'batchSize', ...Object.keys(extra)];
  let shown: IterationSample[] | null = null;
  const task: LoopTask = {
    kind: spec.kind,
    warnings: spec.warnings,
    batchSize: spec.settings.batchSize,
    get lr() {
      return lr;
    },
    async step() {
      if (!trainer) throw new Error(`${spec.kind}: the trainer was released`);
      shown = null;
      const {
        step: _s,
        iteration: _i,
        ...metrics
      } = await spec.step(trainer, task.batchSize, (samples) => (shown = samples));
      return metrics;
    },
    takeSamples() {
      const out = shown;
      shown = null;
      return out;
    },
    update(changes) {
      for (const key of Object.keys(changes)) {
        if (!allowed.includes(key)) {
          throw new ArgumentError(
            `settings.${key}`,
            `cannot be changed in a ${spec.kind} loop; expected one of ${allowed.join(', ')}`,
          );
        }
      }
      for (const [key, value] of Object.entries(changes)) {
        if (key === 'lr') {
          trainer?.optimizer.setLearningRate(value as number); // validates
          lr = value as number;
        } else if (key === 'batchSize') {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
            throw new ArgumentError(
              'settings.batchSize',
              `is ${String(value)}; expected an integer ≥ 1`,
            );
          }
          task.batchSize = value;
        } else {
          if (trainer) spec.apply?.(trainer, key, value);
          extra[key] = value;
        }
      }
    },
    release() {
      try {
        trainer?.dispose();
      } catch {
        // its moments lived on a lost device
      }
      trainer = null;
    },
    rebuild() {
      trainer = spec.create(lr, extra);
    },
    dispose() {
      trainer?.dispose();
      trainer = null;
    },
  };
  return task;
}

export function picker(seed: number) {
  const rng = mulberry32(seed);
  return {
    pick: <X>(xs: X[], n: number): X[] =>
      Array.from({ length: n }, () => xs[Math.floor(rng() * xs.length)]),
    seed: () => Math.floor(rng() * 2 ** 31),
  };
}

export function maxNewTokensFor(ctx: PolicyContext, s: SampleSettings): number {
  return s.maxNewTokens ?? Math.min(24, Math.floor(ctx.policy.model.config.blockSize / 2));
}
