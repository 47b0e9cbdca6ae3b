/**
 * The measured lesson (`npm run lessons`) and the page run the same
 * hyperparameters: the lesson's plan is the settings table's defaults with the
 * preset's values on top (computed here independently, key by key), its model
 * is the one the page loads on a wasm-only machine, and the page's stages and
 * the lesson build their worker requests through the same functions.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validatePreset } from '../../../src/core/presets';
import { validatePpoSettings } from '../../../src/core/train/ppo-settings';
import {
  dpoLoopSettings,
  groupLoopSettings,
  optimiserRequest,
  ppoLoopSettings,
  rrhfLoopSettings,
} from '../../../src/lib/settings/run-settings';
import { SETTINGS, SETTING_KEYS, defaultSettings } from '../../../src/lib/settings/settings';
import { lessonPlan } from '../../../scripts/lessons/lesson';

const root = new URL('../../../', import.meta.url);
const read = (p: string) => readFileSync(new URL(p, root), 'utf8');
const index = JSON.parse(read('public/presets/index.json')) as { presets: { file: string }[] };
const presets = index.presets.map((e) =>
  validatePreset(JSON.parse(read(`public/presets/${e.file}`))),
);

describe('the lesson plan is the page’s defaults', () => {
  it.each(presets.map((p) => [p.id, p] as const))(
    '%s: every setting, and the model',
    (_, preset) => {
      const plan = lessonPlan(preset, 36);
      for (const key of SETTING_KEYS) {
        const own = preset.settings?.[key];
        expect(plan.settings[key], key).toBe(own ?? SETTINGS[key].default);
      }
      // A 2-core laptop measures ~36 ms per micro step on wasm: the preset's model.
      expect(plan.model).toBe(`${preset.language}-${preset.baseModel}`);
      // A machine ten times slower gets micro, as the page would load it.
      expect(lessonPlan(preset, 400).model).toBe(`${preset.language}-micro`);
    },
  );

  it('the page’s stages and the lesson build their requests with the same functions', () => {
    const uses: Record<string, string[]> = {
      'src/lib/stages/sft-stage.svelte.ts': ['sftLoopSettings('],
      'src/lib/stages/reward-stage.svelte.ts': ['rewardLoopSettings('],
      // Every optimiser's request (PPO, RRHF, DPO, GRPO) comes from one builder.
      'src/lib/stages/optimisation.svelte.ts': ['optimiserRequest('],
      'src/lib/state.svelte.ts': ['automaticModelSize(', 'rankSampling('],
      'src/lib/settings/settings-editor.svelte.ts': ['presetSettings('],
      'scripts/lessons/lesson.ts': [
        'sftLoopSettings(',
        'rewardLoopSettings(',
        'optimiserRequest(',
        'automaticModelSize(',
        'presetSettings(',
        'rankSampling(',
        'makePolicyTask(',
      ],
    };
    for (const [file, calls] of Object.entries(uses)) {
      const text = read(file);
      for (const call of calls) expect(text, `${file} calls ${call}`).toContain(call);
      // No stage reads a training setting by hand beside them.
      expect(text, file).not.toMatch(
        /\bs\['(sft|rm|ppo|rrhf|dpo|grpo)\.(lr|batchSize|steps|iterations)'\]/,
      );
    }
  });
});

describe('optimiserRequest: what each optimiser is asked to run', () => {
  it('takes each loop’s settings from the table, with the prompts, DPO’s rankings and PPO-ptx’s text', () => {
    const s = { ...defaultSettings(), 'ppo.iterations': 7, 'grpo.k': 3, 'dpo.beta': 0.25 };
    const prompts = ['Write a story.'];
    const groups = [{ prompt: 'p', candidates: ['a', 'b'], ranks: [1, 0] }];
    const ppo = optimiserRequest('ppo', s, 3, { prompts, ptxText: () => 'text' });
    // ptxCoef is 0 by default: no pretraining text is read or sent.
    expect(ppo).toEqual({ kind: 'ppo', prompts, ...ppoLoopSettings(s, 3) });
    expect(ppo.settings.maxSteps).toBe(7);
    const ptx = optimiserRequest('ppo', { ...s, 'ppo.ptxCoef': 0.5 }, 3, {
      prompts,
      ptxText: () => 'the pretraining text',
    });
    expect(ptx.kind === 'ppo' && ptx.settings.ptxText).toBe('the pretraining text');
    expect(optimiserRequest('rrhf', s, 3, { prompts, maxSteps: 2 })).toEqual({
      kind: 'rrhf',
      prompts,
      settings: { ...rrhfLoopSettings(s, 3), maxSteps: 2 },
    });
    const dpo = optimiserRequest('dpo', s, 3, { prompts, groups: () => groups });
    expect(dpo).toEqual({ kind: 'dpo', groups, prompts, settings: dpoLoopSettings(s, 3) });
    expect(dpo.kind === 'dpo' && dpo.settings.beta).toBe(0.25);
    const grpo = optimiserRequest('grpo', s, 3, { prompts });
    expect(grpo).toEqual({ kind: 'grpo', prompts, settings: groupLoopSettings(s, 3) });
    expect(grpo.kind === 'grpo' && grpo.settings.k).toBe(3);
  });
});

describe('PPO settings reach the trainer as one typed object', () => {
  it('the panel’s defaults become PpoTrainer’s settings, the three KL settings its adaptiveKl', () => {
    const { settings, ppo } = ppoLoopSettings(defaultSettings(), 1);
    // By hand from the table's defaults (src/lib/settings/table-optimise.ts).
    expect(ppo).toEqual({
      miniBatchSize: 4,
      ppoEpochs: 2,
      clipRange: 0.2,
      clipRangeValue: 0.2,
      vfCoef: 0.1,
      lam: 0.95,
      klCoef: 0.2,
      ptxCoef: 0,
      adaptiveKl: { target: 6, horizon: 64 },
    });
    expect(settings).toMatchObject({ lr: 2e-5, batchSize: 16, maxSteps: 30 });
    // The loop's settings hold none of the trainer's, and the trainer accepts its own as they are.
    for (const key of Object.keys(ppo)) expect(settings).not.toHaveProperty(key);
    expect(() => validatePpoSettings({ ...ppo, lr: settings.lr })).not.toThrow();
    const fixed = ppoLoopSettings({ ...defaultSettings(), 'ppo.klMode': 'fixed' }, 1);
    expect(fixed.ppo.adaptiveKl).toBeNull();
    // GAE's λ is the panel's, not PpoTrainer's own default.
    expect(ppoLoopSettings({ ...defaultSettings(), 'ppo.lam': 1 }, 1).ppo.lam).toBe(1);
    // The penalty for an unfinished answer reaches every optimiser that samples and scores.
    const penalised = { ...defaultSettings(), 'rm.missingEosPenalty': 1.5 };
    expect(ppoLoopSettings(penalised, 1).settings.missingEosPenalty).toBe(1.5);
    expect(rrhfLoopSettings(penalised, 1).missingEosPenalty).toBe(1.5);
    expect(groupLoopSettings(penalised, 1).missingEosPenalty).toBe(1.5);
    expect(ppoLoopSettings(defaultSettings(), 1).settings.missingEosPenalty).toBe(0);
  });
});
