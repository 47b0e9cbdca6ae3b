// Every hyperparameter the playground exposes, in one table (as
// tensorflow/playground's state.ts does): the settings panel, validation,
// parsing from text inputs and from the URL are all derived from it, so a
// setting added here appears everywhere at once.
//
// Defaults follow InstructGPT (Ouyang et al. 2022), TRL's PPOConfig and RRHF
// (Yuan et al. 2023) where those transfer to a sub-million-parameter model;
// learning rates and batch sizes are scaled to it, and say so.

import { english, type Translate } from '../i18n/format';

export type SettingGroup = 'sampling' | 'sft' | 'rm' | 'ppo' | 'rrhf' | 'classroom';

interface Common {
  label: string;
  group: SettingGroup;
  help: string;
  /** Where the default comes from. */
  source: string;
  /** Set while the workers do not apply this setting yet: shown, and the control is disabled. */
  pending?: string;
  /**
   * A running (or paused) loop of `run` takes this setting between steps, as
   * its trainer's `field`; any other setting applies from the next run.
   */
  live?: { run: LiveRun; field: string };
}

/** The training runs whose loops take settings while they run. */
export type LiveRun = 'sft' | 'rm' | 'ppo' | 'rrhf';

export interface NumberSpec extends Common {
  kind: 'number' | 'int';
  default: number;
  min: number;
  max: number;
  /** Excludes `min` itself (e.g. top-p > 0). */
  minExclusive?: boolean;
  step?: number;
}

export interface ChoiceSpec extends Common {
  kind: 'choice';
  default: string;
  options: readonly { value: string; label: string }[];
}

export type SettingSpec = NumberSpec | ChoiceSpec;

