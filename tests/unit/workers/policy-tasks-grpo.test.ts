// The group loop (GRPO, Dr. GRPO, RLOO) in the policy worker, on tiny models in
// Node (cpu): K answers of the policy per prompt go to the reward worker's
// scorer, and the rewards the trainer reports are exactly the scores it gave.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGPT } from '../../../src/core/model/gpt';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

async function run(mode: 'grpo' | 'dr-grpo' | 'rloo', missingEosPenalty?: number) {
  const scored: { prompt: string; response: string; score: number }[][] = [];
  const ctx = {
    policy: await ModelSlot.create(createGPT(tinyConfig, 1), tokenizer),
    ref: await ModelSlot.create(createGPT(tinyConfig, 2), tokenizer),
    scorer: () => ({
      // A score the test can recompute: the number of vowels in the answer.
      score: async (items: { prompt: string; response: string }[]) => {
        const out = items.map((it) => ({
          ...it,
          score: [...it.response].filter((c) => 'aeiou'.includes(c)).length,
        }));
        scored.push(out);
        return out.map((o) => o.score);
      },
    }),
  };
  const req: TrainRequest = {
    kind: 'grpo',
    prompts: ['ab', 'ea'],
    settings: {
      lr: 1e-3,
      batchSize: 2,
      seed: 5,
      maxNewTokens: 5,
      k: 3,
      mode,
      beta: 0.04,
      ...(missingEosPenalty === undefined ? {} : { missingEosPenalty }),
    },
  };
  const task = makePolicyTask(ctx, req);
  const m = await task.step();
  task.dispose();
  ctx.policy.model.dispose();
  ctx.ref.model.dispose();
  return { m, scored };
}

describe('the group loop task', () => {
  it.each(['grpo', 'dr-grpo', 'rloo'] as const)(
    '%s: K answers per prompt are scored once, and the trainer learns from those scores',
    async (mode) => {
      const { m, scored } = await run(mode);
      expect(scored).toHaveLength(1);
      const batch = scored[0];
      // 2 prompts × K = 3, each prompt's answers together.
      expect(batch).toHaveLength(6);
      for (let g = 0; g < 2; g++) {
        const group = batch.slice(g * 3, g * 3 + 3);
        expect(new Set(group.map((x) => x.prompt)).size).toBe(1);
      }
      const scores = batch.map((x) => x.score);
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      expect(m.reward).toBeCloseTo(mean, 6);
      expect(m['grpo/reward_mean']).toBeCloseTo(mean, 6);
      expect(Number.isFinite(m.loss)).toBe(true);
      expect(m.kl).toBeGreaterThanOrEqual(0);
    },
  );

  it('an answer that does not end within the sample has the missing-EOS penalty subtracted', async () => {
    const { m, scored } = await run('grpo', 2);
    const batch = scored[0];
    // One character a token: an answer of all 5 new tokens did not end (no EOS).
    const unfinished = batch.map((x) => ([...x.response].length === 5 ? 1 : 0));
    expect(unfinished.some((u) => u === 1)).toBe(true);
    const learnt = batch.map((x, i) => x.score - 2 * unfinished[i]);
    const mean = learnt.reduce((a, b) => a + b, 0) / learnt.length;
    expect(m['grpo/reward_mean']).toBeCloseTo(mean, 6);
    expect(m.reward).toBeCloseTo(mean, 6);
  });
});
