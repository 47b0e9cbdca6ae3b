// The page's handle on the policy worker. Besides forwarding calls, it keeps
// the latest checkpoints (saveCheckpoint bytes of the policy and the frozen
// reference) so that a worker that dies can be restarted with its model.
import { proxy, transfer } from 'comlink';
import type { ModelInfo, ModelRequest } from '../../workers/model-setup';
import type { MeasureRequest, Measures } from '../../workers/policy-measures';
import type { TrainRequest } from '../../workers/policy-tasks';
import type {
  Checkpoints,
  PolicyApi,
  SampleReport,
  SampleRequest,
  TokenEvent,
} from '../../workers/policy.worker';
import type { LoopEvent, LoopSummary } from '../../workers/training-loop';
import { ClientBase } from './client-base';

export type {
  Checkpoints,
  MeasureRequest,
  Measures,
  SampleReport,
  SampleRequest,
  TokenEvent,
  TrainRequest,
};

export class PolicyClient extends ClientBase<PolicyApi> {
  /** The latest checkpoints seen; what a restarted worker is restored from. */
  snapshot: Checkpoints | null = null;

  constructor(onDeath: () => void) {
    const spawn = () =>
      new Worker(new URL('../../workers/policy.worker.ts', import.meta.url), { type: 'module' });
    super('policy', spawn, onDeath);
  }

  private get api() {
    return this.handle.remote;
  }

  connectReward(port: MessagePort): Promise<void> {
    return this.handle.call(() => this.api.connectReward(transfer(port, [port])));
  }

  async createModel(req: ModelRequest): Promise<ModelInfo> {
    const info = await this.handle.call(() => this.api.createModel(req));
    await this.refreshSnapshot();
    return info;
  }

  async loadCheckpoint(bytes: Uint8Array, reference?: Uint8Array): Promise<ModelInfo> {
    const info = await this.handle.call(() => this.api.loadCheckpoint(bytes, reference));
    await this.refreshSnapshot();
    return info;
  }

  async freezeReference(): Promise<void> {
    await this.handle.call(() => this.api.freezeReference());
    await this.refreshSnapshot();
  }

  async refreshSnapshot(): Promise<Checkpoints> {
    this.snapshot = await this.handle.call(() => this.api.checkpoint());
    return this.snapshot;
  }

  info(): Promise<ModelInfo> {
    return this.handle.call(() => this.api.info());
  }

  /** K completions per prompt; `onToken` sees every token as it is sampled. */
  sample(req: SampleRequest, onToken?: (e: TokenEvent) => void): Promise<SampleReport> {
    return this.handle.call(() => this.api.sample(req, onToken ? proxy(onToken) : undefined));
  }

  /** KL to the reference and held-out perplexity of the policy as it is now. */
  measure(req: MeasureRequest): Promise<Measures> {
    return this.handle.call(() => this.api.measure(req));
  }

  /** Runs a loop until stopped or maxSteps; `onEvent` gets metrics every step. */
  train(req: TrainRequest, onEvent?: (e: LoopEvent) => void): Promise<LoopSummary> {
    const seen = (e: LoopEvent) => {
      if (e.type === 'snapshot' && this.snapshot) {
        this.snapshot = { ...this.snapshot, policy: e.checkpoint, step: e.step };
      }
      onEvent?.(e);
    };
    return this.handle.call(() => this.api.train(req, proxy(seen)));
  }

  /** After a restart: the model as it was at the last snapshot. */
  async restore(): Promise<number | null> {
    if (!this.snapshot) return null;
    const { policy, reference, step } = this.snapshot;
    await this.handle.call(() => this.api.loadCheckpoint(policy, reference));
    return step;
  }
}
