// The answers every optimiser loop reports for replaying training, on tiny
// models in Node (cpu): at most four a step, each with the scores the loop
// gave it and a per-token KL that matches log π(y_j) − log π_SFT(y_j)
// computed here in float64 from the two models' logits (the policy's as it
// was when it wrote the answer); and no tensor left behind, step after step.
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { EOS_ID, copyWeights, type GPT } from '../../../src/core';
import { createGPT } from '../../../src/core/model/gpt';
import { makeLabeler } from '../../../src/core/labelers';
import type { IterationSample } from '../../../workers/iteration-samples';
import { shownRows } from '../../../workers/iteration-samples';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

const config = { ...tinyConfig, scalarHead: true };
const gold = { kind: 'happy-ending' } as const;
const base = { lr: 0.05, seed: 7, maxNewTokens: 6, gold };

/** The reward model's stand-in: the number of vowels, which the test can recompute. */
const vowels = (text: string) => [...text].filter((c) => 'aeiou'.includes(c)).length;

const requests: Record<string, TrainRequest> = {
  ppo: {
    kind: 'ppo',
    prompts: ['ab', 'ea', 'cd'],
    settings: { ...base, batchSize: 6 },
    ppo: { miniBatchSize: 3, ppoEpochs: 1, klCoef: 0.1 },
  },
  grpo: {
    kind: 'grpo',
    prompts: ['ab', 'ea'],
    settings: { ...base, batchSize: 2, k: 3 },
  },
  rrhf: { kind: 'rrhf', prompts: ['ab', 'ea'], settings: { ...base, batchSize: 2, k: 2 } },
  'rrhf (policy)': {
    kind: 'rrhf',
    prompts: ['ab', 'ea'],
    settings: { ...base, batchSize: 2, k: 2, candidates: 'policy' },
  },
  'rrhf (mixed)': {
    kind: 'rrhf',
    prompts: ['ab', 'ea'],
    settings: { ...base, batchSize: 2, k: 3, candidates: 'mixed' },
  },
  dpo: {
    kind: 'dpo',
    groups: [{ prompt: 'ab', candidates: ['ea', 'ci'], ranks: [0, 1] }],
    prompts: ['ab', 'ea', 'cd', 'ee', 'fa'],
    settings: { ...base, batchSize: 1 },
  },
};

async function context() {
  return {
    policy: await ModelSlot.create(createGPT(config, 1), tokenizer),
    ref: await ModelSlot.create(createGPT(config, 2), tokenizer),
    scorer: () => ({
      score: async (items: { response: string }[]) => items.map((it) => vowels(it.response)),
    }),
  };
}

/** log-softmax in float64 of each row of logits [T, V], at the next token of `ids`. */
async function logprobs64(model: GPT, ids: number[]): Promise<number[]> {
  const input = tf.tensor2d([ids], [1, ids.length], 'int32');
  const { logits, head } = model.forward(input);
  const z = await logits.data();
  tf.dispose([input, logits, head ?? []]);
  const V = model.config.vocabSize;
  const out: number[] = [];
  for (let t = 0; t + 1 < ids.length; t++) {
    const row = Array.from(z.subarray(t * V, (t + 1) * V), Number);
    const max = Math.max(...row);
    const logSum = Math.log(row.reduce((s, x) => s + Math.exp(x - max), 0)) + max;
    out.push(row[ids[t + 1]] - logSum);
  }
  return out;
}

/** The response's ids from its decoded tokens ('' is the end of the answer). */
const idsOf = (s: IterationSample) =>
  s.tokens.map((x) => (x === '' ? EOS_ID : tokenizer.encode(x)[0]));

describe('the samples an optimiser loop reports each iteration', () => {
  it.each(['ppo', 'grpo', 'rrhf', 'dpo'])(
    '%s: per-token KL to the SFT model as float64 logits give it, with the loop’s scores',
    async (kind) => {
      const ctx = await context();
      const task = makePolicyTask(ctx, requests[kind]);
      // The policy as it was before the update (DPO samples after its update, from the new one).
      const writer = createGPT(config, 3);
      copyWeights(ctx.policy.model, writer);
      await task.step();
      if (kind === 'dpo') copyWeights(ctx.policy.model, writer);
      const samples = task.takeSamples!()!;
      expect(task.takeSamples!(), 'taken once').toBeNull();
      expect(samples.length).toBeGreaterThan(0);
      expect(samples.length).toBeLessThanOrEqual(4);
      const labeler = makeLabeler(gold);
      let compared = 0;
      for (const s of samples) {
        expect(s.tokens.join('')).toBe(s.response);
        expect(s.tokenKl).toHaveLength(s.tokens.length);
        const prompt = tokenizer.encode(s.prompt);
        const ids = [...prompt, ...idsOf(s)];
        const pol = await logprobs64(writer, ids);
        const ref = await logprobs64(ctx.ref.model, ids);
        s.tokenKl.forEach((kl, j) => {
          const t = prompt.length - 1 + j;
          expect(Math.abs(kl - (pol[t] - ref[t])), `${kind} token ${j}`).toBeLessThan(1e-4);
          compared++;
        });
        if (kind === 'dpo') expect(s.rm).toBeNaN();
        else expect(s.rm).toBe(vowels(s.response));
        expect(s.gold).toBe(labeler.score(s.response, s.prompt));
      }
      expect(compared).toBeGreaterThan(samples.length);
      task.dispose();
      writer.dispose();
      ctx.policy.model.dispose();
      ctx.ref.model.dispose();
    },
  );

  it.each(['ppo', 'grpo', 'rrhf', 'rrhf (policy)', 'rrhf (mixed)', 'dpo'])(
    '%s: the tensor count stays flat from step to step',
    async (kind) => {
      const ctx = await context();
      // Each model keeps one causal mask per sequence length it has read: make them all
      // first, so that an answer of a new length does not count as a tensor left behind.
      for (const m of [ctx.policy.model, ctx.ref.model]) {
        for (let T = 1; T <= config.blockSize; T++) {
          tf.tidy(() => m.forward(tf.zeros([1, T], 'int32') as tf.Tensor2D).logits);
        }
      }
      const task = makePolicyTask(ctx, requests[kind]);
      const counts: number[] = [];
      for (let i = 0; i < 6; i++) {
        await task.step();
        expect(task.takeSamples!()?.length).toBeGreaterThan(0);
        counts.push(tf.memory().numTensors);
      }
      expect(counts.slice(1)).toEqual(counts.slice(1).map(() => counts[1]));
      task.dispose();
      ctx.policy.model.dispose();
      ctx.ref.model.dispose();
    },
  );

  it('shows at most four answers, spread over the batch', () => {
    expect(shownRows(2)).toEqual([0, 1]);
    expect(shownRows(6)).toEqual([0, 1, 3, 4]);
    expect(shownRows(8)).toEqual([0, 2, 4, 6]);
  });
});
