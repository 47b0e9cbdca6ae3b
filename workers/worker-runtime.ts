// What the policy and reward workers share: backend selection at init, the
// training loop's controls, recovery from a lost GPU device, a lifeline for
// the page, memory reporting and the test hooks. Each worker adds its models
// and its own calls on top (policy.worker.ts, reward.worker.ts).
import * as tf from '@tensorflow/tfjs';
import { releaseProxy } from 'comlink';
import { ArgumentError, errorMessage } from '../src/core/errors';
import { initBackend, releaseBackend, type BackendName } from './backend';
import { parseBackendName, recoveryOrder, type BackendReport } from './backend-decision';
import { DeviceGuard, DeviceLostError } from './device-guard';
import type { ModelSlot } from './model-slot';
import { selectBackend } from './select-backend';
import { TestHooks } from './test-hooks';
import { LoopControl } from './loop-control';
import {
  resolveLoopOptions,
  runLoop,
  type LoopEvent,
  type LoopSettings,
  type LoopState,
  type LoopSummary,
  type LoopTask,
  type Notice,
} from './training-loop';

export interface InitOptions {
  /** 'auto' (or null) measures; a name asks for that backend. */
  backend?: string | null;
  /** Who asked for the backend, for the report. */
  requestedBy?: string;
  /** Turns on the failure-injection hooks (the page had ?testHooks=1). */
  testHooks?: boolean;
  /** false: measure even if this device has a cached choice. */
  useCache?: boolean;
}

export interface MemoryReport {
  backend: string;
  numTensors: number;
  numBytes: number;
}

/** After this many lost devices the worker moves on to the next backend. */
const MAX_LOSSES_PER_BACKEND = 3;

export class WorkerRuntime {
  readonly guard = new DeviceGuard();
  readonly control = new LoopControl();
  readonly hooks = new TestHooks();
  report: BackendReport | null = null;
  private task: LoopTask | null = null;
  private noticeSink: ((n: Notice) => void) | null = null;
  private losses = 0;
  /** Set while a stoppable call outside a loop (sampling) runs; `stop` flips it. */
  private interrupt: { stopped: boolean } | null = null;

  /** `slots` lists every model the worker holds now (rebuilt after a lost device). */
  constructor(private readonly slots: () => ModelSlot[]) {}

  async init(opts: InitOptions, onNotice?: (n: Notice) => void): Promise<BackendReport> {
    // The name first: a bad one is the caller's mistake whatever the state.
    const auto = opts?.backend == null || opts.backend === 'auto';
    const override = auto ? null : parseBackendName(opts.backend);
    if (this.report) {
      throw new ArgumentError(
        'init',
        `was already called; this worker runs on ${this.report.backend}`,
      );
    }
    const { report } = await selectBackend({
      override,
      requestedBy: opts.requestedBy,
      useCache: opts.useCache,
    });
    this.guard.watch();
    this.hooks.enabled = Boolean(opts.testHooks);
    this.noticeSink = onNotice ?? null;
    this.report = report;
    return report;
  }

  requireInit(): BackendName {
    if (!this.report) throw new ArgumentError('init', 'has not been called yet');
    return tf.getBackend() as BackendName;
  }

  notify(n: Notice): void {
    const r: unknown = this.noticeSink?.(n);
    if (r instanceof Promise) r.catch(() => undefined);
  }

  /**
   * After a lost device: frees the models (their variables died with it),
   * starts the same backend again or else the next one, and rebuilds every
   * model from its last good weights. Returns what happened, for a notice.
   */
  async recover(detail: string): Promise<string> {
    const from = tf.getBackend() as BackendName;
    for (const s of this.slots()) s.drop();
    releaseBackend(from);
    const failures: string[] = [];
    let now: BackendName | null = null;
    // A device that keeps getting lost is not worth trying again and again.
    this.losses++;
    const order = recoveryOrder(from).slice(this.losses > MAX_LOSSES_PER_BACKEND ? 1 : 0);
    if (order[0] !== from) failures.push(`${from} lost its device ${this.losses} times`);
    for (const b of order) {
      try {
        await initBackend(b);
        now = b;
        break;
      } catch (e) {
        failures.push(errorMessage(e));
      }
    }
    if (!now)
      throw new Error(
        `the GPU device was lost (${detail}) and no backend restarts: ${failures.join('; ')}`,
      );
    if (now !== from) this.losses = 0;
    this.guard.watch();
    for (const s of this.slots()) s.rebuild();
    const trained = this.slots()[0];
    const where =
      now === from
        ? `re-initialised ${now}`
        : `${from} did not restart (${failures.join('; ')}); moved to ${now}`;
    return (
      `The GPU device was lost (${detail}): ${where}, restored the weights of step ` +
      `${trained?.step ?? 0} and carried on (the optimizer's moments started afresh).`
    );
  }

