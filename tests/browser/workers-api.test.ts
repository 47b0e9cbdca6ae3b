// The two workers' typed APIs end to end in Chromium, on wasm (fast here):
// sampling with streamed tokens, an SFT loop that streams metrics and obeys
// pause / step / resume / stop with a learning rate changed while paused, PPO
// whose scores come from the reward worker over the workers' own channel, and
// bad input answered by typed errors that keep their fields across the
// boundary. Also: the page thread itself never loads tfjs.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './harness';
import {
  LAB,
  labReady,
  loopResult,
  metricEvents,
  startPolicyLoop,
  tinyModel,
  waitForSteps,
} from './lab';

const { openApp } = useBrowser();

/** Runs `fn` on the workers in the page and returns the error it threw, fields included. */
async function errorOf(page: Page, call: string, arg: unknown) {
  return page.evaluate(
    async ([c, a]) => {
      const w = window.__lab!.workers!;
      const calls: Record<string, (x: unknown) => Promise<unknown>> = {
        sample: (x) => w.policy.api.sample(x as Parameters<typeof w.policy.api.sample>[0]),
        init: (x) => w.policy.api.init(x as { backend: string }),
        update: (x) => w.policy.api.updateSettings(x as Record<string, unknown>),
        score: (x) => w.reward.api.score(x as { prompt: string; response: string }[]),
        trainReward: (x) => w.reward.api.train(x as Parameters<typeof w.reward.api.train>[0]),
      };
      try {
        await calls[c as string](a);
        return null;
      } catch (e) {
        const err = e as Error & { argument?: string };
        return {
          isError: e instanceof Error,
          name: err.name,
          message: err.message,
          argument: err.argument,
        };
      }
    },
    [call, arg] as const,
  );
}

/** Every JS chunk the page loads statically, following imports (not worker URLs). */
async function pageChunks(page: Page): Promise<Map<string, string>> {
  const entry = await page.evaluate(() =>
    [...document.querySelectorAll<HTMLScriptElement>('script[src]')].map((s) => s.src),
  );
  const chunks = new Map<string, string>();
  const queue = [...entry];
  while (queue.length > 0) {
    const url = queue.shift()!;
    if (chunks.has(url)) continue;
    const text = await (await page.request.get(url)).text();
    chunks.set(url, text);
    const deps = text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*["'](\.{1,2}\/[^"']+\.js)["']/g);
    for (const m of deps) queue.push(new URL(m[1], url).href);
  }
  return chunks;
}

