// The reward model's training loop as a LoopTask, and the one trainer it keeps
// between loops on the same model so that Adam's moments carry over; plus the
// records the trainer takes (ranked answers, with cut-off ones when asked).
import {
  ArgumentError,
  RewardModelTrainer,
  mulberry32,
  withCutOffAnswersIf,
  type GPT,
  type Preference,
  type RewardObjective,
  type RewardReadout,
  type TokenPreference,
} from '../src/core';
import type { LoopSettings, LoopTask } from './training-loop';

/** A reward loop's settings: the loop's own, and what the trainer learns and how. */
export type RewardLoopSettings = LoopSettings & {
  objective?: RewardObjective;
  /** Train the whole model, or only its reward head on the frozen trunk. Default 'all'. */
  trains?: 'all' | 'head';
  /** Add each ranking's best answer cut off, ranked last (src/core/cut-off.ts); pairwise only. */
  cutOff?: boolean;
  /** Where the reward head is read (src/core/train/reward-head.ts). Default 'ending'. */
  readout?: RewardReadout;
};

/**
 * Records as the trainer takes them: with cut-off answers added to the ranked
 * ones when asked. The direct-score objective regresses on grades, which the
 * cut-off answers do not have, so it trains on the records as they are.
 */
export function trainingGroups(
  groups: Preference[],
  cutOff: boolean | undefined,
  objective: RewardObjective | undefined,
): Preference[] {
  // Not an array: tokenGroups (reward.worker.ts) says so.
  return Array.isArray(groups)
    ? withCutOffAnswersIf(groups, cutOff && objective !== 'direct')
    : groups;
}

/**
 * The trainer of the last reward loop, kept for the next loop on the same
 * model: a run that continues (Continue, or live mode's many short updates)
 * keeps Adam's moments, as a resumed loop does. Restarting Adam every few
 * steps would make each update begin with full-size sign steps (m̂/√v̂ ≈ ±1).
 */
let kept: {
  model: GPT;
  trains: 'all' | 'head';
  readout: RewardReadout;
  trainer: RewardModelTrainer;
} | null = null;

export function forgetTrainer(): void {
  try {
    kept?.trainer.dispose();
  } catch {
    // its moments lived on a lost device
  }
  kept = null;
}

/** `currentModel` is read on each (re)build: after a lost device the slot holds a new model. */
export function rewardTask(
  currentModel: () => GPT,
  groups: TokenPreference[],
  s: RewardLoopSettings,
): LoopTask {
  const rng = mulberry32(s.seed ?? 0);
  let lr = s.lr;
  let objective: RewardObjective = s.objective ?? 'pairwise';
  const trains = s.trains === 'head' ? 'head' : 'all';
  const readout = s.readout ?? 'ending';
  const create = () => {
    const m = currentModel();
    if (kept?.model === m && kept.trains === trains && kept.readout === readout) {
      kept.trainer.optimizer.setLearningRate(lr);
      kept.trainer.objective = objective;
      return kept.trainer;
    }
    forgetTrainer();
    kept = {
      model: m,
      trains,
      readout,
      trainer: new RewardModelTrainer(m, { lr, objective, trains, readout }),
    };
    return kept.trainer;
  };
  let trainer: RewardModelTrainer | null = create();
  const task: LoopTask = {
    kind: 'reward',
    batchSize: s.batchSize,
    get lr() {
      return lr;
    },
    async step() {
      const batch = Array.from(
        { length: task.batchSize },
        () => groups[Math.floor(rng() * groups.length)],
      );
      const { step: _s, ...metrics } = await trainer!.step(batch);
      return metrics;
    },
    update(changes) {
      for (const [key, value] of Object.entries(changes)) {
        if (key === 'lr') {
          trainer?.optimizer.setLearningRate(value as number);
          lr = value as number;
        } else if (key === 'batchSize' && Number.isInteger(value) && (value as number) >= 1) {
          task.batchSize = value as number;
        } else if (key === 'objective' && (value === 'pairwise' || value === 'direct')) {
          objective = value;
          if (trainer) trainer.objective = value;
        } else {
          throw new ArgumentError(
            `settings.${key}`,
            `cannot be set to ${JSON.stringify(value)} in a reward loop`,
          );
        }
      }
    },
    release() {
      forgetTrainer();
      trainer = null;
    },
    rebuild() {
      trainer = create();
    },
    dispose() {
      // The trainer stays with the model for the next loop (see `kept`).
      trainer = null;
    },
  };
  return task;
}
