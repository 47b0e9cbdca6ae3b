// The page's handle on the reward worker; keeps the reward model's latest
// checkpoint so that a worker that dies can be restarted with its model.
import { proxy, transfer } from 'comlink';
import type { ModelInfo, ModelRequest } from '../../workers/model-setup';
import type {
  Preference,
  RewardApi,
  RewardObjective,
  RewardTrainRequest,
  TextItem,
} from '../../workers/reward.worker';
import type { LoopEvent, LoopSummary } from '../../workers/training-loop';
import { ClientBase } from './client-base';

export type { RewardTrainRequest, TextItem };

export class RewardClient extends ClientBase<RewardApi> {
  snapshot: { checkpoint: Uint8Array; step: number } | null = null;

  constructor(onDeath: () => void) {
    const spawn = () =>
      new Worker(new URL('../../workers/reward.worker.ts', import.meta.url), { type: 'module' });
    super('reward', spawn, onDeath);
  }

  private get api() {
    return this.handle.remote;
  }

  connectPolicy(port: MessagePort): Promise<void> {
    return this.handle.call(() => this.api.connectPolicy(transfer(port, [port])));
  }

  async createModel(req: ModelRequest): Promise<ModelInfo> {
    const info = await this.handle.call(() => this.api.createModel(req));
    await this.refreshSnapshot(info.step);
    return info;
  }

  async loadCheckpoint(bytes: Uint8Array): Promise<ModelInfo> {
    const info = await this.handle.call(() => this.api.loadCheckpoint(bytes));
    await this.refreshSnapshot(info.step);
    return info;
  }

  async refreshSnapshot(step: number): Promise<void> {
    const checkpoint = await this.handle.call(() => this.api.checkpoint());
    this.snapshot = { checkpoint, step };
  }

  score(items: TextItem[]): Promise<number[]> {
    return this.handle.call(() => this.api.score(items));
  }

  crossValidate(groups: Preference[], settings: { steps: number; lr: number; cutOff?: boolean }) {
    return this.handle.call(() => this.api.crossValidate(groups, settings));
  }

  evaluate(groups: Preference[], objective?: RewardObjective) {
    return this.handle.call(() => this.api.evaluate(groups, objective));
  }

  async normalize(demonstrations: TextItem[]): Promise<number> {
    const shift = await this.handle.call(() => this.api.normalize(demonstrations));
    await this.refreshSnapshot(this.snapshot?.step ?? 0);
    return shift;
  }

  /** How often scores were asked for, by the page and by the policy worker (over its port). */
  scoreCalls(): Promise<{ page: number; policy: number }> {
    return this.handle.call(() => this.api.scoreCalls());
  }

  train(req: RewardTrainRequest, onEvent?: (e: LoopEvent) => void): Promise<LoopSummary> {
    const seen = (e: LoopEvent) => {
      if (e.type === 'snapshot') this.snapshot = { checkpoint: e.checkpoint, step: e.step };
      onEvent?.(e);
    };
    return this.handle.call(() => this.api.train(req, proxy(seen)));
  }

  async restore(): Promise<number | null> {
    if (!this.snapshot) return null;
    await this.handle.call(() => this.api.loadCheckpoint(this.snapshot!.checkpoint));
    return this.snapshot.step;
  }
}
