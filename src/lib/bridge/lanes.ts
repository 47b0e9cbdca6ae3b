// The workers of the page and what the page remembers about their models: the
// fixed SFT model, whether the reward model has been started from it, and two
// policy lanes. 'main' holds the policy the person ranks and trains; 'side' is
// a second policy/reward worker pair, started on demand, so PPO and RRHF can
// run side by side from the same SFT start. Plain calls go straight to a
// client's `api` (`lanes.policy.api.sample(...)`); only what needs this state
// lives here.
import type { BackendName } from '../../../workers/backend';
import type { BackendReport } from '../../../workers/backend-decision';
import type { ModelInfo } from '../../../workers/model-setup';
import type { TrainRequest } from '../../../workers/policy-requests';
import type { Preference } from '../../core/preferences';
import { backendLabel } from './backend-choice';
import { startLoop, type Run, type RunCallbacks, type TrainSettings } from './loop-run';
import type { OptimiserKind } from '../optimisers';
import { Workers, type PolicyClient, type RewardClient, type WorkerNotice } from './workers';

export type Lane = 'main' | 'side';
export type { OptimiseMode, OptimiserKind } from '../optimisers';
/** What the Optimise stage asks a policy worker to run, typed by the worker's own request. */
export type OptimiseRequest = Extract<TrainRequest, { kind: OptimiserKind }>;
export type RewardSettings = TrainSettings & {
  objective: 'pairwise' | 'direct';
  trains?: 'head' | 'all';
};

export interface BackendInfo {
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

export type BaseModel =
  | { kind: 'checkpoint'; bytes: Uint8Array }
  /** A randomly initialised tiny model over the characters of `text`: fast, for tests. */
  | { kind: 'tiny'; text: string; seed: number };

const TINY_CONFIG = { blockSize: 128, nLayer: 1, nHead: 2, nEmbd: 32 };
const NO_SFT = 'There is no SFT model yet: train SFT first (or skip it).';

export class ModelLanes {
  readonly info: BackendInfo;
  /** The fixed SFT model's weights (safetensors bytes), or null before `finishSft`. */
  sft: Uint8Array | null = null;
  private side: Promise<Workers> | null = null;
  private rewardReady = false;

  private constructor(
    private readonly main: Workers,
    private readonly startOptions: { testHooks: boolean; onNotice: (n: WorkerNotice) => void },
  ) {
    const r = main.report;
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
  }): Promise<ModelLanes> {
    return new ModelLanes(await Workers.start(opts), opts);
  }

  /** The main lane's policy worker. */
  get policy(): PolicyClient {
    return this.main.policy;
  }

  /** A lane's workers (the side lane's start on first use, with the SFT model). */
  lane(lane: Lane): Promise<Workers> {
    if (lane === 'main') return Promise.resolve(this.main);
    if (!this.side) {
      this.side = (async () => {
        const w = await Workers.start({
          backend: this.main.report.backend,
          testHooks: this.startOptions.testHooks,
          onNotice: this.startOptions.onNotice,
        });
        if (this.sft) await w.policy.api.loadCheckpoint(this.sft, this.sft);
        return w;
      })();
      this.side.catch(() => (this.side = null));
    }
    return this.side;
  }

  async loadBase(model: BaseModel): Promise<ModelInfo> {
    this.sft = null;
    this.rewardReady = false;
    const api = this.main.policy.api;
    if (model.kind === 'checkpoint') return api.loadCheckpoint(model.bytes);
    return api.createModel({
      text: model.text,
      size: 'micro',
      config: TINY_CONFIG,
      seed: model.seed,
    });
  }

  /** The policy as it is now becomes the SFT model: PPO/RRHF start here and the KL is measured to it. */
  async finishSft(): Promise<void> {
    await this.main.policy.api.freezeReference();
    this.sft = (await this.main.policy.refreshSnapshot()).policy;
    // A side lane started before this SFT holds stale weights: give it these.
    if (this.side) await (await this.side).policy.api.loadCheckpoint(this.sft, this.sft);
  }

  /** A saved session's SFT model becomes the main policy, its frozen reference and the SFT start. */
  async restoreSft(checkpoint: Uint8Array): Promise<void> {
    await this.main.policy.api.loadCheckpoint(checkpoint, checkpoint);
    this.sft = checkpoint;
    if (this.side) await (await this.side).policy.api.loadCheckpoint(checkpoint, checkpoint);
  }

  /** Puts saved policy weights (default: the SFT model's) into a lane, with the SFT model as its reference. */
  async loadPolicy(lane: Lane, checkpoint?: Uint8Array): Promise<void> {
    if (!this.sft) throw new Error(NO_SFT);
    const w = await this.lane(lane);
    await w.policy.api.loadCheckpoint(checkpoint ?? this.sft, this.sft);
  }

