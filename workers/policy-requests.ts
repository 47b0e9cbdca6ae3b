// What the page asks the policy worker to train, and what a loop task sees of
// the worker: the policy and frozen reference models and the reward worker's
// scorer. Shared by the task builders (policy-tasks.ts, feedback-tasks.ts).
import type { GroupMode, PpoSettings } from '../src/core';
import type { LabelerSpec } from '../src/core/labeler-spec';
import type { ModelSlot } from './model-slot';
import type { LoopSettings } from './training-loop';

/** Which model writes RRHF's candidates: the frozen SFT model, the policy, or half each. */
export const RRHF_CANDIDATE_SOURCES = ['sft', 'policy', 'mixed'] as const;
export type RrhfCandidates = (typeof RRHF_CANDIDATE_SOURCES)[number];

/** The reward worker's scoring call, as the policy worker sees it through its port. */
export interface Scorer {
  score(items: { prompt: string; response: string }[]): Promise<number[]>;
}

export interface PolicyContext {
  policy: ModelSlot;
  ref: ModelSlot;
  scorer(): Scorer;
}

export interface SampleSettings {
  /** New tokens per response. Default 24. */
  maxNewTokens?: number;
  temperature?: number;
  /**
   * A gold labeler that scores every sample beside the reward model, never
   * seen by the optimiser: `env/gold_mean` (PPO), `rrhf/gold_mean` (RRHF).
   * Side by side with the RM score it shows reward hacking as it happens.
   */
  gold?: LabelerSpec;
  /**
   * Subtracted from the reward model's score of a sample that does not end within
   * maxNewTokens before the optimiser learns from it (TRL's missing_eos_penalty);
   * PPO, RRHF and GRPO. Default 0.
   */
  missingEosPenalty?: number;
}

export type TrainRequest =
  | { kind: 'sft'; examples: { prompt: string; response: string }[]; settings: LoopSettings }
  | { kind: 'pretrain'; text: string; settings: LoopSettings }
  | {
      kind: 'ppo';
      prompts: string[];
      settings: LoopSettings &
        SampleSettings & {
          /** Pretraining text for PPO-ptx: windows of it join every minibatch when ptxCoef > 0. */
          ptxText?: string;
        };
      /** The trainer's own settings, handed to PpoTrainer as they are (lr and β from the loop, live). */
      ppo?: PpoLoopSettings;
    }
  | {
      kind: 'rrhf';
      /** Candidates sampled k per prompt and scored by the reward model... */
      prompts?: string[];
      /** ...or groups a person ranked (ranks: 0 = best). */
      groups?: { prompt: string; candidates: string[]; ranks: number[] }[];
      settings: LoopSettings &
        SampleSettings & {
          k?: number;
          lengthPenalty?: number;
          /** Which model samples the candidates: the frozen SFT model (default), the policy, or half each (mixed). */
          candidates?: RrhfCandidates;
          /** Nucleus sampling of the candidates (1 = off). */
          topP?: number;
        };
    }
  | {
      kind: 'dpo';
      /** The person's rankings (ranks: 0 = best); DPO trains on every pair of each. */
      groups: { prompt: string; candidates: string[]; ranks: number[] }[];
      /** Prompts the policy answers after each step for the gold curve (default: the groups'). */
      prompts?: string[];
      settings: LoopSettings &
        SampleSettings & {
          /** β: how far the policy may move from the reference, in the implicit reward. */
          beta?: number;
          /** The sigmoid loss of DPO, or IPO's squared loss. */
          loss?: 'sigmoid' | 'ipo';
        };
    }
  | {
      kind: 'grpo';
      /** K answers to each are sampled from the policy and scored by the reward model. */
      prompts: string[];
      settings: LoopSettings &
        SampleSettings & {
          k?: number;
          /** GRPO, Dr. GRPO or RLOO: how each answer's advantage is taken against its group. */
          mode?: GroupMode;
          /** The KL coefficient to the SFT model. */
          beta?: number;
        };
    };

export type PpoLoopSettings = Pick<
  PpoSettings,
  | 'klCoef'
  | 'ppoEpochs'
  | 'miniBatchSize'
  | 'clipRange'
  | 'clipRangeValue'
  | 'vfCoef'
  | 'lam'
  | 'adaptiveKl'
  | 'targetKl'
  | 'ptxCoef'
>;
