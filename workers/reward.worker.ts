// The reward worker: the reward model (the LM trunk with a scalar head read at
// the last token; InstructGPT step 2). It trains on rankings or grades, scores
// texts for the page, and scores PPO/RRHF samples for the policy worker over
// the MessageChannel the page hands over (`connectPolicy`).
// The page imports `RewardApi` (a type) from here; see src/lib/worker-client.ts.
import { expose, transfer } from 'comlink';
import {
  ArgumentError,
  REWARD_READOUTS,
  RewardModelTrainer,
  type Preference,
  type RewardObjective,
  type RewardReadout,
  type Sequence,
  type TokenPreference,
} from '../src/core';
import {
  describeModel,
  freshModel,
  modelFromCheckpoint,
  responseIds,
  tokenizerFor,
  type ModelInfo,
  type ModelRequest,
} from './model-setup';
import { ModelSlot } from './model-slot';
import { installErrorTransfer } from './remote-error';
import { forgetTrainer, rewardTask, trainingGroups, type RewardLoopSettings } from './reward-task';
import type { LoopEvent, LoopSummary } from './training-loop';
import { WorkerRuntime } from './worker-runtime';

installErrorTransfer();

let rm: ModelSlot | null = null;
/**
 * Where the loaded reward model's head is read (src/core/train/reward-head.ts):
 * set by the loop that trains it and kept in its checkpoints, so that every
 * score reads the head where it learnt.
 */
let readout: RewardReadout = 'ending';
const runtime = new WorkerRuntime(() => (rm ? [rm] : []));
/** Who asked for scores: the policy worker's calls must not pass through the page. */
const scoreCalls = { page: 0, policy: 0 };

export type { Preference, RewardObjective };

export interface TextItem {
  prompt: string;
  response: string;
}
export interface RewardTrainRequest {
  groups: Preference[];
  settings: RewardLoopSettings;
}

function model(): ModelSlot {
  if (!rm)
    throw new ArgumentError(
      'model',
      'none is loaded yet: call createModel or loadCheckpoint first',
    );
  return rm;
}

function sequences(items: TextItem[]): Sequence[] {
  if (!Array.isArray(items) || items.length === 0) throw new ArgumentError('items', 'is empty');
  const tok = model().tokenizer;
  return items.map((it, i) => {
    if (typeof it?.prompt !== 'string' || typeof it.response !== 'string') {
      throw new ArgumentError('items', `item ${i} needs a prompt and a response (strings)`);
    }
    return { prompt: tok.encode(it.prompt), response: responseIds(tok, it.response) };
  });
}

/** The records with their prompt and completions as token ids (ranks, grades and `added` as they are). */
function tokenGroups(groups: Preference[]): TokenPreference[] {
  if (!Array.isArray(groups) || groups.length === 0) throw new ArgumentError('groups', 'is empty');
  const tok = model().tokenizer;
  return groups.map((g) => ({
    ...g,
    prompt: tok.encode(g.prompt),
    completions: g.completions.map((c) => responseIds(tok, c)),
  }));
}

/** A short-lived trainer for reading the model (its optimizer never steps, so holds nothing). */
async function withTrainer<T>(
  fn: (t: RewardModelTrainer) => Promise<T>,
  objective?: RewardObjective,
) {
  return runtime.guarded(async () => {
    const t = new RewardModelTrainer(model().model, { lr: 1e-3, objective, readout });
    try {
      return await fn(t);
    } finally {
      t.dispose();
    }
  });
}

async function score(items: TextItem[]): Promise<number[]> {
  await runtime.ensureDevice();
  const seqs = sequences(items);
  return withTrainer((t) => t.score(seqs));
}

async function install(slot: Promise<ModelSlot>): Promise<ModelInfo> {
  if (runtime.control.state !== 'idle') {
    throw new ArgumentError(
      'model',
      'cannot be replaced while a training loop runs; stop it first',
    );
  }
  forgetTrainer();
  rm?.dispose();
  rm = await slot;
  return describeModel(rm.model, rm.tokenizer, rm.step, runtime.requireInit());
}
/** A readout named by a checkpoint or a request: 'ending' where it names none (an SFT model, an older file). */
function readoutOf(r: unknown, where: string): RewardReadout {
  if (r === undefined) return 'ending';
  if (!(REWARD_READOUTS as readonly unknown[]).includes(r)) {
    throw new ArgumentError(
      where,
      `names the reward readout ${JSON.stringify(r)}; expected one of ${REWARD_READOUTS.join(', ')}`,
    );
  }
  return r as RewardReadout;
}

