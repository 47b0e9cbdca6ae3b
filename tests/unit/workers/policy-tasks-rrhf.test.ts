// RRHF's candidates in the policy worker's loop task, on tiny models in Node
// (cpu): with `candidates: 'sft'` the k candidates per prompt are the frozen
// reference model's answers and one answer of the policy per prompt is scored
// beside them for the curves; with `'policy'` the candidates are the policy's.
// Greedy sampling (temperature 0) makes each model's answer independent of
// the task's seeds, so the expected texts are computed here on their own.
import { beforeAll, describe, expect, it } from 'vitest';
import { createGPT, type GPT } from '../../../src/core/model/gpt';
import { sample } from '../../../src/core/sample';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

const PROMPTS = ['ab', 'ea', 'ci', 'uf'];
const NEW_TOKENS = 5;

async function greedy(model: GPT, prompt: string): Promise<string> {
  const out = await sample(model, [tokenizer.encode(prompt)], {
    maxNewTokens: NEW_TOKENS,
    temperature: 0,
    seed: 0,
  });
  return tokenizer.decode(out.tokens[0]);
}

/** Runs one RRHF step; returns what the scorer was asked, with the scores it gave, and the metrics. */
async function oneStep(
  candidates: 'sft' | 'policy' | 'mixed',
  sampling: { temperature: number; topP?: number } = { temperature: 0 },
) {
  const policy = createGPT(tinyConfig, 1);
  const ref = createGPT(tinyConfig, 2);
  const scored: { prompt: string; response: string; score: number }[] = [];
  const ctx = {
    policy: await ModelSlot.create(policy, tokenizer),
    ref: await ModelSlot.create(ref, tokenizer),
    scorer: () => ({
      // A score the test can recompute: the number of vowels in the answer.
      score: async (items: { prompt: string; response: string }[]) =>
        items.map((it) => {
          const score = [...it.response].filter((c) => 'aeiou'.includes(c)).length;
          scored.push({ ...it, score });
          return score;
        }),
    }),
  };
  const expected = {
    policy: new Map<string, string>(),
    ref: new Map<string, string>(),
  };
  for (const p of PROMPTS) {
    expected.policy.set(p, await greedy(policy, p));
    expected.ref.set(p, await greedy(ref, p));
  }
  const req: TrainRequest = {
    kind: 'rrhf',
    prompts: PROMPTS,
    settings: {
      lr: 1e-3,
      batchSize: 2,
      k: 2,
      maxNewTokens: NEW_TOKENS,
      ...sampling,
      seed: 7,
      candidates,
    },
  };
  const task = makePolicyTask(ctx, req);
  const metrics = await task.step();
  task.dispose();
  policy.dispose();
  ref.dispose();
  return { scored, metrics, expected };
}

describe('RRHF candidates', () => {
  it('come from the SFT model, with one policy answer per prompt for the curves', async () => {
    const { scored, metrics, expected } = await oneStep('sft');
    // The two tiny models must write differently, or the test could not tell them apart.
    expect(PROMPTS.some((p) => expected.policy.get(p) !== expected.ref.get(p))).toBe(true);
    // 2 prompts × k = 2 candidates, then the policy's 2 answers.
    expect(scored).toHaveLength(6);
    const candidates = scored.slice(0, 4);
    const own = scored.slice(4);
    for (const c of candidates) expect(c.response).toBe(expected.ref.get(c.prompt));
    for (const o of own) expect(o.response).toBe(expected.policy.get(o.prompt));
    expect(new Set(own.map((o) => o.prompt))).toEqual(new Set(candidates.map((c) => c.prompt)));
    const ownMean = (own[0].score + own[1].score) / 2;
    expect(metrics['rrhf/reward_mean']).toBeCloseTo(ownMean, 10);
    expect(metrics['env/reward_mean']).toBeCloseTo(ownMean, 10);
    expect(Number.isFinite(metrics['rrhf/loss/sft'])).toBe(true);
  });

  it('come from the policy itself when asked, and its mean score is theirs', async () => {
    const { scored, metrics, expected } = await oneStep('policy');
    expect(scored).toHaveLength(4);
    for (const c of scored) expect(c.response).toBe(expected.policy.get(c.prompt));
    const mean = scored.reduce((a, c) => a + c.score, 0) / scored.length;
    expect(metrics['rrhf/reward_mean']).toBeCloseTo(mean, 10);
  });

  it('come half from SFT and half from the policy when mixed, the curves reading the policy’s half', async () => {
    const { scored, metrics, expected } = await oneStep('mixed');
    // 2 prompts × k = 2: one candidate from SFT and one from the policy for each prompt.
    expect(scored).toHaveLength(4);
    const fromSft = scored.slice(0, 2);
    const own = scored.slice(2);
    for (const c of fromSft) expect(c.response).toBe(expected.ref.get(c.prompt));
    for (const o of own) expect(o.response).toBe(expected.policy.get(o.prompt));
    expect(new Set(own.map((o) => o.prompt))).toEqual(new Set(fromSft.map((c) => c.prompt)));
    expect(metrics['rrhf/reward_mean']).toBeCloseTo((own[0].score + own[1].score) / 2, 10);
    expect(Number.isFinite(metrics['rrhf/loss/sft'])).toBe(true);
  });

  it('are drawn with the nucleus asked for (top-p), not from the whole distribution', async () => {
    // At temperature 1 a tiny random model spreads its probability over the
    // vocabulary: its candidates differ from the greedy answers...
    const whole = await oneStep('mixed', { temperature: 1, topP: 1 });
    expect(
      whole.scored.some(
        (c, i) => c.response !== whole.expected[i < 2 ? 'ref' : 'policy'].get(c.prompt),
      ),
    ).toBe(true);
    // ...and with a nucleus smaller than any one character's probability,
    // each candidate is its model's most likely answer.
    const nucleus = await oneStep('mixed', { temperature: 1, topP: 1e-6 });
    nucleus.scored.forEach((c, i) =>
      expect(c.response).toBe(nucleus.expected[i < 2 ? 'ref' : 'policy'].get(c.prompt)),
    );
  });

  it('refuses an unknown source with a message that names it', async () => {
    const policy = createGPT(tinyConfig, 1);
    const ctx = {
      policy: await ModelSlot.create(policy, tokenizer),
      ref: await ModelSlot.create(policy, tokenizer),
      scorer: () => ({ score: async () => [] }),
    };
    const req = {
      kind: 'rrhf',
      prompts: PROMPTS,
      settings: { lr: 1e-3, batchSize: 2, candidates: 'reference' },
    } as unknown as TrainRequest;
    expect(() => makePolicyTask(ctx, req)).toThrow(
      /settings\.candidates: is reference; expected one of sft, policy, mixed/,
    );
    policy.dispose();
  });
});
