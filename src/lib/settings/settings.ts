// Every hyperparameter the playground exposes, in one table (as
// tensorflow/playground's state.ts does): the settings panel, validation,
// parsing from text inputs and from the URL are all derived from it, so a
// setting added here appears everywhere at once.
//
// Defaults follow InstructGPT (Ouyang et al. 2022), TRL's PPOConfig and RRHF
// (Yuan et al. 2023) where those transfer to a sub-million-parameter model;
// learning rates and batch sizes are scaled to it, and say so.

import { english, type Translate } from '../i18n/format';
import type { NumberSpec, SettingGroup, SettingSpec } from './setting-spec';
import { OPTIMISE_SETTINGS } from './table-optimise';
import { SFT_RM_SETTINGS } from './table-sft-rm';
import { METHOD_SETTINGS } from './table-methods';

export type { ChoiceSpec, LiveRun, NumberSpec, SettingGroup, SettingSpec } from './setting-spec';

/** The whole table, in the order the panel and links list it. */
export const SETTINGS = {
  ...SFT_RM_SETTINGS,
  ...OPTIMISE_SETTINGS,
  ...METHOD_SETTINGS,
} as const satisfies Record<string, SettingSpec>;

export type SettingKey = keyof typeof SETTINGS;
export type SettingValue = number | string;
export type Settings = {
  [K in SettingKey]: (typeof SETTINGS)[K]['default'] extends number ? number : string;
};

export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

export const GROUP_TITLES: Record<SettingGroup, string> = {
  sampling: 'Sampling',
  sft: 'Supervised fine-tuning',
  rm: 'Reward model',
  ppo: 'PPO',
  rrhf: 'RRHF',
  dpo: 'DPO',
  grpo: 'GRPO / RLOO',
  classroom: 'Classroom',
};

export function specOf(key: SettingKey): SettingSpec {
  return SETTINGS[key];
}

export function keysOf(group: SettingGroup): SettingKey[] {
  return SETTING_KEYS.filter((k) => SETTINGS[k].group === group);
}

export function defaultSettings(): Settings {
  return Object.fromEntries(SETTING_KEYS.map((k) => [k, SETTINGS[k].default])) as Settings;
}

/** Settings shown only when another setting has a given value. */
export function isRelevant(key: SettingKey, s: Settings): boolean {
  if (key === 'ppo.klTarget' || key === 'ppo.klHorizon') return s['ppo.klMode'] === 'adaptive';
  return true;
}

export function formatValue(key: SettingKey, v: SettingValue): string {
  if (typeof v === 'string') return v;
  const spec = specOf(key);
  if (spec.kind === 'int') return String(v);
  return Math.abs(v) > 0 && Math.abs(v) < 1e-3 ? v.toExponential() : String(v);
}

/**
 * A number as a person or a link writes it: plain decimals and exponents only
 * (Number('') is 0 and Number('0x10') is 16, which no one means).
 */
export const NUMBER_TEXT = /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i;

export type Parsed = { ok: true; value: SettingValue } | { ok: false; problem: string };

/** "≥ 1 and ≤ 9" (or "> 0 …" where the minimum is excluded), in the language of `tr`. */
export function rangeText(spec: NumberSpec, tr: Translate): string {
  return tr('settings.problem.range', {
    lo: `${spec.minExclusive ? '>' : '≥'} ${spec.min}`,
    max: spec.max,
  });
}

/** Checks one value against its spec; the problem reads well under the control. */
export function checkValue(key: SettingKey, value: unknown, tr: Translate = english): Parsed {
  const spec = specOf(key);
  if (spec.kind === 'choice') {
    const ok = spec.options.some((o) => o.value === value);
    return ok
      ? { ok: true, value: value as string }
      : {
          ok: false,
          problem: tr('settings.problem.choose', {
            options: spec.options.map((o) => o.label).join(', '),
          }),
        };
  }
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    return { ok: false, problem: tr('settings.problem.number') };
  }
  if (spec.kind === 'int' && !Number.isInteger(value)) {
    return { ok: false, problem: tr('settings.problem.whole', { range: rangeText(spec, tr) }) };
  }
  const low = spec.minExclusive ? value <= spec.min : value < spec.min;
  if (low || value > spec.max) {
    return {
      ok: false,
      problem: tr('settings.problem.outOfRange', { value, range: rangeText(spec, tr) }),
    };
  }
  return { ok: true, value };
}

/** Parses what a person typed (or a URL holds) into a checked value. */
export function parseValue(key: SettingKey, raw: string, tr: Translate = english): Parsed {
  const spec = specOf(key);
  if (spec.kind === 'choice') return checkValue(key, raw.trim(), tr);
  const text = raw.trim();
  if (text === '') return { ok: false, problem: tr('settings.problem.number') };
  if (!NUMBER_TEXT.test(text)) {
    return { ok: false, problem: tr('settings.problem.notNumber', { raw }) };
  }
  return checkValue(key, Number(text), tr);
}

/** What settings must respect that depends on the model and the task. */
export interface SettingsContext {
  /** The model's context length in tokens. */
  contextLength: number;
  /** Tokens in the longest prompt that will be sampled from (BOS included). */
  longestPrompt: number;
}

/** Problems by key: ranges, then the rules that involve more than one setting. */
export function validateSettings(
  s: Settings,
  ctx?: SettingsContext,
  tr: Translate = english,
): Partial<Record<SettingKey, string>> {
  const problems: Partial<Record<SettingKey, string>> = {};
  for (const key of SETTING_KEYS) {
    const r = checkValue(key, s[key], tr);
    if (!r.ok) problems[key] = r.problem;
  }
  if (!problems['ppo.miniBatchSize'] && s['ppo.miniBatchSize'] > s['ppo.batchSize']) {
    problems['ppo.miniBatchSize'] = tr('settings.problem.minibatch', {
      mb: s['ppo.miniBatchSize'],
      batch: s['ppo.batchSize'],
    });
  }
  if (ctx && !problems['sample.maxNewTokens']) {
    const room = ctx.contextLength - ctx.longestPrompt;
    if (s['sample.maxNewTokens'] > room) {
      problems['sample.maxNewTokens'] = tr('settings.problem.context', {
        prompt: ctx.longestPrompt,
        context: ctx.contextLength,
        room: Math.max(room, 0),
      });
    }
  }
  return problems;
}

/** Groups whose problems stop a stage from starting. */
export const STAGE_GROUPS: Record<
  'sft' | 'rank' | 'rm' | 'ppo' | 'rrhf' | 'dpo' | 'grpo',
  SettingGroup[]
> = {
  sft: ['sft'],
  rank: ['sampling'],
  rm: ['rm'],
  ppo: ['ppo', 'sampling'],
  rrhf: ['rrhf', 'sampling'],
  dpo: ['dpo', 'sampling'],
  grpo: ['grpo', 'sampling'],
};

export function problemsFor(
  groups: readonly SettingGroup[],
  problems: Partial<Record<SettingKey, string>>,
  name: (key: SettingKey) => string = (k) =>
    `${GROUP_TITLES[SETTINGS[k].group]} · ${SETTINGS[k].label}`,
): string[] {
  return SETTING_KEYS.filter((k) => problems[k] && groups.includes(SETTINGS[k].group)).map(
    (k) => `${name(k)}: ${problems[k]}`,
  );
}
