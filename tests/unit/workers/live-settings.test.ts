// The settings table says which settings a running loop takes between steps
// (`live`, src/lib/settings/settings.ts), and the page forwards exactly those. Here the
// policy worker's own loop tasks are asked to take each of them, so the table
// and the workers cannot drift apart; a setting the table leaves out is refused.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGPT } from '../../../src/core/model/gpt';
import { SETTING_KEYS, SETTINGS, type SettingSpec } from '../../../src/lib/settings/settings';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

const base = { lr: 1e-3, batchSize: 2, seed: 1, maxNewTokens: 4 };
const REQUESTS: Record<'sft' | 'ppo' | 'rrhf' | 'dpo' | 'grpo', TrainRequest> = {
  sft: { kind: 'sft', examples: [{ prompt: 'ab', response: 'cd' }], settings: base },
  ppo: { kind: 'ppo', prompts: ['ab'], settings: base },
  rrhf: { kind: 'rrhf', prompts: ['ab'], settings: { ...base, k: 2 } },
  dpo: {
    kind: 'dpo',
    groups: [{ prompt: 'ab', candidates: ['cd', 'dc'], ranks: [0, 1] }],
    settings: base,
  },
  grpo: { kind: 'grpo', prompts: ['ab'], settings: { ...base, k: 2 } },
};

async function task(kind: keyof typeof REQUESTS) {
  const config = { ...tinyConfig, scalarHead: kind === 'ppo' };
  const ctx = {
    policy: await ModelSlot.create(createGPT(config, 1), tokenizer),
    ref: await ModelSlot.create(createGPT(config, 2), tokenizer),
    scorer: () => ({ score: async (items: unknown[]) => items.map(() => 0) }),
  };
  return { t: makePolicyTask(ctx, REQUESTS[kind]), ctx };
}

describe('live settings', () => {
  it('are each taken by the policy worker’s loop they name', async () => {
    const live = SETTING_KEYS.flatMap((key) => {
      const l = (SETTINGS[key] as SettingSpec).live;
      return l && l.run !== 'rm' ? [{ key, ...l }] : [];
    });
    expect(live.map((l) => l.key)).toContain('ppo.klCoef');
    for (const kind of ['sft', 'ppo', 'rrhf', 'dpo', 'grpo'] as const) {
      const { t, ctx } = await task(kind);
      for (const l of live.filter((x) => x.run === kind)) {
        expect(() => t.update({ [l.field]: SETTINGS[l.key].default }), l.key).not.toThrow();
      }
      t.dispose();
      ctx.policy.model.dispose();
      ctx.ref.model.dispose();
    }
  });

  it('are the only ones: a loop refuses a setting the table does not mark live', async () => {
    expect((SETTINGS['ppo.ppoEpochs'] as SettingSpec).live).toBeUndefined();
    const { t, ctx } = await task('ppo');
    expect(() => t.update({ ppoEpochs: 2 })).toThrow(/cannot be changed in a ppo loop/);
    t.dispose();
    ctx.policy.model.dispose();
    ctx.ref.model.dispose();
  });
});