export const SETTINGS = {
  'sample.k': {
    kind: 'int',
    group: 'sampling',
    label: 'Samples per prompt (K)',
    default: 4,
    min: 2,
    max: 9,
    help: 'How many completions you rank for each prompt; K = 2 is an A/B choice.',
    source: 'InstructGPT ranks K = 4 to 9',
  },
  'sample.temperature': {
    kind: 'number',
    group: 'sampling',
    live: { run: 'rrhf', field: 'temperature' },
    label: 'Temperature',
    default: 0.8,
    min: 0,
    max: 2,
    step: 0.05,
    help: 'Softmax temperature of the samples you rank and evaluate; 0 is greedy (all K alike). PPO always samples at 1, from the policy itself.',
    source: 'nanoGPT samples at 0.8: a character model at 1 misspells (InstructGPT: T = 1)',
  },
  'sample.topK': {
    kind: 'int',
    group: 'sampling',
    label: 'Top-k',
    default: 0,
    min: 0,
    max: 256,
    help: 'Keep only the k most likely characters; 0 turns it off.',
    source: 'off, as in InstructGPT',
  },
  'sample.topP': {
    kind: 'number',
    group: 'sampling',
    label: 'Top-p',
    default: 1,
    min: 0,
    minExclusive: true,
    max: 1,
    step: 0.05,
    help: 'Keep the smallest set of characters whose probability reaches p; 1 turns it off.',
    source: 'off, as in InstructGPT',
  },
  'sample.maxNewTokens': {
    kind: 'int',
    group: 'sampling',
    label: 'Max new tokens',
    default: 84,
    min: 1,
    max: 127,
    help: 'Characters each completion may add; prompt and completion must fit the context.',
    source:
      'a whole answer: presets’ answers are ≤ 72 characters, their prompts ≤ 40, the context 128',
  },
  'sft.lr': {
    kind: 'number',
    group: 'sft',
    live: { run: 'sft', field: 'lr' },
    label: 'Learning rate',
    default: 3e-4,
    min: 1e-6,
    max: 0.1,
    help: 'Adam step size for supervised fine-tuning.',
    source: 'nanoGPT-scale models; InstructGPT used 9.65e-6 at 1.3B+',
  },
  'sft.batchSize': {
    kind: 'int',
    group: 'sft',
    live: { run: 'sft', field: 'batchSize' },
    label: 'Batch size',
    default: 16,
    min: 1,
    max: 128,
    help: 'Demonstrations per step.',
    source: 'scaled down from InstructGPT’s 32',
  },
  'sft.steps': {
    kind: 'int',
    group: 'sft',
    label: 'Steps',
    default: 20,
    min: 1,
    max: 100_000,
    help: 'Training steps before SFT stops by itself (pause or stop any time).',
    source:
      'measured: 20 steps teach the answers’ length; 60 memorise 24 demonstrations and misspell',
  },
  'rm.objective': {
    kind: 'choice',
    group: 'rm',
    label: 'Objective',
    default: 'pairwise',
    options: [
      { value: 'pairwise', label: 'Pairwise ranking (InstructGPT)' },
      { value: 'direct', label: 'Direct score' },
    ],
    help: 'Ranking: −log σ(r_w − r_l) over all C(K,2) pairs of a prompt. Direct: regress σ(r) on a grade.',
    source: 'InstructGPT eq. 1',
  },
  'rm.trains': {
    kind: 'choice',
    group: 'rm',
    label: 'What trains',
    default: 'head',
    options: [
      { value: 'head', label: 'A reward head on the frozen SFT model' },
      { value: 'all', label: 'The whole model (InstructGPT)' },
    ],
    help: 'A head on frozen features generalises from a few rankings; the whole model needs many more (use a lr near 5e-4).',
    source: 'measured: npm run lessons (docs/lessons.md)',
  },
  'rm.cutOff': {
    kind: 'choice',
    group: 'rm',
    label: 'Cut-off answers',
    default: 'off',
    options: [
      { value: 'last', label: 'Rank last (added to each ranking)' },
      { value: 'off', label: 'Not added' },
    ],
    help: 'Each ranking gains its best answer cut off halfway and a quarter of the way, ranked below every whole answer, so PPO cannot win by stopping mid-sentence. They train the RM but count in no accuracy.',
    source:
      'measured with npm run lessons (docs/lessons.md): on happy-endings it lifted PPO but cost RRHF its lift',
  },
  'rm.lr': {
    kind: 'number',
    group: 'rm',
    live: { run: 'rm', field: 'lr' },
    label: 'Learning rate',
    default: 1e-2,
    min: 1e-6,
    max: 0.1,
    help: 'Adam step size for the reward model: 1e-2 for the head alone, about 5e-4 for the whole model.',
    source: 'a linear head takes large steps; InstructGPT used 9e-6 for its 6B RM',
  },
  'rm.batchSize': {
    kind: 'int',
    group: 'rm',
    live: { run: 'rm', field: 'batchSize' },
    label: 'Batch size (prompts)',
    default: 8,
    min: 1,
    max: 64,
    help: 'Ranked prompts per step; all C(K,2) pairs of one prompt stay in one batch element.',
    source: 'InstructGPT: 64 prompts, each with all its pairs',
  },
  'rm.steps': {
    kind: 'int',
    group: 'rm',
    label: 'Steps',
    default: 60,
    min: 1,
    max: 100_000,
    help: 'Training steps; InstructGPT trains the RM for a single epoch to avoid overfitting.',
    source: 'about one epoch of a few dozen rankings',
  },
  'rm.heldoutShare': {
    kind: 'number',
    group: 'rm',
    label: 'Held-out share',
    default: 0.2,
    min: 0,
    max: 0.5,
    step: 0.05,
    help: 'Share of your rankings kept aside to measure accuracy on comparisons the RM never saw.',
    source: 'a common 80/20 split',
  },
  'ppo.lr': {
    kind: 'number',
    group: 'ppo',
    live: { run: 'ppo', field: 'lr' },
    label: 'Learning rate',
    default: 2e-5,
    min: 1e-7,
    max: 0.01,
    help: 'Adam step size for the policy and its value head.',
    source: 'near TRL’s 1.41e-5; at 1e-4 the policy found garble the reward model liked',
  },
  'ppo.batchSize': {
    kind: 'int',
    group: 'ppo',
    live: { run: 'ppo', field: 'batchSize' },
    label: 'Rollouts per iteration',
    default: 16,
    min: 1,
    max: 256,
    help: 'Prompts sampled and scored by the reward model per PPO iteration.',
    source: 'TRL batch_size, scaled down',
  },
  'ppo.miniBatchSize': {
    kind: 'int',
    group: 'ppo',
    label: 'Minibatch size',
    default: 8,
    min: 1,
    max: 256,
    help: 'Rollouts per gradient step; at most the rollouts per iteration.',
    source: 'TRL mini_batch_size',
  },
  'ppo.ppoEpochs': {
    kind: 'int',
    group: 'ppo',
    label: 'PPO epochs',
    default: 4,
    min: 1,
    max: 100,
    help: 'Passes over each batch of rollouts.',
    source: 'TRL ppo_epochs = 4',
  },
  'ppo.clipRange': {
    kind: 'number',
    group: 'ppo',
    label: 'Clip range ε',
    default: 0.2,
    min: 0.01,
    max: 1,
    step: 0.01,
    help: 'The probability ratio is clipped to 1 ± ε.',
    source: 'PPO paper and TRL cliprange = 0.2',
  },
  'ppo.clipRangeValue': {
    kind: 'number',
    group: 'ppo',
    label: 'Value clip range',
    default: 0.2,
    min: 0.01,
    max: 10,
    step: 0.01,
    help: 'The value prediction is clipped to V_old ± this.',
    source: 'TRL cliprange_value = 0.2',
  },
  'ppo.vfCoef': {
    kind: 'number',
    group: 'ppo',
    label: 'Value loss coefficient',
    default: 0.1,
    min: 0,
    max: 10,
    step: 0.01,
    help: 'Weight of the value loss next to the policy loss.',
    source: 'TRL vf_coef = 0.1',
  },
  'ppo.klMode': {
    kind: 'choice',
    group: 'ppo',
    label: 'KL penalty',
    default: 'adaptive',
    options: [
      { value: 'adaptive', label: 'Adaptive (target KL)' },
      { value: 'fixed', label: 'Fixed β' },
    ],
    help: 'Fixed β, or β steered toward a target KL (Ziegler et al. 2019).',
    source: 'TRL adap_kl_ctrl = True',
  },
  'ppo.klCoef': {
    kind: 'number',
    group: 'ppo',
    live: { run: 'ppo', field: 'klCoef' },
    label: 'β (initial KL coefficient)',
    default: 0.2,
    min: 0,
    max: 10,
    step: 0.01,
    help: 'Per-token penalty β·(log π − log π_SFT) that keeps the policy near the SFT model.',
    source: 'TRL init_kl_coef = 0.2 (InstructGPT: 0.02)',
  },
  'ppo.klTarget': {
    kind: 'number',
    group: 'ppo',
    label: 'KL target',
    default: 6,
    min: 0.01,
    max: 100,
    step: 0.1,
    help: 'KL per sequence (nats) the adaptive controller aims for.',
    source: 'TRL target = 6',
  },
  'ppo.klHorizon': {
    kind: 'int',
    group: 'ppo',
    label: 'KL horizon',
    default: 64,
    min: 1,
    max: 1_000_000,
    help: 'How slowly the adaptive β moves, in sequences: β changes by up to 20% × rollouts / horizon per iteration.',
    source:
      'four iterations, so β acts within a 30-iteration run (TRL: 10000, for runs of thousands of batches)',
  },
  'ppo.ptxCoef': {
    kind: 'number',
    group: 'ppo',
    label: 'Pretraining mix γ (PPO-ptx)',
    default: 0,
    min: 0,
    max: 100,
    step: 0.1,
    help: 'Adds γ·log-likelihood of pretraining text, paying less “alignment tax”; 0 is plain PPO.',
    source: 'InstructGPT PPO-ptx used γ = 27.8',
  },
  'ppo.iterations': {
    kind: 'int',
    group: 'ppo',
    label: 'Iterations',
    default: 30,
    min: 1,
    max: 100_000,
    help: 'PPO iterations (sample, score, update) before it stops by itself.',
    source: 'a few minutes on a laptop',
  },
  'rrhf.lr': {
    kind: 'number',
    group: 'rrhf',
    live: { run: 'rrhf', field: 'lr' },
    label: 'Learning rate',
    default: 5e-5,
    min: 1e-7,
    max: 0.01,
    help: 'Adam step size for the policy.',
    source: 'RRHF used 2e-5 at 7B; at 1e-4 the ranking term pushed answers into misspellings',
  },
  'rrhf.batchSize': {
    kind: 'int',
    group: 'rrhf',
    live: { run: 'rrhf', field: 'batchSize' },
    label: 'Prompts per step',
    default: 4,
    min: 1,
    max: 64,
    help: 'Prompts per update, each with k candidates.',
    source: 'scaled down',
  },
  'rrhf.k': {
    kind: 'int',
    group: 'rrhf',
    label: 'Candidates per prompt (k)',
    default: 4,
    min: 2,
    max: 9,
    help: 'Responses sampled per prompt, scored by the reward model and ranked.',
    source: 'RRHF samples several responses per query',
  },
  'rrhf.candidates': {
    kind: 'choice',
    group: 'rrhf',
    label: 'Candidates from',
    default: 'sft',
    options: [
      { value: 'sft', label: 'The SFT model (RRHF’s main setting)' },
      { value: 'policy', label: 'The policy itself (online)' },
    ],
    help: 'Which model writes the k candidates the reward model ranks. From the frozen SFT model, every candidate the fine-tuning term learns from reads well; from the policy, its own slips are ranked and learnt too.',
    source:
      'RRHF ranks responses sampled from the initial model; npm run lessons (docs/lessons.md): from the policy, 13–16% of RRHF’s words were not words and KL to SFT reached 24 nats; from SFT, 1–5% and 2–3 nats, for a lower gold (median 0.60 against 0.77) that is not won by garble',
  },
  'rrhf.lengthPenalty': {
    kind: 'number',
    group: 'rrhf',
    live: { run: 'rrhf', field: 'lengthPenalty' },
    label: 'Length penalty',
    default: 1,
    min: 0,
    max: 5,
    step: 0.1,
    help: 'Exponent of the length normalisation of log-probabilities; 1 is the mean (the paper).',
    source: 'RRHF: p_i = Σ log π / |y_i|',
  },
  'rrhf.iterations': {
    kind: 'int',
    group: 'rrhf',
    label: 'Iterations',
    default: 90,
    min: 1,
    max: 100_000,
    help: 'RRHF updates before it stops by itself.',
    source:
      'npm run lessons (docs/lessons.md): with candidates from SFT, gold rose by 0.39–0.41 in 3 of 5 seeds at 90 (win rates 70–71%); about PPO’s 30 iterations in time (an RRHF step costs a third of a PPO iteration)',
  },
  // Classroom: how the page looks for a lesson, carried by a share link like
  // any setting (the language and hidden controls travel as the link's own
  // `lang=` and `hide=`, see url-state.ts; src/lib/stages/teaching.svelte.ts reads these).
  'classroom.presenter': {
    kind: 'choice',
    group: 'classroom',
    label: 'Presenter view',
    default: 'off',
    options: [
      { value: 'off', label: 'Off' },
      { value: 'on', label: 'On: large type, high contrast' },
    ],
    help: 'For a projector: larger type, stronger contrast, thicker chart lines.',
    source: 'off',
  },
  'classroom.tour': {
    kind: 'choice',
    group: 'classroom',
    label: 'Guided tour',
    default: 'off',
    options: [
      { value: 'off', label: 'Off' },
      { value: 'on', label: 'On' },
    ],
    help: 'A guided path through the stages with short explanations grounded in the papers.',
    source: 'off',
  },
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
export const STAGE_GROUPS: Record<'sft' | 'rank' | 'rm' | 'ppo' | 'rrhf', SettingGroup[]> = {
  sft: ['sft'],
  rank: ['sampling'],
  rm: ['rm'],
  ppo: ['ppo', 'sampling'],
  rrhf: ['rrhf', 'sampling'],
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
