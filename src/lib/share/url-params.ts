// The keys a playground URL may carry besides the hyperparameters (each with
// the kind of value it takes), and the shapes of what a URL says (UrlState)
// and of what a share link carries (ShareState). Read and written by
// url-state.ts.
import { BACKEND_NAMES } from '../bridge/backend-probe';
import {
  GROUP_TITLES,
  SETTING_KEYS,
  type SettingGroup,
  type SettingKey,
  type Settings,
} from '../settings/settings';
import { STAGES, type StageId } from '../stages/stages';
import { OPTIMISE_MODES, normaliseMode, type OptimiseMode } from '../optimisers';
import type { MessageKey } from '../i18n/en';

export type Theme = 'auto' | 'light' | 'dark';
export type Language = 'en' | 'zh';
export type ModelParam = 'auto' | 'nano' | 'micro' | 'tiny';
/** One optimiser, or two joined by a comma ('ppo,dpo'); 'both' is PPO with RRHF. */
export type OptimiseParam = OptimiseMode;
export type BackendParam = 'auto' | (typeof BACKEND_NAMES)[number];

const STAGE_IDS = STAGES.map((s) => s.id);
const GROUPS = Object.keys(GROUP_TITLES) as SettingGroup[];

/** Panels a link can hide (a teacher's projected page), besides setting groups and settings. */
export const HIDEABLE_PANELS = [
  'backend',
  'stages',
  'settings',
  'notices',
  'pager',
  'share',
  // A lesson's page (src/ui/presenter.css hides them by their data-area).
  'presets',
  'model',
  'labeler',
  'chart-controls',
  'classroom',
] as const;
export type HideablePanel = (typeof HIDEABLE_PANELS)[number];
/** What `hide=` may name: a panel, a setting group (`ppo`) or one setting (`ppo.klCoef`). */
export type Hideable = HideablePanel | SettingGroup | SettingKey;

export const HIDEABLE: readonly Hideable[] = [...HIDEABLE_PANELS, ...GROUPS, ...SETTING_KEYS];

export type ParamSpec =
  | {
      kind: 'choice';
      options: readonly string[];
      /** Puts a value written another way into the form `options` hold (e.g. an order). */
      normalise?: (text: string) => string;
      /** What a wrong value is told to expect, when listing the options would not help. */
      expected?: MessageKey;
    }
  | { kind: 'list'; options: readonly string[] }
  | { kind: 'int'; min: number; max: number }
  | { kind: 'id' }
  | { kind: 'flag' }
  | { kind: 'origin' }
  /** Read elsewhere (tools and tests); known, so not reported. */
  | { kind: 'internal' };

/** The URL keys that are not hyperparameters. */
export const URL_PARAMS = {
  preset: { kind: 'id' },
  stage: { kind: 'choice', options: STAGE_IDS },
  seed: { kind: 'int', min: 0, max: 2 ** 31 - 1 },
  lang: { kind: 'choice', options: ['en', 'zh'] },
  theme: { kind: 'choice', options: ['auto', 'light', 'dark'] },
  backend: { kind: 'choice', options: ['auto', ...BACKEND_NAMES] },
  model: { kind: 'choice', options: ['auto', 'nano', 'micro', 'tiny'] },
  optimise: {
    kind: 'choice',
    options: OPTIMISE_MODES,
    normalise: normaliseMode,
    expected: 'link.optimiseOptions',
  },
  hide: { kind: 'list', options: HIDEABLE },
  embed: { kind: 'flag' },
  /** Embed: the stages the compact layout offers (default: the opening stage only). */
  stages: { kind: 'list', options: STAGE_IDS },
  /** Embed: the only origin whose messages are obeyed and to which events are sent. */
  hostOrigin: { kind: 'origin' },
  /** Embed: a `metrics` event every this many steps of a run. */
  metricsEvery: { kind: 'int', min: 1, max: 100_000 },
  probe: { kind: 'internal' },
  lab: { kind: 'internal' },
  testHooks: { kind: 'internal' },
} as const satisfies Record<string, ParamSpec>;

export type UrlParam = keyof typeof URL_PARAMS;

/** Everything a URL can say; absent keys are undefined (the session's or the default's value). */
export interface UrlState {
  preset?: string;
  stage?: StageId;
  seed?: number;
  lang?: Language;
  theme?: Theme;
  backend?: BackendParam;
  model?: ModelParam;
  optimise?: OptimiseParam;
  hide?: Hideable[];
  embed?: boolean;
  stages?: StageId[];
  hostOrigin?: string;
  metricsEvery?: number;
  settings: Partial<Settings>;
}

/** What a share link carries. */
export interface ShareState {
  preset: string;
  stage: StageId;
  seed: number;
  settings: Settings;
  lang?: Language;
  theme?: Theme;
  backend?: BackendParam;
  model?: ModelParam;
  optimise?: OptimiseParam;
  hide?: readonly Hideable[];
}
