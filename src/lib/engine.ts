// What the playground needs from the workers, in its own words: load a base
// model, sample K completions with streaming, run the SFT / reward-model /
// PPO / RRHF loops with live metrics and pause/resume/step/stop, score texts.
// `Engine` is the interface the page's state is written against;
// `WorkerEngine` implements it on the worker clients (src/lib/workers.ts).
//
// Two policy lanes: 'main' holds the policy the person ranks and trains;
// 'side' is a second policy/reward worker pair, started on demand, so PPO and
// RRHF can run side by side from the same SFT start.
import type { BackendName } from '../../workers/backend';
import type { BackendReport } from '../../workers/backend-decision';
import type { ModelInfo } from '../../workers/model-setup';
import type { MeasureRequest, Measures } from '../../workers/policy-measures';
import type { LoopEvent, LoopState, LoopSummary } from '../../workers/training-loop';
import { backendLabel } from './backend-choice';
import type { Preference } from '../core/preferences';
import { Workers, type WorkerNotice } from './workers';

export type { LoopState, LoopSummary, MeasureRequest, Measures, ModelInfo, WorkerNotice };

export type Lane = 'main' | 'side';
export type OptimiserKind = 'ppo' | 'rrhf';

export interface EngineInfo {
  backend: string;
  /** "WASM · no GPU found", "WebGPU · NVIDIA ampere" (English; see `report`). */
  label: string;
  /** The selection's report, for a label in the page's language (backendLabel). */
  report?: BackendReport;
  /** Why this backend: measurements, a cached choice, or the URL. */
  reason: string;
  /** The model size the backend is fast enough for. */
  modelSize: 'nano' | 'micro';
}

export interface SamplingOptions {
  k: number;
  temperature: number;
  topK: number;
  topP: number;
  maxNewTokens: number;
  seed: number;
}

export interface RunCallbacks {
  /** `step` counts this run's steps from 1. */
  onMetrics(step: number, metrics: Record<string, number>): void;
  onState?(state: LoopState): void;
  onNotice?(message: string): void;
  /** The worker kept its weights (safetensors bytes) after `step` steps of this run. */
  onSnapshot?(step: number, checkpoint: Uint8Array): void;
}

