// What both worker clients share: the handle that owns the worker, starting
// it with a backend, and the training loop's controls. Types only come from
// workers/ (the page never loads tfjs); the calls go through comlink.
import { proxy, type Remote } from 'comlink';
import type { BackendReport } from '../../workers/backend-decision';
import type { LoopState, Notice } from '../../workers/training-loop';
import type { InitOptions, MemoryReport } from '../../workers/worker-runtime';
import { WorkerHandle } from './worker-handle';

/** The calls every worker exposes (WorkerRuntime.commonApi plus init). */
export interface CommonApi {
  init(opts: InitOptions, onNotice?: (n: Notice) => void): Promise<BackendReport>;
  holdLifeLock(name: string): Promise<void>;
  ping(): string;
  pause(): LoopState;
  resume(): LoopState;
  step(): LoopState;
  stop(): LoopState;
  state(): LoopState;
  updateSettings(changes: Record<string, unknown>): void;
  memory(): MemoryReport;
  testDestroyDevice(): void;
  testPoisonNextStep(): void;
  testSimulateOomAbove(limit: number | null): void;
}

export class ClientBase<T extends CommonApi> {
  readonly handle: WorkerHandle<T>;
  report: BackendReport | null = null;

  constructor(name: string, spawn: () => Worker, onDeath: () => void) {
    this.handle = new WorkerHandle<T>(name, spawn, onDeath);
  }

  /** The calls of CommonApi on this worker (T has them; comlink's types need the narrowing). */
  private get common(): Remote<CommonApi> {
    return this.handle.remote as unknown as Remote<CommonApi>;
  }

  /** Starts (or restarts) the worker and its backend. */
  async start(opts: InitOptions, onNotice: (n: Notice) => void): Promise<BackendReport> {
    await this.handle.start();
    this.report = await this.handle.call(() => this.common.init(opts, proxy(onNotice)));
    return this.report;
  }

  pause = () => this.handle.call(() => this.common.pause());
  resume = () => this.handle.call(() => this.common.resume());
  step = () => this.handle.call(() => this.common.step());
  stop = () => this.handle.call(() => this.common.stop());
  state = () => this.handle.call(() => this.common.state());
  updateSettings = (changes: Record<string, unknown>) =>
    this.handle.call(() => this.common.updateSettings(changes));
  memory = () => this.handle.call(() => this.common.memory());

  /** Failure injection; the worker refuses unless the page was opened with ?testHooks=1. */
  readonly hooks = {
    destroyDevice: () => this.handle.call(() => this.common.testDestroyDevice()),
    poisonNextStep: () => this.handle.call(() => this.common.testPoisonNextStep()),
    simulateOomAbove: (limit: number | null) =>
      this.handle.call(() => this.common.testSimulateOomAbove(limit)),
    killWorker: () => this.handle.killForTest(),
  };

  dispose(): void {
    this.handle.dispose();
  }
}
