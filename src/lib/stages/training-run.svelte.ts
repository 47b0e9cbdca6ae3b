// One trainable thing on the page (SFT, the reward model, PPO, RRHF) seen as
// a sequence of worker loops: play starts or continues one, pause/resume/step
// /stop drive it, and its metrics go to the shared MetricLog under the run's
// name with steps counted across loops, so a continued run extends its curve.
import { errorMessage } from '../../core/errors';
import type { Run, RunCallbacks } from '../bridge/loop-run';
import type { MetricLog } from '../measures/metrics';
import { keepLatest, type IterationRecord } from './replay';

export type RunStatus = 'idle' | 'starting' | 'running' | 'paused' | 'stopping' | 'done' | 'failed';

export class TrainingRun {
  status: RunStatus = $state('idle');
  /** Steps done in all loops since the last reset. */
  step = $state(0);
  /** Where the current loop stops by itself. */
  total = $state(0);
  problem: string | null = $state(null);
  notice: string | null = $state(null);
  /** Sees every checkpoint the worker keeps, with this run's step (the session keeps them). */
  onSnapshot: ((step: number, checkpoint: Uint8Array) => void) | null = null;
  /**
   * Checkpoints along the run, oldest first, for measuring it over training
   * (the reward–KL frontier): at most MAX_SNAPSHOTS, every other one dropped
   * when full, so they stay spread from the start to the latest.
   */
  snapshots: { step: number; checkpoint: Uint8Array }[] = $state.raw([]);
  /** What the policy wrote in each of the latest iterations (optimisers), oldest first. */
  iterations: IterationRecord[] = $state.raw([]);
  /** Sees each iteration's answers (the session keeps them). */
  onSamples: ((it: IterationRecord) => void) | null = null;
  private run: Run | null = null;

  constructor(
    readonly name: string,
    private readonly metrics: MetricLog,
  ) {}

  /** A loop is under way (maybe paused). */
  get active(): boolean {
    return ['starting', 'running', 'paused', 'stopping'].includes(this.status);
  }

  /** Settings may change: nothing runs, or the loop is paused. */
  get editable(): boolean {
    return !this.active || this.status === 'paused';
  }

  /** Every planned step has run (the loop ended by itself, not stopped early). */
  get finished(): boolean {
    return this.status === 'done' && this.total > 0 && this.step >= this.total;
  }

  get progress(): number {
    return this.total > 0 ? Math.min(1, this.step / this.total) : 0;
  }

  /**
   * Starts a loop of `steps` steps. `begin` starts the worker's loop; `paused` starts
   * it paused (for a single step); `onStep` runs after each step's metrics.
   * Resolves when the loop ends (false if it failed).
   */
  async start(
    steps: number,
    begin: (cb: RunCallbacks, startPaused: boolean) => Run,
    opts: { paused?: boolean; onStep?: (step: number) => void } = {},
  ): Promise<boolean> {
    const paused = opts.paused ?? false;
    if (this.active) return false;
    const before = this.step;
    this.status = 'starting';
    this.total = before + steps;
    this.problem = null;
    this.notice = null;
    const cb: RunCallbacks = {
      onMetrics: (n, m) => {
        this.step = before + n;
        this.metrics.push(this.name, before + n, m);
        opts.onStep?.(before + n);
      },
      onState: (s) => {
        if (s === 'running' || s === 'paused' || s === 'stopping') this.status = s;
      },
      onNotice: (text) => (this.notice = text),
      onSnapshot: (n, checkpoint) => {
        this.snapshots = keepSpread(this.snapshots, { step: before + n, checkpoint });
        this.onSnapshot?.(before + n, checkpoint);
      },
      onSamples: (n, samples) => {
        const it = { step: before + n, samples };
        this.iterations = keepLatest(this.iterations, it);
        this.onSamples?.(it);
      },
    };
    try {
      // The status follows the worker's own state events: a step sent before
      // its loop has begun would be lost.
      this.run = begin(cb, paused);
      await this.run.done;
      this.status = 'done';
      return true;
    } catch (e) {
      this.status = 'failed';
      this.problem = errorMessage(e);
      return false;
    } finally {
      this.run = null;
    }
  }

  private async control(fn: (r: Run) => Promise<unknown>): Promise<void> {
    if (!this.run) return;
    try {
      await fn(this.run);
    } catch (e) {
      this.problem = errorMessage(e);
    }
  }

  pause = () => this.control((r) => r.pause());
  resume = () => this.control((r) => r.resume());
  stepOnce = () => this.control((r) => r.step());
  stop = () => this.control(async (r) => r.stop());

  /** Sends changed settings to a paused (or running) loop; returns a problem or null. */
  async update(changes: Record<string, unknown>): Promise<string | null> {
    if (!this.run) return null;
    try {
      await this.run.update(changes);
      return null;
    } catch (e) {
      return errorMessage(e);
    }
  }

  /** Forgets the curve and the step count (the caller resets the model). */
  reset(): void {
    if (this.active) return;
    this.status = 'idle';
    this.step = 0;
    this.total = 0;
    this.problem = null;
    this.notice = null;
    this.snapshots = [];
    this.iterations = [];
    this.metrics.clear(this.name);
  }
}

/** Checkpoints a run keeps along the way (nano's are 3.3 MB each). */
export const MAX_SNAPSHOTS = 8;

/**
 * `kept` with `next` added (replacing one of the same step); when that makes
 * more than `max`, every other one of the older ones is dropped (the first
 * stays), so the kept steps thin out evenly instead of losing the start.
 */
export function keepSpread<T extends { step: number }>(
  kept: readonly T[],
  next: T,
  max = MAX_SNAPSHOTS,
): T[] {
  const out = [...kept.filter((k) => k.step !== next.step), next].sort((a, b) => a.step - b.step);
  if (out.length <= max) return out;
  const last = out[out.length - 1];
  const thinned = out.slice(0, -1).filter((_, i) => i % 2 === 0);
  return [...thinned, last];
}

/**
 * One step from a standing start: starts the loop paused (`startPaused`),
 * waits until the worker says it is, then steps once. While a loop is active,
 * just steps.
 */
export async function startSingleStep(
  run: TrainingRun,
  startPaused: () => Promise<void>,
): Promise<void> {
  if (run.active) return run.stepOnce();
  let settled = false;
  const started = startPaused().finally(() => (settled = true));
  while (!settled && run.status !== 'paused') await new Promise((r) => setTimeout(r, 20));
  if (run.status === 'paused') await run.stepOnce();
  await started;
}
