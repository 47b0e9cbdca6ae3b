// What each stage sends to the workers, derived from the one settings table:
// the page's stages call these, and so does `npm run lessons` (scripts/lessons),
// so the measured lesson and the page run the same hyperparameters. A unit
// test (tests/unit/lib/run-settings.test.ts) holds the two together.
import type { LabelerSpec } from '../../core/labeler-spec';
import type { BaseModelName, Preset } from '../../core/presets';
import type { GroupMode } from '../../core/losses/grpo';
import type { RewardReadout } from '../../core/train/reward-head';
import type { RrhfCandidates, TrainRequest } from '../../../workers/policy-requests';
import { SETTINGS, checkValue, defaultSettings, type SettingKey, type Settings } from './settings';

type PpoRequest = Extract<TrainRequest, { kind: 'ppo' }>;

/** The defaults with the preset's own values on top; keys it sets badly are listed, not applied. */
export function presetSettings(preset: Pick<Preset, 'settings'>, base = defaultSettings()) {
  const settings = { ...base } as Record<SettingKey, number | string>;
  const applied: SettingKey[] = [];
  const ignored: string[] = [];
  for (const [k, v] of Object.entries(preset.settings ?? {})) {
    const r = k in SETTINGS ? checkValue(k as SettingKey, v) : null;
    if (!r?.ok) {
      ignored.push(k);
      continue;
    }
    settings[k as SettingKey] = r.value;
    applied.push(k as SettingKey);
  }
  return { settings: settings as Settings, applied, ignored };
}

/**
 * The base model the page loads when the person has not chosen one: the
 * preset's, or micro where the backend measured too slow for nano (workers/
 * backend-decision.ts `modelSizeFor`).
 */
export function automaticModelSize(
  preset: Pick<Preset, 'baseModel'> | null,
  backendSize: BaseModelName | null,
): BaseModelName {
  const wanted = preset?.baseModel ?? 'micro';
  return backendSize === 'micro' ? 'micro' : wanted;
}

/** Seeds of each stage's loop, from the playground's seed (1 gives SFT 1, PPO 11, RRHF 13). */
export const stageSeed = {
  sft: (seed: number) => seed,
  rm: (seed: number, stepsSoFar = 0) => seed + stepsSoFar,
  ppo: (seed: number) => seed + 10,
  rrhf: (seed: number) => seed + 12,
  dpo: (seed: number) => seed + 14,
  grpo: (seed: number) => seed + 16,
};

export function sftLoopSettings(s: Settings, seed: number) {
  return {
    lr: s['sft.lr'],
    batchSize: s['sft.batchSize'],
    maxSteps: s['sft.steps'],
    seed: stageSeed.sft(seed),
  };
}

export function rewardLoopSettings(s: Settings, seed: number, stepsSoFar = 0, steps?: number) {
  return {
    lr: s['rm.lr'],
    batchSize: s['rm.batchSize'],
    maxSteps: steps ?? s['rm.steps'],
    // A continued run draws new batches (live mode continues every few rankings).
    seed: stageSeed.rm(seed, stepsSoFar),
    objective: s['rm.objective'] as 'pairwise' | 'direct',
    trains: s['rm.trains'] as 'head' | 'all',
    cutOff: s['rm.cutOff'] === 'last',
    readout: s['rm.readout'] as RewardReadout,
  };
}

/** Sampling for the ranking queue (and every sample a person reads). */
export function rankSampling(s: Settings, k = s['sample.k']) {
  return {
    k,
    temperature: s['sample.temperature'],
    topK: s['sample.topK'],
    topP: s['sample.topP'],
    maxNewTokens: s['sample.maxNewTokens'],
  };
}

/**
 * PPO's loop settings and, apart, the trainer's own (`ppo`), which the policy
 * worker hands to PpoTrainer as they are. The three KL settings of the panel
 * become the trainer's one `adaptiveKl` here, and nowhere else.
 */
