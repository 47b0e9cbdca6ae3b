// A training loop in a worker seen from the page: its events turned into
// callbacks with this run's step count, its controls, and its end. Stopping is
// an abort: the client tells the worker to end the loop after the current
// step, and the weights stay (the worker is not terminated).
import type { LoopEvent, LoopState, LoopSummary } from '../../../workers/training-loop';
import type { IterationSample } from '../../../workers/iteration-samples';
import type { Remote } from 'comlink';
import type { CommonApi } from './worker-client';

export type { LoopState, LoopSummary, IterationSample };

export interface RunCallbacks {
  /** `step` counts this run's steps from 1. */
  onMetrics(step: number, metrics: Record<string, number>): void;
  onState?(state: LoopState): void;
  onNotice?(message: string): void;
  /** The worker kept its weights (safetensors bytes) after `step` steps of this run. */
  onSnapshot?(step: number, checkpoint: Uint8Array): void;
  /** A few answers the policy wrote in step `step` of this run (optimiser loops). */
  onSamples?(step: number, samples: IterationSample[]): void;
}

/** A training loop in a worker: its controls and its end. */
export interface Run {
  readonly done: Promise<LoopSummary>;
  pause(): Promise<unknown>;
  resume(): Promise<unknown>;
  step(): Promise<unknown>;
  /** Ends the loop after its current step; `done` then resolves. */
  stop(): void;
  /** Changes settings between steps (lr, batchSize, klCoef, ...). */
  update(changes: Record<string, unknown>): Promise<void>;
}

export interface TrainSettings {
  lr: number;
  batchSize: number;
  maxSteps: number;
  seed: number;
  /** Begin paused (then step or resume). */
  startPaused?: boolean;
}

/** What a loop's controls need of a worker client. */
type Client = { readonly api: Remote<CommonApi> };

/**
 * Starts a loop. `client` may answer null until the loop's worker exists (the
 * side lane starts on demand); pause/resume/step sent before are dropped.
 * `start` gets the event sink and the signal to hand to `abortable`.
 */
export function startLoop(
  client: () => Client | null,
  start: (onEvent: (e: LoopEvent) => void, signal: AbortSignal) => Promise<LoopSummary>,
  cb: RunCallbacks,
): Run {
  let n = 0;
  const onEvent = (e: LoopEvent) => {
    if (e.type === 'metrics') cb.onMetrics(++n, e.metrics);
    else if (e.type === 'state') cb.onState?.(e.state);
    else if (e.type === 'notice') cb.onNotice?.(e.message);
    else if (e.type === 'snapshot') cb.onSnapshot?.(n, e.checkpoint);
    else if (e.type === 'samples') cb.onSamples?.(n, e.samples);
  };
  const controller = new AbortController();
  const call = (fn: (c: Client) => Promise<unknown>) => () => {
    const c = client();
    return c ? fn(c) : Promise.resolve(undefined);
  };
  return {
    done: start(onEvent, controller.signal),
    pause: call((c) => c.api.pause()),
    resume: call((c) => c.api.resume()),
    step: call((c) => c.api.step()),
    stop: () => controller.abort(),
    update: async (changes) => {
      await client()?.api.updateSettings(changes);
    },
  };
}