/** A training loop in a worker: its controls and its end. */
export interface Run {
  readonly done: Promise<LoopSummary>;
  pause(): Promise<unknown>;
  resume(): Promise<unknown>;
  step(): Promise<unknown>;
  stop(): Promise<unknown>;
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

export type BaseModel =
  | { kind: 'checkpoint'; bytes: Uint8Array }
  /** A randomly initialised tiny model over the characters of `text`: fast, for tests. */
  | { kind: 'tiny'; text: string; seed: number };

export interface Engine {
  readonly info: EngineInfo;
  loadBase(model: BaseModel): Promise<ModelInfo>;
  /** K completions per prompt; `onText` sees every row's text so far as tokens stream in. */
  sample(
    prompts: string[],
    opts: SamplingOptions,
    onText?: (texts: string[][]) => void,
    lane?: Lane,
  ): Promise<string[][]>;
  trainSft(
    examples: { prompt: string; response: string }[],
    s: TrainSettings,
    cb: RunCallbacks,
  ): Run;
  /** The policy as it is now becomes the SFT model: PPO/RRHF start here and the KL is measured to it. */
  finishSft(): Promise<void>;
  /** Trains the reward model (started from the SFT weights the first time, or after `resetRewardModel`). */
  trainRewardModel(
    groups: Preference[],
    s: TrainSettings & { objective: 'pairwise' | 'direct'; trains?: 'head' | 'all' },
    cb: RunCallbacks,
  ): Run;
  resetRewardModel(): void;
  evaluateRewardModel(
    groups: Preference[],
    objective: 'pairwise' | 'direct',
  ): Promise<{ loss: number; accuracy: number; pairs: number }>;
  /** Leave-one-out pairwise accuracy of a reward head on the frozen trunk (every ranking held out once). */
  crossValidateRewardModel(
    groups: Preference[],
    settings: { steps: number; lr: number; cutOff?: boolean },
  ): Promise<{ accuracy: number; pairs: number }>;
  /** Shifts the reward so that demonstrations score 0 on average (InstructGPT). */
  normalizeRewardModel(demonstrations: { prompt: string; response: string }[]): Promise<number>;
  score(items: { prompt: string; response: string }[]): Promise<number[]>;
  /** Puts the SFT weights back into a lane's policy (the common start of PPO and RRHF). */
  resetPolicy(lane: Lane): Promise<void>;
  /** Puts saved policy weights into a lane, with the SFT model as its reference. */
  loadPolicy(lane: Lane, checkpoint: Uint8Array): Promise<void>;
  optimise(
    kind: OptimiserKind,
    prompts: string[],
    s: Record<string, unknown> & TrainSettings,
    cb: RunCallbacks,
    lane: Lane,
  ): Run;
  /** The lane's policy weights now (safetensors bytes). */
  policyCheckpoint(lane: Lane): Promise<Uint8Array>;
  /** Samples from the SFT model without disturbing the main lane's policy. */
  sampleSft(prompts: string[], opts: SamplingOptions): Promise<string[][]>;
  /** Samples from a saved policy without disturbing the lane's own. */
  sampleCheckpoint(
    checkpoint: Uint8Array,
    prompts: string[],
    opts: SamplingOptions,
  ): Promise<string[][]>;
  /** The fixed SFT model's weights (safetensors bytes), or null before `finishSft`. */
  sftCheckpoint(): Uint8Array | null;
  /** A saved session's SFT model becomes the main policy, its frozen reference and the SFT start. */
  restoreSft(checkpoint: Uint8Array): Promise<void>;
  /** A saved policy that SFT was still training goes back into the main lane (not fixed). */
  restorePolicy(checkpoint: Uint8Array): Promise<void>;
  /** The reward model's weights now. */
  rewardCheckpoint(): Promise<Uint8Array>;
  /**
   * KL to the SFT model and held-out perplexity of a policy ('sft' or saved
   * weights), measured in the main lane without disturbing its own policy.
   */
  measure(policy: 'sft' | Uint8Array, req: MeasureRequest): Promise<Measures>;
  /**
   * Trains a throwaway reward model from the SFT weights and measures its
   * pairwise accuracy on `heldout`; the reward model in use is put back after.
   */
  trialRewardModel(
    groups: Preference[],
    heldout: Preference[],
    s: TrainSettings & { objective: 'pairwise' | 'direct'; trains?: 'head' | 'all' },
    cb: RunCallbacks,
  ): Promise<{ loss: number; accuracy: number; pairs: number }>;
  /** A saved reward model goes back into the reward worker. */
  restoreRewardModel(checkpoint: Uint8Array): Promise<void>;
  dispose(): void;
}

/** The loop controls both worker clients have. */
type LoopControls = Pick<
  Workers['policy'],
  'pause' | 'resume' | 'step' | 'stop' | 'updateSettings'
>;

/** Groups rows (prompt × k) of streamed or final texts into per-prompt lists. */
export function byPrompt<T>(rows: readonly T[], k: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < rows.length; i += k) out.push(rows.slice(i, i + k));
  return out;
}

const TINY_CONFIG = { blockSize: 128, nLayer: 1, nHead: 2, nEmbd: 32 };

export class WorkerEngine implements Engine {
  info: EngineInfo;
  private side: Promise<Workers> | null = null;
  private sft: Uint8Array | null = null;
  private rewardReady = false;

  private constructor(
    private readonly main: Workers,
    private readonly startOptions: { testHooks: boolean; onNotice: (n: WorkerNotice) => void },
  ) {
    const r: BackendReport = main.report;
    this.info = {
      backend: r.backend,
      label: backendLabel(r),
      report: r,
      reason: r.reason,
      modelSize: r.modelSize,
    };
  }

  /** Starts the workers; the policy worker measures and picks the backend unless `backend` says. */
  static async start(opts: {
    backend: BackendName | null;
    testHooks: boolean;
    onNotice: (n: WorkerNotice) => void;
  }): Promise<WorkerEngine> {
    const main = await Workers.start(opts);
    return new WorkerEngine(main, opts);
  }

  private async workers(lane: Lane): Promise<Workers> {
    if (lane === 'main') return this.main;
    if (!this.side) {
      this.side = (async () => {
        const w = await Workers.start({
          backend: this.main.report.backend,
          testHooks: this.startOptions.testHooks,
          onNotice: this.startOptions.onNotice,
        });
        if (this.sft) await w.policy.loadCheckpoint(this.sft, this.sft);
        return w;
      })();
      this.side.catch(() => (this.side = null));
    }
    return this.side;
  }

  private async rewardBytes(): Promise<Uint8Array> {
    await this.main.reward.refreshSnapshot(this.main.reward.snapshot?.step ?? 0);
    return this.main.reward.snapshot!.checkpoint;
  }

