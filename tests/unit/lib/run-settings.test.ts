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
import { ppoLoopSettings } from '../../../src/lib/settings/run-settings';
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
      'src/lib/stages/optimisation.svelte.ts': ['ppoLoopSettings(', 'rrhfLoopSettings('],
      'src/lib/state.svelte.ts': ['automaticModelSize(', 'rankSampling('],
      'src/lib/settings/settings-editor.svelte.ts': ['presetSettings('],
      'scripts/lessons/lesson.ts': [
        'sftLoopSettings(',
        'rewardLoopSettings(',
        'ppoLoopSettings(',
        'rrhfLoopSettings(',
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
      expect(text, file).not.toMatch(/\bs\['(sft|rm|ppo|rrhf)\.(lr|batchSize|steps|iterations)'\]/);
    }
  });
});

describe('PPO settings reach the trainer as one typed object', () => {
  it('the panel’s defaults become PpoTrainer’s settings, the three KL settings its adaptiveKl', () => {
    const { settings, ppo } = ppoLoopSettings(defaultSettings(), 1);
    // By hand from the table's defaults (src/lib/settings/table-optimise.ts).
    expect(ppo).toEqual({
      miniBatchSize: 8,
      ppoEpochs: 4,
      clipRange: 0.2,
      clipRangeValue: 0.2,
      vfCoef: 0.1,
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
  });
});