  /** The lane's policy weights now (safetensors bytes). */
  async policyCheckpoint(lane: Lane): Promise<Uint8Array> {
    return (await (await this.lane(lane)).policy.refreshSnapshot()).policy;
  }

  /**
   * Runs `fn` with other weights ('sft' or saved ones) in the main lane's
   * policy, the SFT model (or the policy's own reference) as reference; the
   * lane's own policy is put back after.
   */
  async withPolicy<T>(
    weights: 'sft' | Uint8Array,
    fn: (p: PolicyClient) => Promise<T>,
  ): Promise<T> {
    if (weights === 'sft' && !this.sft) throw new Error(NO_SFT);
    const p = this.main.policy;
    const own = await p.refreshSnapshot();
    await p.api.loadCheckpoint(weights === 'sft' ? this.sft! : weights, this.sft ?? own.reference);
    try {
      return await fn(p);
    } finally {
      await p.api.loadCheckpoint(own.policy, own.reference);
    }
  }

  /** The reward worker, its model started as a copy of the SFT model the first time (its scalar head becomes the reward). */
  async rewardModel(): Promise<RewardClient> {
    if (!this.rewardReady) {
      const start = this.sft ?? (await this.main.policy.refreshSnapshot()).policy;
      await this.main.reward.api.loadCheckpoint(start);
      this.rewardReady = true;
    }
    return this.main.reward;
  }

  /** The next reward training starts again from the SFT weights. */
  resetRewardModel(): void {
    this.rewardReady = false;
  }

  /** A saved reward model goes back into the reward worker. */
  async restoreRewardModel(checkpoint: Uint8Array): Promise<void> {
    await this.main.reward.api.loadCheckpoint(checkpoint);
    this.rewardReady = true;
  }

  /** The reward model's weights now. */
  async rewardCheckpoint(): Promise<Uint8Array> {
    return (await this.main.reward.refreshSnapshot()).checkpoint;
  }

  /** Trains the reward model (started from the SFT weights the first time, or after `resetRewardModel`). */
  trainRewardModel(groups: Preference[], s: RewardSettings, cb: RunCallbacks): Run {
    const r = this.main.reward;
    const settings = { ...s, snapshotEvery: 10 };
    return startLoop(
      () => r,
      async (onEvent, signal) => {
        await this.rewardModel();
        return r.abortable(signal).train({ groups, settings }, onEvent);
      },
      cb,
    );
  }

  /**
   * Trains a throwaway reward model from the SFT weights and measures its
   * pairwise accuracy on `heldout`; the reward model in use is put back after.
   */
  async trialRewardModel(
    groups: Preference[],
    heldout: Preference[],
    s: RewardSettings,
    cb: RunCallbacks,
  ): Promise<{ loss: number; accuracy: number; pairs: number }> {
    if (!this.sft) throw new Error(NO_SFT);
    const r = this.main.reward;
    const kept = this.rewardReady ? await this.rewardCheckpoint() : null;
    await r.api.loadCheckpoint(this.sft);
    try {
      const settings = { ...s, snapshotEvery: 10 };
      const run = startLoop(
        () => r,
        (onEvent, signal) => r.abortable(signal).train({ groups, settings }, onEvent),
        cb,
      );
      await run.done;
      // Accuracy counts pairs in the held-out order, whatever the training objective.
      return await r.api.evaluate(heldout, 'pairwise');
    } finally {
      if (kept) await r.api.loadCheckpoint(kept);
      else this.rewardReady = false;
    }
  }

  /**
   * An optimiser's loop in a lane, scored by (a copy of, in the side lane) the
   * reward model as it is now; DPO learns from the rankings and needs none.
   */
  optimise(request: OptimiseRequest, cb: RunCallbacks, lane: Lane): Run {
    let client: PolicyClient | null = null;
    const scored = request.kind !== 'dpo';
    return startLoop(
      () => client,
      async (onEvent, signal) => {
        if (scored) await this.rewardModel();
        const w = await this.lane(lane);
        if (lane === 'side' && scored) {
          await w.reward.api.loadCheckpoint(await this.rewardCheckpoint());
        }
        client = w.policy;
        const settings = { ...request.settings, snapshotEvery: 10 };
        return w.policy.abortable(signal).train({ ...request, settings }, onEvent);
      },
      cb,
    );
  }

  dispose(): void {
    this.main.dispose();
    void this.side?.then((w) => w.dispose());
  }
}
