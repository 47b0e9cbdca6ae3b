// Starts the policy and reward workers, lets the policy worker choose the
// backend (the reward worker then uses the same one), and links the two with a
// MessageChannel so that PPO's scoring goes worker to worker. A worker that
// dies is restarted on the same backend and restored from its last snapshot;
// every such event becomes a notice the page shows.
import type { BackendName } from '../../../workers/backend';
import type { BackendReport } from '../../../workers/backend-decision';
import type { Checkpoints, PolicyApi } from '../../../workers/policy.worker';
import type { RewardApi } from '../../../workers/reward.worker';
import type { Notice, NoticeKind } from '../../../workers/training-loop';
import { WorkerClient, type WeightKeeper } from './worker-client';

/** The reward model's latest weights and their step. */
export interface RewardWeights {
  checkpoint: Uint8Array;
  step: number;
}

export type PolicyClient = WorkerClient<PolicyApi, Checkpoints>;
export type RewardClient = WorkerClient<RewardApi, RewardWeights>;

/** The policy and its frozen reference, read back after every call that replaces them. */
const policyKeeper: WeightKeeper<PolicyApi, Checkpoints> = {
  after: ['createModel', 'loadCheckpoint', 'freezeReference'],
  read: (api) => api.checkpoint(),
  fromLoop: (kept, step, policy) => (kept ? { ...kept, policy, step } : kept),
  async restore(api, { policy, reference, step }) {
    await api.loadCheckpoint(policy, reference);
    return step;
  },
};

/** The reward model; its step is the one its last load or loop reported. */
const rewardKeeper: WeightKeeper<RewardApi, RewardWeights> = {
  after: ['createModel', 'loadCheckpoint', 'normalize'],
  async read(api, kept, result) {
    const loaded = (result as { step?: unknown } | undefined)?.step;
    const step = typeof loaded === 'number' ? loaded : (kept?.step ?? 0);
    return { checkpoint: await api.checkpoint(), step };
  },
  fromLoop: (_, step, checkpoint) => ({ checkpoint, step }),
  async restore(api, { checkpoint, step }) {
    await api.loadCheckpoint(checkpoint);
    return step;
  },
};

function policyClient(onDeath: () => void): PolicyClient {
  const spawn = () =>
    new Worker(new URL('../../../workers/policy.worker.ts', import.meta.url), { type: 'module' });
  return new WorkerClient('policy', { spawn, onDeath, keeper: policyKeeper });
}

function rewardClient(onDeath: () => void): RewardClient {
  const spawn = () =>
    new Worker(new URL('../../../workers/reward.worker.ts', import.meta.url), { type: 'module' });
  return new WorkerClient('reward', { spawn, onDeath, keeper: rewardKeeper });
}

export interface WorkerNotice {
  source: 'policy' | 'reward' | 'page';
  kind: NoticeKind | 'worker-restarted' | 'backend';
  message: string;
  step: number | null;
  at: number;
}

export interface StartOptions {
  /** A backend asked for by the URL; null chooses by measurement. */
  backend?: BackendName | null;
  /** Passed on to the workers: allows the failure-injection hooks. */
  testHooks?: boolean;
  onNotice?: (n: WorkerNotice) => void;
}

/** Failure-injection hooks exist only for a page opened with `?testHooks=1` (the browser tests). */
export function testHooksRequested(search: string): boolean {
  return new URLSearchParams(search).get('testHooks') === '1';
}

export class Workers {
  readonly policy: PolicyClient;
  readonly reward: RewardClient;
  report!: BackendReport;
  readonly notices: WorkerNotice[] = [];
  /** Completed restarts, per worker. */
  readonly restarts = { policy: 0, reward: 0 };

  private constructor(private readonly opts: StartOptions) {
    this.policy = policyClient(() => void this.restart('policy'));
    this.reward = rewardClient(() => void this.restart('reward'));
  }

  static async start(opts: StartOptions = {}): Promise<Workers> {
    const w = new Workers(opts);
    const backend = opts.backend ?? null;
    const requestedBy = backend ? `?backend=${backend}` : undefined;
    w.report = await w.policy.start({ backend, requestedBy, testHooks: opts.testHooks }, (n) =>
      w.notice('policy', n),
    );
    if (w.report.override && !w.report.override.honoured) {
      w.notice('page', { kind: 'backend', message: w.report.override.message, step: null });
    }
    await w.startReward();
    await w.connect();
    return w;
  }

  private startReward() {
    return this.reward.start(
      {
        backend: this.report.backend,
        requestedBy: "the policy worker's choice",
        testHooks: this.opts.testHooks,
      },
      (n) => this.notice('reward', n),
    );
  }

  notice(
    source: WorkerNotice['source'],
    n: Omit<Notice, 'kind' | 'step'> & { kind: WorkerNotice['kind']; step: number | null },
  ): void {
    const full: WorkerNotice = {
      source,
      kind: n.kind,
      message: n.message,
      step: n.step,
      at: Date.now(),
    };
    this.notices.push(full);
    this.opts.onNotice?.(full);
  }

  /** A fresh channel between the workers (after a restart the old one is dead). */
  private async connect(): Promise<void> {
    const { port1, port2 } = new MessageChannel();
    await Promise.all([this.policy.api.connectReward(port1), this.reward.api.connectPolicy(port2)]);
  }

  private async restart(which: 'policy' | 'reward'): Promise<void> {
    const client = which === 'policy' ? this.policy : this.reward;
    try {
      if (which === 'policy') {
        await this.policy.start(
          {
            backend: this.report.backend,
            requestedBy: 'a restart',
            testHooks: this.opts.testHooks,
          },
          (n) => this.notice('policy', n),
        );
      } else {
        await this.startReward();
      }
      const step = await client.restore();
      await this.connect();
      this.restarts[which]++;
      const what =
        step === null ? 'no model had been loaded' : `restored its model from step ${step}`;
      this.notice(which, {
        kind: 'worker-restarted',
        message: `The ${which} worker stopped unexpectedly. Restarted it on ${this.report.backend}; ${what}.`,
        step,
      });
    } catch (e) {
      this.notice(which, {
        kind: 'worker-restarted',
        message: `The ${which} worker stopped and could not be restarted: ${(e as Error).message}`,
        step: null,
      });
    }
  }

  dispose(): void {
    this.policy.dispose();
    this.reward.dispose();
  }
}