describe('policy and reward workers (wasm)', () => {
  it('sample, train with live controls, PPO over the channel, typed errors, no tfjs on the page', async () => {
    const { page } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    const report = await page.evaluate(() => window.__lab!.workers!.report);
    expect(report.backend).toBe('wasm');
    expect(report.source).toBe('override');
    await expect.poll(() => page.getByTestId('backend').getAttribute('data-backend')).toBe('wasm');

    // The page thread: no tfjs engine in its realm, and no tfjs in its chunk graph.
    const globals = await page.evaluate(() =>
      ['_tfengine', '_tfGlobals', 'tf'].filter((k) => k in globalThis),
    );
    expect(globals).toEqual([]);
    const chunks = await pageChunks(page);
    expect(chunks.size).toBeGreaterThan(0);
    for (const [url, text] of chunks) expect(text.includes('_tfengine'), url).toBe(false);

    const info = await tinyModel(page);
    expect(info.config).toMatchObject({ nLayer: 1, nEmbd: 32, blockSize: 32, scalarHead: true });

    // K completions per prompt, each token streamed as it is sampled.
    const sampled = await page.evaluate(async () => {
      const streamed: string[] = Array(8).fill('');
      let calls = 0;
      const r = await window.__lab!.workers!.policy.api.sample(
        { prompts: ['the ', 'a '], k: 4, maxNewTokens: 12, seed: 3 },
        (e) => {
          calls++;
          e.text.forEach((c, i) => (streamed[i] += c));
        },
      );
      return { r, streamed, calls };
    });
    expect(sampled.r.completions.map((c) => c.texts.length)).toEqual([4, 4]);
    expect(sampled.streamed).toEqual(sampled.r.completions.flatMap((c) => c.texts));
    expect(sampled.calls).toBeGreaterThan(0);
    expect(sampled.calls).toBeLessThanOrEqual(12);
    console.log(
      `wasm sampling: ${sampled.r.tokensPerSecond.toFixed(0)} tokens/s (8 rows, tiny model)`,
    );

    // An SFT loop: metrics every step; pause, change lr, single-step, resume, stop.
    await startPolicyLoop(page, {
      kind: 'sft',
      examples: await page.evaluate(() => window.__lab!.examples),
      settings: { lr: 3e-3, batchSize: 4, snapshotEvery: 5 },
    });
    await waitForSteps(page, 3);
    expect(await page.evaluate(() => window.__lab!.workers!.policy.api.pause())).toBe('paused');
    const atPause = (await metricEvents(page)).length;
    await page.waitForTimeout(400);
    expect((await metricEvents(page)).length).toBe(atPause);
    await page.evaluate(() => window.__lab!.workers!.policy.api.updateSettings({ lr: 1e-3 }));
    await page.evaluate(() => window.__lab!.workers!.policy.api.step());
    await waitForSteps(page, atPause + 1);
    await page.waitForTimeout(300);
    expect((await metricEvents(page)).length).toBe(atPause + 1);
    expect(await page.evaluate(() => window.__lab!.workers!.policy.api.state())).toBe('paused');
    await page.evaluate(() => window.__lab!.workers!.policy.api.resume());
    await waitForSteps(page, atPause + 6);
    await page.evaluate(() => window.__lab!.workers!.policy.api.stop());
    const summary = (await loopResult(page)) as { stoppedBy: string; step: number; steps: number };
    expect(summary.stoppedBy).toBe('stop');
    const events = await metricEvents(page);
    expect(summary.steps).toBe(events.length);
    expect(Object.keys(events[0].metrics).sort()).toEqual(['sft/grad_norm', 'sft/loss']);
    const losses = events.map((e) => e.metrics['sft/loss']);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]);
    const perStep = events.slice(1).reduce((a, e) => a + e.ms, 0) / (events.length - 1);
    console.log(`wasm SFT: ${perStep.toFixed(1)} ms/step (tiny model, batch 4)`);
    // The weights stay: the model reports the steps, and the client holds a checkpoint.
    expect((await page.evaluate(() => window.__lab!.workers!.policy.api.info())).step).toBe(
      summary.step,
    );
    expect(await page.evaluate(() => window.__lab!.workers!.policy.snapshot?.step)).toBe(
      summary.step,
    );

    // PPO: the policy worker asks the reward worker for scores directly.
    await page.evaluate(() =>
      window.__lab!.workers!.reward.api.createModel({ ...window.__lab!.tinyModel, seed: 2 }),
    );
    await startPolicyLoop(page, {
      kind: 'ppo',
      prompts: ['the ', 'a '],
      settings: { lr: 1e-3, batchSize: 2, maxSteps: 2, maxNewTokens: 8 },
      ppo: { ppoEpochs: 1 },
    });
    expect((await loopResult(page)) as { steps: number }).toMatchObject({ steps: 2 });
    const ppo = (await metricEvents(page)).map((e) => e.metrics);
    for (const k of [
      'objective/kl',
      'objective/kl_coef',
      'ppo/loss/total',
      'ppo/loss/value',
      'env/reward_mean',
    ]) {
      expect(Number.isFinite(ppo[1][k]), k).toBe(true);
    }
    expect(await page.evaluate(() => window.__lab!.workers!.reward.api.scoreCalls())).toEqual({
      page: 0,
      policy: 2,
    });

    // Bad input: typed errors, message and argument intact across the boundary.
    const badK = await errorOf(page, 'sample', { prompts: ['the '], k: 12 });
    expect(badK).toMatchObject({ isError: true, name: 'ArgumentError', argument: 'k' });
    expect(badK!.message).toBe('k: is 12; expected an integer from 2 to 9');
    expect(await errorOf(page, 'sample', { prompts: [], k: 4 })).toMatchObject({
      name: 'ArgumentError',
      argument: 'prompts',
      message: 'prompts: is empty; give at least one prompt',
    });
    const badBackend = await errorOf(page, 'init', { backend: 'tpu' });
    expect(badBackend).toMatchObject({ name: 'ArgumentError', argument: 'backend' });
    expect(badBackend!.message).toContain('expected one of webgpu, webgl, wasm, cpu');
    expect(await errorOf(page, 'update', { lr: 1e-3 })).toMatchObject({
      name: 'ArgumentError',
      argument: 'updateSettings',
    });
    expect(await errorOf(page, 'score', [])).toMatchObject({
      name: 'ArgumentError',
      argument: 'items',
    });

    // A prompt longer than the context is cut from the left, and the caller is told.
    const long = await page.evaluate(() =>
      window.__lab!.workers!.policy.api.sample({
        prompts: ['the cat sat on the mat. '.repeat(3)],
        k: 2,
        maxNewTokens: 8,
      }),
    );
    expect(long.truncated).toEqual([72 - 24]);
    expect(long.warnings[0]).toContain('dropped the first 48');
  });

  it('pretrains on text, runs ranked RRHF, changes β while paused, trains and evaluates the RM', async () => {
    const { page } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    const text = 'the cat sat on the mat. the dog ate a bone. '.repeat(4);
    await page.evaluate(
      (t) => window.__lab!.workers!.policy.api.createModel({ ...window.__lab!.tinyModel, text: t }),
      text,
    );
    await startPolicyLoop(page, {
      kind: 'pretrain',
      text,
      settings: { lr: 3e-3, batchSize: 4, maxSteps: 3 },
    });
    expect(await loopResult(page)).toMatchObject({ kind: 'pretrain', steps: 3 });
    expect(Object.keys((await metricEvents(page))[0].metrics)).toContain('sft/loss');

    // RRHF on candidates a person ranked (no reward model involved).
    await startPolicyLoop(page, {
      kind: 'rrhf',
      groups: [{ prompt: 'the ', candidates: ['cat sat.', 'dog', 'a bone.'], ranks: [0, 2, 1] }],
      settings: { lr: 1e-3, batchSize: 1, maxSteps: 2 },
    });
    await loopResult(page);
    const rrhf = (await metricEvents(page))[0].metrics;
    for (const k of ['rrhf/loss/rank', 'rrhf/loss/sft', 'rrhf/loss/total'])
      expect(Number.isFinite(rrhf[k]), k).toBe(true);

    // The reward model, started from the policy's checkpoint, trained on rankings.
    const rm = await page.evaluate(async () => {
      const w = window.__lab!.workers!;
      await w.reward.api.loadCheckpoint((await w.policy.refreshSnapshot()).policy);
      const groups = [
        { prompt: 'the ', completions: ['cat sat.', 'dog', 'a bone.'], ranks: [0, 2, 1] },
        { prompt: 'a ', completions: ['bone', 'mat'], grades: [0.9, 0.2] },
      ];
      const events: number[] = [];
      const summary = await w.reward.api.train(
        { groups, settings: { lr: 3e-3, batchSize: 2, maxSteps: 20, seed: 1 } },
        (e) => {
          if (e.type === 'metrics') events.push(e.metrics['rm/loss']);
        },
      );
      const evaluation = await w.reward.api.evaluate(groups);
      const shift = await w.reward.api.normalize([{ prompt: 'the ', response: 'cat sat.' }]);
      const [score] = await w.reward.api.score([{ prompt: 'the ', response: 'cat sat.' }]);
      return { summary, events, evaluation, shift, score, snapshot: w.reward.snapshot?.step };
    });
    expect(rm.summary.steps).toBe(20);
    expect(rm.events.at(-1)!).toBeLessThan(rm.events[0]);
    expect(rm.evaluation.pairs).toBe(4);
    expect(Number.isFinite(rm.shift)).toBe(true);
    expect(Math.abs(rm.score)).toBeLessThan(1e-4); // normalised: the demonstration scores 0
    expect(rm.snapshot).toBe(rm.summary.step); // it started from the policy at step 5
    expect(rm.summary.step).toBe(25);

    // A head trained to be read at the last token is read there after its checkpoint
    // is loaded again (an SFT checkpoint in between resets the readout to the ending).
    const readout = await page.evaluate(async () => {
      const w = window.__lab!.workers!;
      const items = [
        { prompt: 'the ', response: 'cat sat.' },
        { prompt: 'the ', response: 'a bone.' },
      ];
      const groups = [
        { prompt: 'the ', completions: ['cat sat.', 'dog', 'a bone.'], ranks: [0, 2, 1] },
      ];
      const settings = { lr: 3e-2, batchSize: 1, maxSteps: 3, seed: 2, trains: 'head' as const };
      await w.reward.api.train({ groups, settings: { ...settings, readout: 'last' } });
      const trained = await w.reward.api.score(items);
      const bytes = await w.reward.api.checkpoint();
      await w.reward.api.loadCheckpoint(bytes.slice());
      const restored = await w.reward.api.score(items);
      // The same weights (one step at a negligible rate) read at the ending, as a
      // checkpoint that named no readout would be.
      await w.reward.api.train({ groups, settings: { ...settings, lr: 1e-12, maxSteps: 1 } });
      const atEnding = await w.reward.api.score(items);
      return { trained, restored, atEnding };
    });
    readout.restored.forEach((r, i) => expect(r).toBeCloseTo(readout.trained[i], 5));
    expect(Math.abs(readout.atEnding[0] - readout.trained[0])).toBeGreaterThan(1e-3);
    const badReadout = await errorOf(page, 'trainReward', {
      groups: [{ prompt: 'the ', completions: ['cat sat.', 'dog'], ranks: [0, 1] }],
      settings: { lr: 1e-3, batchSize: 1, maxSteps: 1, readout: 'middle' },
    });
    expect(badReadout).toMatchObject({ name: 'ArgumentError', argument: 'settings' });

    // PPO's β changes while paused and the next step uses it.
    await startPolicyLoop(page, {
      kind: 'ppo',
      prompts: ['the '],
      settings: {
        lr: 1e-3,
        batchSize: 2,
        maxSteps: 5,
        maxNewTokens: 4,
        startPaused: true,
      },
      ppo: { ppoEpochs: 1 },
    });
    await page.evaluate(() => window.__lab!.workers!.policy.api.updateSettings({ klCoef: 0.05 }));
    await page.evaluate(() => window.__lab!.workers!.policy.api.step());
    await waitForSteps(page, 1);
    expect((await metricEvents(page))[0].metrics['objective/kl_coef']).toBe(0.05);
    const bad = await errorOf(page, 'update', { beta: 1 });
    expect(bad).toMatchObject({ name: 'ArgumentError', argument: 'settings.beta' });
    await page.evaluate(() => window.__lab!.workers!.policy.api.stop());
    expect(await loopResult(page)).toMatchObject({ steps: 1, stoppedBy: 'stop' });
  });
});