  /**
   * A call outside a loop (sampling, scoring): raced against a lost device.
   * If the device goes, the worker recovers at once and the call fails with a
   * message that says so; calling again works.
   */
  async guarded<T>(work: () => Promise<T>): Promise<T> {
    await this.ensureDevice();
    try {
      return await this.guard.race(work());
    } catch (e) {
      const lost = await this.guard.confirmLost();
      if (!lost) throw e;
      const message = await this.recover(lost);
      this.notify({ kind: 'device-lost', message, step: this.slots()[0]?.step ?? 0 });
      throw new DeviceLostError(`${lost}; recovered, try again`);
    }
  }

  /** Before a call outside a loop: recovers first if the device was lost meanwhile. */
  async ensureDevice(): Promise<void> {
    this.requireInit();
    if (this.guard.lost) {
      const message = await this.recover(this.guard.lost);
      this.notify({ kind: 'device-lost', message, step: this.slots()[0]?.step ?? 0 });
    }
  }

  /**
   * A long call outside a loop (sampling) that `stop` ends at its next step
   * boundary: `work` polls `stopped()` between steps.
   */
  async stoppable<T>(work: (stopped: () => boolean) => Promise<T>): Promise<T> {
    const flag = { stopped: false };
    this.interrupt = flag;
    try {
      return await work(() => flag.stopped);
    } finally {
      if (this.interrupt === flag) this.interrupt = null;
    }
  }

  /** Stops the running loop, or else the running stoppable call; 'idle' when neither runs. */
  stop(): LoopState {
    if (this.control.state !== 'idle') return this.control.stop();
    if (!this.interrupt) return 'idle';
    this.interrupt.stopped = true;
    return 'stopping';
  }

  async run(
    task: LoopTask,
    trained: ModelSlot,
    settings: LoopSettings,
    onEvent: ((e: LoopEvent) => void) | undefined,
    checkpoint: () => Promise<Uint8Array>,
  ): Promise<LoopSummary> {
    const busy = this.task;
    try {
      if (busy) throw new ArgumentError('train', `a ${busy.kind} loop is running; stop it first`);
      const opts = resolveLoopOptions(settings, onEvent);
      this.task = task;
      const env = {
        trained,
        guard: this.guard,
        hooks: this.hooks,
        recover: (d: string) => this.recover(d),
        onNotice: (n: Notice) => this.notify(n),
      };
      return await runLoop(this.control, task, env, opts, checkpoint);
    } finally {
      if (!busy) this.task = null;
      task.dispose();
      // Frees the page side of a proxied callback (a no-op for a local function).
      (onEvent as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
    }
  }

  /** Calls every worker exposes next to its own; the page's client is typed from this. */
  commonApi() {
    return {
      init: (opts: InitOptions, onNotice?: (n: Notice) => void) => this.init(opts, onNotice),
      /**
       * Holds a Web Lock for the worker's lifetime; the page learns of its death
       * when it is freed. Rejects when the browser refuses the lock (a
       * third-party frame without storage access: SecurityError), so that the
       * page falls back to its heartbeat instead of waiting for ever.
       */
      holdLifeLock: async (name: string): Promise<void> => {
        if (!navigator.locks) throw new Error('Web Locks are not available here');
        await new Promise<void>((acquired, refused) => {
          navigator.locks
            .request(name, () => {
              acquired();
              return new Promise<never>(() => undefined);
            })
            .catch(refused);
        });
      },
      ping: (): string => 'pong',
      pause: (): LoopState => this.control.pause(),
      resume: (): LoopState => this.control.resume(),
      step: (): LoopState => this.control.stepOnce(),
      /** Ends the running loop after its current step (keeping the weights), or a sampling call. */
      stop: (): LoopState => this.stop(),
      state: (): LoopState => this.control.state,
      /** Changes the running loop's settings (lr, klCoef, batchSize, ...), e.g. while paused. */
      updateSettings: (changes: Record<string, unknown>): void => {
        if (!this.task) throw new ArgumentError('updateSettings', 'no training loop is running');
        this.task.update(changes);
      },
      memory: (): MemoryReport => {
        const m = tf.memory();
        return { backend: tf.getBackend(), numTensors: m.numTensors, numBytes: m.numBytes };
      },
      // Test hooks (flat: comlink's types cover top-level calls only).
      testDestroyDevice: (): void => {
        this.hooks.check('destroyDevice');
        this.guard.destroyForTest();
      },
      testPoisonNextStep: (): void => this.hooks.poisonNextStep(),
      testSimulateOomAbove: (limit: number | null): void => this.hooks.simulateOomAbove(limit),
    };
  }
}

/** The calls both workers expose (the page's client types its common controls from this). */
export type CommonApi = ReturnType<WorkerRuntime['commonApi']>;