/** The reward model as a checkpoint, with the readout its head was trained for. */
const rewardCheckpoint = (slot: ModelSlot) => slot.checkpoint({ rewardReadout: readout });

/** What the policy worker may call through its port. */
const portApi = {
  score(items: TextItem[]): Promise<number[]> {
    scoreCalls.policy++;
    return score(items);
  },
};
export type RewardPortApi = typeof portApi;

const api = {
  ...runtime.commonApi(),
  /** One end of the page's MessageChannel; the policy worker holds the other. */
  connectPolicy(port: MessagePort): void {
    expose(portApi, port);
  },
  async createModel(req: ModelRequest): Promise<ModelInfo> {
    await runtime.ensureDevice();
    const tokenizer = tokenizerFor(req);
    const info = await install(
      ModelSlot.create(freshModel(req, tokenizer, runtime.report!.modelSize), tokenizer),
    );
    readout = 'ending';
    return info;
  },
  /** A reward-model checkpoint, or an SFT one to start from (its scalar head becomes the reward head). */
  async loadCheckpoint(bytes: Uint8Array): Promise<ModelInfo> {
    await runtime.ensureDevice();
    const c = await modelFromCheckpoint(bytes);
    const read = readoutOf(c.meta.extra?.rewardReadout, 'checkpoint');
    const info = await install(ModelSlot.create(c.model, c.tokenizer, c.meta.step));
    readout = read;
    return info;
  },
  async checkpoint(): Promise<Uint8Array> {
    await runtime.ensureDevice();
    const bytes = await rewardCheckpoint(model());
    return transfer(bytes, [bytes.buffer]);
  },
  score(items: TextItem[]): Promise<number[]> {
    scoreCalls.page++;
    return score(items);
  },
  async evaluate(groups: Preference[], objective?: RewardObjective) {
    await runtime.ensureDevice();
    const g = tokenGroups(groups);
    return withTrainer((t) => t.evaluate(g), objective);
  },
  /**
   * Leave-one-out pairwise accuracy of a reward head on the frozen trunk: each
   * ranking ordered by a head trained on the others (see RewardModelTrainer).
   */
  async crossValidate(
    groups: Preference[],
    settings: { steps: number; lr: number; cutOff?: boolean; readout?: RewardReadout },
  ) {
    await runtime.ensureDevice();
    const g = tokenGroups(trainingGroups(groups, settings?.cutOff, 'pairwise')).filter(
      (x) => x.ranks !== undefined,
    );
    return runtime.guarded(async () => {
      const t = new RewardModelTrainer(model().model, {
        lr: settings.lr,
        trains: 'head',
        readout: settings.readout === undefined ? readout : readoutOf(settings.readout, 'settings'),
      });
      try {
        return await t.crossValidate(g, settings);
      } finally {
        t.dispose();
      }
    });
  },
  /** Shifts the reward so the demonstrations score 0 on average (InstructGPT); returns the shift. */
  async normalize(demonstrations: TextItem[]): Promise<number> {
    await runtime.ensureDevice();
    const seqs = sequences(demonstrations);
    const shift = await withTrainer((t) => t.normalize(seqs));
    await model().snapshot();
    return shift;
  },
  async train(req: RewardTrainRequest, onEvent?: (e: LoopEvent) => void): Promise<LoopSummary> {
    await runtime.ensureDevice();
    if (!req?.settings) throw new ArgumentError('settings', 'are missing (lr, batchSize, ...)');
    const slot = model();
    const read = readoutOf(req.settings.readout, 'settings');
    const task = rewardTask(
      () => model().model,
      tokenGroups(trainingGroups(req.groups, req.settings.cutOff, req.settings.objective)),
      req.settings,
    );
    readout = read;
    return runtime.run(task, slot, req.settings, onEvent, () => rewardCheckpoint(slot));
  },
  scoreCalls: () => ({ ...scoreCalls }),
};

export type RewardApi = typeof api;
expose(api);