export function ppoLoopSettings(
  s: Settings,
  seed: number,
  gold?: LabelerSpec,
  ptxText = '',
): {
  settings: PpoRequest['settings'] & { maxSteps: number };
  ppo: NonNullable<PpoRequest['ppo']>;
} {
  return {
    settings: {
      maxNewTokens: s['sample.maxNewTokens'],
      seed: stageSeed.ppo(seed),
      ...(gold ? { gold } : {}),
      lr: s['ppo.lr'],
      batchSize: s['ppo.batchSize'],
      maxSteps: s['ppo.iterations'],
      missingEosPenalty: s['rm.missingEosPenalty'],
      ...(ptxText ? { ptxText } : {}),
    },
    ppo: {
      miniBatchSize: s['ppo.miniBatchSize'],
      ppoEpochs: s['ppo.ppoEpochs'],
      clipRange: s['ppo.clipRange'],
      clipRangeValue: s['ppo.clipRangeValue'],
      vfCoef: s['ppo.vfCoef'],
      lam: s['ppo.lam'],
      klCoef: s['ppo.klCoef'],
      ptxCoef: s['ppo.ptxCoef'],
      adaptiveKl:
        s['ppo.klMode'] === 'adaptive'
          ? { target: s['ppo.klTarget'], horizon: s['ppo.klHorizon'] }
          : null,
    },
  };
}

export function rrhfLoopSettings(s: Settings, seed: number, gold?: LabelerSpec) {
  return {
    maxNewTokens: s['sample.maxNewTokens'],
    seed: stageSeed.rrhf(seed),
    ...(gold ? { gold } : {}),
    lr: s['rrhf.lr'],
    batchSize: s['rrhf.batchSize'],
    maxSteps: s['rrhf.iterations'],
    k: s['rrhf.k'],
    lengthPenalty: s['rrhf.lengthPenalty'],
    temperature: s['sample.temperature'],
    candidates: s['rrhf.candidates'] as RrhfCandidates,
    topP: s['rrhf.topP'],
    missingEosPenalty: s['rm.missingEosPenalty'],
  };
}

export function dpoLoopSettings(s: Settings, seed: number, gold?: LabelerSpec) {
  return {
    maxNewTokens: s['sample.maxNewTokens'],
    temperature: s['sample.temperature'],
    seed: stageSeed.dpo(seed),
    ...(gold ? { gold } : {}),
    lr: s['dpo.lr'],
    batchSize: s['dpo.batchSize'],
    maxSteps: s['dpo.steps'],
    beta: s['dpo.beta'],
    loss: s['dpo.loss'] as 'sigmoid' | 'ipo',
  };
}

export function groupLoopSettings(s: Settings, seed: number, gold?: LabelerSpec) {
  return {
    maxNewTokens: s['sample.maxNewTokens'],
    seed: stageSeed.grpo(seed),
    ...(gold ? { gold } : {}),
    lr: s['grpo.lr'],
    batchSize: s['grpo.batchSize'],
    maxSteps: s['grpo.iterations'],
    k: s['grpo.k'],
    mode: s['grpo.mode'] as GroupMode,
    beta: s['grpo.beta'],
    missingEosPenalty: s['rm.missingEosPenalty'],
  };
}

/** A ranking as DPO takes it (ranks: 0 = best). */
export interface RankedGroup {
  prompt: string;
  candidates: string[];
  ranks: number[];
}

/**
 * What the page (and `npm run lessons`) asks the policy worker to run for one
 * optimiser: its loop settings from the table, the prompts it answers, DPO's
 * rankings, PPO-ptx's pretraining text; `maxSteps` overrides the iterations
 * setting.
 */
export function optimiserRequest(
  kind: 'ppo' | 'rrhf' | 'dpo' | 'grpo',
  s: Settings,
  seed: number,
  o: {
    prompts: string[];
    gold?: LabelerSpec;
    groups?: () => RankedGroup[];
    ptxText?: () => string;
    maxSteps?: number;
  },
): Extract<TrainRequest, { kind: typeof kind }> & { settings: { maxSteps: number } } {
  const { prompts, gold } = o;
  const steps = o.maxSteps ? { maxSteps: o.maxSteps } : {};
  switch (kind) {
    case 'ppo': {
      const ptx = s['ppo.ptxCoef'] > 0 && o.ptxText ? o.ptxText() : '';
      const { settings, ppo } = ppoLoopSettings(s, seed, gold, ptx);
      return { kind, prompts, settings: { ...settings, ...steps }, ppo };
    }
    case 'rrhf':
      return { kind, prompts, settings: { ...rrhfLoopSettings(s, seed, gold), ...steps } };
    case 'dpo': {
      const settings = { ...dpoLoopSettings(s, seed, gold), ...steps };
      return { kind, groups: o.groups?.() ?? [], prompts, settings };
    }
    case 'grpo':
      return { kind, prompts, settings: { ...groupLoopSettings(s, seed, gold), ...steps } };
  }
}
