// No tensor leaks in the workers' loops: tf.memory().numTensors, reported with
// every step's metrics, stays flat across 100 steps of SFT, reward-model
// training, PPO and RRHF (tiny model, wasm), and comes back to where it was
// once a loop ends (its optimizer freed).
//
// Every batch has one sequence length: the GPT caches a causal mask per length
// it has seen (bounded by the context, so not a leak), which would add one
// tensor whenever a new length turns up. Demonstrations and ranked groups are
// written with equal lengths; PPO and RRHF sample 8 rows of at most 4 tokens,
// so some row runs to the full 4 (all 8 ending early has odds of about 1e-7).
// A 3-step warm-up run of each loop fills that cache before counting.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './harness';
import { LAB, labReady, loopResult, metricEvents, startPolicyLoop, tinyModel } from './lab';

const { openApp } = useBrowser();
const STEPS = 100;

async function tensors(page: Page, worker: 'policy' | 'reward'): Promise<number> {
  return page.evaluate(
    async (w) => (await window.__lab!.workers![w].api.memory()).numTensors,
    worker,
  );
}

async function runReward(page: Page, maxSteps: number) {
  return page.evaluate(async (n) => {
    window.__t.events = [];
    const groups = [
      { prompt: 'the ', completions: ['cat.', 'dog.', 'mat.'], ranks: [0, 1, 2] },
      { prompt: 'ate ', completions: ['bone', 'mate', 'tone'], ranks: [1, 0, 1] },
    ];
    const settings = { lr: 1e-3, batchSize: 2, maxSteps: n, snapshotEvery: 50 };
    return window.__lab!.workers!.reward.api.train({ groups, settings }, (e) =>
      window.__t.events.push(e),
    );
  }, maxSteps);
}

describe('worker memory', () => {
  it('stays flat over 100 steps of SFT, RM, PPO and RRHF', async () => {
    const { page } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    await tinyModel(page);
    await page.evaluate(() =>
      window.__lab!.workers!.reward.api.createModel({ ...window.__lab!.tinyModel, seed: 2 }),
    );
    const base = { lr: 1e-4, snapshotEvery: 50, maxNewTokens: 4, ppoEpochs: 1, k: 2 };
    const loops = {
      sft: {
        kind: 'sft',
        examples: [
          { prompt: 'the cat ', response: 'sat.' },
          { prompt: 'the dog ', response: 'ate.' },
        ],
        settings: { ...base, batchSize: 2 },
      },
      ppo: { kind: 'ppo', prompts: ['the ', 'a ca'], settings: { ...base, batchSize: 8 } },
      rrhf: { kind: 'rrhf', prompts: ['the ', 'a ca'], settings: { ...base, batchSize: 4 } },
      reward: null,
    };

    for (const [name, req] of Object.entries(loops)) {
      const worker = name === 'reward' ? 'reward' : 'policy';
      const run = async (maxSteps: number) => {
        if (!req) return runReward(page, maxSteps);
        await startPolicyLoop(page, { ...req, settings: { ...req.settings, maxSteps } });
        return loopResult(page);
      };
      await run(3);
      const before = await tensors(page, worker);
      await run(STEPS);
      const series = (await metricEvents(page)).map((e) => e.tensors);
      expect(series.length, name).toBe(STEPS);
      // After the first step (which creates Adam's moments) nothing may move.
      expect(new Set(series.slice(1)).size, `${name}: ${series.join(',')}`).toBe(1);
      expect(await tensors(page, worker), `${name}: after the loop`).toBe(before);
      const ms = (await metricEvents(page)).slice(1).reduce((a, e) => a + e.ms, 0) / (STEPS - 1);
      console.log(`${name}: ${series[1]} tensors through ${STEPS} steps, ${ms.toFixed(1)} ms/step`);
    }
  });
});
