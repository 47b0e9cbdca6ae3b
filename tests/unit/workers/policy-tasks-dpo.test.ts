// DPO in the policy worker's loop task, on tiny models in Node (cpu): the
// rankings become every pair of each ranking (ties skipped) against the frozen
// reference model, the step's metrics are those of DpoTrainer on the pairs the
// task picked, and the gold labeler scores what the policy writes after it.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EOS_ID } from '../../../src/core';
import { createGPT } from '../../../src/core/model/gpt';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

async function context() {
  return {
    policy: await ModelSlot.create(createGPT(tinyConfig, 1), tokenizer),
    ref: await ModelSlot.create(createGPT(tinyConfig, 2), tokenizer),
    scorer: () => ({ score: async (items: unknown[]) => items.map(() => 0) }),
  };
}

const settings = { lr: 1e-3, batchSize: 1, seed: 3, maxNewTokens: 4, beta: 0.5 };

describe('the DPO loop task', () => {
  it('trains on the pairs of the rankings: one pair a step, chosen before rejected', async () => {
    const ctx = await context();
    // One ranking, a tie between the last two: its pairs are (0 ≻ 1) and (0 ≻ 2) only.
    const req: TrainRequest = {
      kind: 'dpo',
      groups: [{ prompt: 'ab', candidates: ['ea', 'ci', 'uf'], ranks: [0, 1, 1] }],
      settings,
    };
    // The chosen answer of every pair is 'ea' (with EOS): its log-probability under the
    // policy before the update is the same whichever pair was picked.
    const ids = [...tokenizer.encode('ab'), ...tokenizer.encode('ea'), EOS_ID];
    const input = tf.tensor2d([ids], [1, ids.length], 'int32');
    const { logits } = ctx.policy.model.forward(input);
    const logSoftmax = tf.logSoftmax(logits);
    const lp = await logSoftmax.data();
    tf.dispose([input, logits, logSoftmax]);
    const V = tinyConfig.vocabSize;
    let chosen = 0;
    for (let t = 2; t < ids.length; t++) chosen += lp[(t - 1) * V + ids[t]];
    const task = makePolicyTask(ctx, req);
    const m = await task.step();
    expect(m['logps/chosen']).toBeCloseTo(chosen, 3);
    for (const key of ['loss', 'rewards/chosen', 'rewards/rejected', 'rewards/margins']) {
      expect(Number.isFinite(m[key]), key).toBe(true);
    }
    task.dispose();
    ctx.policy.model.dispose();
    ctx.ref.model.dispose();
  });

  it('scores the policy’s answers with the gold labeler after each step', async () => {
    const ctx = await context();
    const req: TrainRequest = {
      kind: 'dpo',
      groups: [{ prompt: 'ab', candidates: ['ea', 'ci'], ranks: [0, 1] }],
      settings: { ...settings, gold: { kind: 'happy-ending' } },
    };
    const task = makePolicyTask(ctx, req);
    const m = await task.step();
    expect(m['dpo/gold_mean']).toBeGreaterThanOrEqual(0);
    expect(m['dpo/gold_mean']).toBeLessThanOrEqual(1);
    task.dispose();
    ctx.policy.model.dispose();
    ctx.ref.model.dispose();
  });

  it('refuses rankings that hold no pair, and no rankings at all', async () => {
    const ctx = await context();
    const ties: TrainRequest = {
      kind: 'dpo',
      groups: [{ prompt: 'ab', candidates: ['ea', 'ci'], ranks: [0, 0] }],
      settings,
    };
    expect(() => makePolicyTask(ctx, ties)).toThrow(/no pair that is not a tie/);
    expect(() => makePolicyTask(ctx, { kind: 'dpo', groups: [], settings })).toThrow(
      /groups: is empty/,
    );
    ctx.policy.model.dispose();
    ctx.ref.model.dispose();
  });
});