  async loadBase(model: BaseModel): Promise<ModelInfo> {
    this.sft = null;
    this.rewardReady = false;
    if (model.kind === 'checkpoint') return this.main.policy.loadCheckpoint(model.bytes);
    return this.main.policy.createModel({
      text: model.text,
      size: 'micro',
      config: TINY_CONFIG,
      seed: model.seed,
    });
  }

  async sample(
    prompts: string[],
    o: SamplingOptions,
    onText?: (texts: string[][]) => void,
    lane: Lane = 'main',
  ): Promise<string[][]> {
    const w = await this.workers(lane);
    const rows = new Array<string>(prompts.length * o.k).fill('');
    const report = await w.policy.sample(
      {
        prompts,
        k: o.k,
        maxNewTokens: o.maxNewTokens,
        temperature: o.temperature,
        topK: o.topK,
        topP: o.topP,
        seed: o.seed,
      },
      onText
        ? (e) => {
            e.text.forEach((t, i) => (rows[i] += t));
            onText(byPrompt(rows, o.k));
          }
        : undefined,
    );
    return report.completions.map((c) => c.texts);
  }

  /**
   * A Run over a worker loop. `client` may be null until the loop's workers
   * exist (the side lane starts on demand); controls sent before are dropped.
   */
  private run(
    client: () => LoopControls | null,
    start: (onEvent: (e: LoopEvent) => void) => Promise<LoopSummary>,
    cb: RunCallbacks,
  ): Run {
    let n = 0;
    const onEvent = (e: LoopEvent) => {
      if (e.type === 'metrics') cb.onMetrics(++n, e.metrics);
      else if (e.type === 'state') cb.onState?.(e.state);
      else if (e.type === 'notice') cb.onNotice?.(e.message);
      else if (e.type === 'snapshot') cb.onSnapshot?.(n, e.checkpoint);
    };
    const call = (fn: (c: LoopControls) => Promise<unknown>) => () => {
      const c = client();
      return c ? fn(c) : Promise.resolve(undefined);
    };
    return {
      done: start(onEvent),
      pause: call((c) => c.pause()),
      resume: call((c) => c.resume()),
      step: call((c) => c.step()),
      stop: call((c) => c.stop()),
      update: async (changes) => {
        await client()?.updateSettings(changes);
      },
    };
  }

  trainSft(
    examples: { prompt: string; response: string }[],
    s: TrainSettings,
    cb: RunCallbacks,
  ): Run {
    const p = this.main.policy;
    const settings = { ...s, snapshotEvery: 10 };
    return this.run(
      () => p,
      (onEvent) => p.train({ kind: 'sft', examples, settings }, onEvent),
      cb,
    );
  }

  async finishSft(): Promise<void> {
    await this.main.policy.freezeReference();
    this.sft = (await this.main.policy.refreshSnapshot()).policy;
    // A side lane started before this SFT holds stale weights: give it these.
    if (this.side) {
      const side = await this.side;
      await side.policy.loadCheckpoint(this.sft, this.sft);
    }
  }

  /** The reward model starts as a copy of the SFT model (its scalar head becomes the reward). */
  private async ensureReward(): Promise<void> {
    if (this.rewardReady) return;
    const start = this.sft ?? (await this.main.policy.refreshSnapshot()).policy;
    await this.main.reward.loadCheckpoint(start);
    this.rewardReady = true;
  }

  resetRewardModel(): void {
    this.rewardReady = false;
  }

  trainRewardModel(
    groups: Preference[],
    s: TrainSettings & { objective: 'pairwise' | 'direct'; trains?: 'head' | 'all' },
    cb: RunCallbacks,
  ): Run {
    const r = this.main.reward;
    return this.run(
      () => r,
      async (onEvent) => {
        await this.ensureReward();
        return r.train({ groups, settings: { ...s, snapshotEvery: 10 } }, onEvent);
      },
      cb,
    );
  }

  async crossValidateRewardModel(
    groups: Preference[],
    settings: { steps: number; lr: number; cutOff?: boolean },
  ) {
    await this.ensureReward();
    return this.main.reward.crossValidate(groups, settings);
  }

  async evaluateRewardModel(groups: Preference[], objective: 'pairwise' | 'direct') {
    await this.ensureReward();
    return this.main.reward.evaluate(groups, objective);
  }

  async normalizeRewardModel(demos: { prompt: string; response: string }[]): Promise<number> {
    await this.ensureReward();
    return this.main.reward.normalize(demos);
  }

  async score(items: { prompt: string; response: string }[]): Promise<number[]> {
    await this.ensureReward();
    return this.main.reward.score(items);
  }

  async resetPolicy(lane: Lane): Promise<void> {
    if (!this.sft) throw new Error('There is no SFT model yet: train SFT first (or skip it).');
    await this.loadPolicy(lane, this.sft);
  }

  async loadPolicy(lane: Lane, checkpoint: Uint8Array): Promise<void> {
    if (!this.sft) throw new Error('There is no SFT model yet: train SFT first (or skip it).');
    const w = await this.workers(lane);
    await w.policy.loadCheckpoint(checkpoint, this.sft);
  }

  optimise(
    kind: OptimiserKind,
    prompts: string[],
    s: Record<string, unknown> & TrainSettings,
    cb: RunCallbacks,
    lane: Lane,
  ): Run {
    let client: Workers['policy'] | null = null;
    return this.run(
      () => client,
      async (onEvent) => {
        await this.ensureReward();
        const w = await this.workers(lane);
        // The side lane scores with a copy of the reward model as it is now.
        if (lane === 'side') await w.reward.loadCheckpoint(await this.rewardBytes());
        client = w.policy;
        const settings = { ...s, snapshotEvery: 10 };
        return kind === 'ppo'
          ? w.policy.train({ kind: 'ppo', prompts, settings }, onEvent)
          : w.policy.train({ kind: 'rrhf', prompts, settings }, onEvent);
      },
      cb,
    );
  }

  async policyCheckpoint(lane: Lane): Promise<Uint8Array> {
    const w = await this.workers(lane);
    return (await w.policy.refreshSnapshot()).policy;
  }

  async sampleSft(prompts: string[], opts: SamplingOptions): Promise<string[][]> {
    if (!this.sft) throw new Error('There is no SFT model yet: train SFT first (or skip it).');
    return this.sampleCheckpoint(this.sft, prompts, opts);
  }

  async sampleCheckpoint(
    checkpoint: Uint8Array,
    prompts: string[],
    opts: SamplingOptions,
  ): Promise<string[][]> {
    const p = this.main.policy;
    const own = await p.refreshSnapshot();
    await p.loadCheckpoint(checkpoint, own.reference);
    try {
      return await this.sample(prompts, opts);
    } finally {
      await p.loadCheckpoint(own.policy, own.reference);
    }
  }

  sftCheckpoint(): Uint8Array | null {
    return this.sft;
  }

  async measure(policy: 'sft' | Uint8Array, req: MeasureRequest): Promise<Measures> {
    if (!this.sft) throw new Error('There is no SFT model yet: train SFT first (or skip it).');
    const p = this.main.policy;
    const own = await p.refreshSnapshot();
    await p.loadCheckpoint(policy === 'sft' ? this.sft : policy, this.sft);
    try {
      return await p.measure(req);
    } finally {
      await p.loadCheckpoint(own.policy, own.reference);
    }
  }

  async trialRewardModel(
    groups: Preference[],
    heldout: Preference[],
    s: TrainSettings & { objective: 'pairwise' | 'direct'; trains?: 'head' | 'all' },
    cb: RunCallbacks,
  ): Promise<{ loss: number; accuracy: number; pairs: number }> {
    if (!this.sft) throw new Error('There is no SFT model yet: train SFT first (or skip it).');
    const r = this.main.reward;
    const kept = this.rewardReady ? await this.rewardCheckpoint() : null;
    await r.loadCheckpoint(this.sft);
    try {
      const run = this.run(
        () => r,
        (onEvent) => r.train({ groups, settings: { ...s, snapshotEvery: 10 } }, onEvent),
        cb,
      );
      await run.done;
      // Accuracy counts pairs in the held-out order, whatever the training objective.
      return await r.evaluate(heldout, 'pairwise');
    } finally {
      if (kept) await r.loadCheckpoint(kept);
      else this.rewardReady = false;
    }
  }

  async restoreSft(checkpoint: Uint8Array): Promise<void> {
    await this.main.policy.loadCheckpoint(checkpoint, checkpoint);
    this.sft = checkpoint;
    if (this.side) await (await this.side).policy.loadCheckpoint(checkpoint, checkpoint);
  }

  async restorePolicy(checkpoint: Uint8Array): Promise<void> {
    await this.main.policy.loadCheckpoint(checkpoint);
  }

  rewardCheckpoint(): Promise<Uint8Array> {
    return this.rewardBytes();
  }

  async restoreRewardModel(checkpoint: Uint8Array): Promise<void> {
    await this.main.reward.loadCheckpoint(checkpoint);
    this.rewardReady = true;
  }

  dispose(): void {
    this.main.dispose();
    void this.side?.then((w) => w.dispose());
  }
}
