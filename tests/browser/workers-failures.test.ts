// Failures in the workers, each provoked for real through a test hook (the
// page has ?testHooks=1), and the recovery the page sees:
//   NaN in the loss     → rolled back to the last good weights, paused, a notice naming it;
//   GPU out of memory   → the batch halves until it fits, with notices;
//   a worker dies       → the page restarts it and restores its last snapshot;
//   WebGPU device lost  → the worker re-initialises, restores, resumes; a notice.
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';
import {
  LAB,
  labReady,
  loopResult,
  loopNotices,
  metricEvents,
  startPolicyLoop,
  tinyModel,
  waitForLoopNotice,
  waitForSteps,
} from './lab';

const { openApp } = useBrowser();

const sft = (settings: Record<string, unknown>) => ({
  kind: 'sft',
  examples: [
    { prompt: 'the cat ', response: 'sat on the mat.\n' },
    { prompt: 'the dog ', response: 'ate a bone.\n' },
  ],
  settings: { lr: 3e-3, batchSize: 4, snapshotEvery: 2, ...settings },
});

describe('worker failures', () => {
  it('rolls back, pauses and names the metric when the loss is NaN', async () => {
    const { page } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    await tinyModel(page);
    await startPolicyLoop(page, sft({ maxSteps: 50 }));
    await waitForSteps(page, 4);
    await page.evaluate(() => window.__lab!.workers!.policy.hooks.poisonNextStep());
    const notice = await waitForLoopNotice(page, 'non-finite');
    expect(notice.message).toMatch(/^sft\/loss became non-finite at step \d+: nothing was applied/);
    expect(notice.message).toContain('Try a lower learning rate (now 0.003)');
    expect(await page.evaluate(() => window.__lab!.workers!.policy.api.state())).toBe('paused');
    await expect.poll(() => page.locator('[data-kind="non-finite"]').count()).toBe(1);
    // The weights of the last snapshot (every 2 steps) came back: training goes on finite.
    const steps = (await metricEvents(page)).map((e) => e.step);
    expect(notice.step).toBe(Math.floor(steps.at(-1)! / 2) * 2);
    await page.evaluate(() => window.__lab!.workers!.policy.api.updateSettings({ lr: 1e-3 }));
    await page.evaluate(() => window.__lab!.workers!.policy.api.resume());
    await waitForSteps(page, steps.length + 3);
    await page.evaluate(() => window.__lab!.workers!.policy.api.stop());
    await loopResult(page);
    const after = (await metricEvents(page)).slice(steps.length);
    expect(after[0].step).toBe(notice.step + 1);
    expect(after.every((e) => Number.isFinite(e.metrics['sft/loss']))).toBe(true);
  });

  it('halves the batch when the GPU runs out of memory', async () => {
    const { page } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    await tinyModel(page);
    await page.evaluate(() => window.__lab!.workers!.policy.hooks.simulateOomAbove(2));
    await startPolicyLoop(page, sft({ batchSize: 8, maxSteps: 3 }));
    await loopResult(page);
    const oom = (await loopNotices(page)).filter((n) => n.kind === 'out-of-memory');
    expect(oom.map((n) => n.message)).toEqual([
      'Out of memory on wasm with a batch of 8; continuing with a batch of 4.',
      'Out of memory on wasm with a batch of 4; continuing with a batch of 2.',
    ]);
    expect((await metricEvents(page)).map((e) => e.batchSize)).toEqual([2, 2, 2]);
  });

  it('restarts a worker that dies and restores its last snapshot', async () => {
    const { page, log } = await openApp(`${LAB}&backend=wasm`);
    await labReady(page);
    await tinyModel(page);
    await page.evaluate(() =>
      window.__lab!.workers!.reward.api.createModel({ ...window.__lab!.tinyModel, seed: 2 }),
    );
    await startPolicyLoop(page, sft({}));
    await waitForSteps(page, 5);
    const killedAt = await page.evaluate(() => {
      window.__lab!.workers!.policy.hooks.killWorker();
      return window.__lab!.workers!.policy.snapshot!.step;
    });
    const notice = await page.waitForFunction(
      () =>
        window.__lab!.workers!.notices.find((n) =>
          n.message.startsWith('The policy worker stopped unexpectedly. Restarted'),
        ),
      null,
      { timeout: 30_000 },
    );
    // Restored from the latest snapshot the page holds (one may still have
    // arrived after the kill: it was on its way).
    const snapshot = await page.evaluate(() => {
      const s = window.__lab!.workers!.policy.snapshot!;
      return { step: s.step, bytes: Array.from(s.policy) };
    });
    expect(snapshot.step).toBeGreaterThanOrEqual(killedAt);
    expect(((await notice.jsonValue()) as { message: string }).message).toBe(
      `The policy worker stopped unexpectedly. Restarted it on wasm; restored its model from step ${snapshot.step}.`,
    );
    // The loop that was running reports the death instead of hanging.
    expect(await page.evaluate(() => window.__t.run!.then(() => window.__t.error))).toMatchObject({
      name: 'WorkerDiedError',
    });
    const restored = await page.evaluate(async () => {
      const w = window.__lab!.workers!;
      const info = await w.policy.api.info();
      const now = await w.policy.refreshSnapshot();
      return { step: info.step, bytes: Array.from(now.policy) };
    });
    expect(restored.step).toBe(snapshot.step);
    expect(restored.bytes).toEqual(snapshot.bytes);
    // The new worker talks to the reward worker again (a fresh channel).
    await startPolicyLoop(page, {
      kind: 'ppo',
      prompts: ['the '],
      settings: { lr: 1e-3, batchSize: 2, maxSteps: 1, maxNewTokens: 4 },
      ppo: { ppoEpochs: 1 },
    });
    await loopResult(page);
    expect((await page.evaluate(() => window.__lab!.workers!.reward.api.scoreCalls())).policy).toBe(
      1,
    );
    expect(log.entries.filter((e) => e.type === 'started').length).toBe(3);
  });

  it('re-initialises after a lost WebGPU device and resumes from the last good weights', async (ctx) => {
    const { page } = await openApp(`${LAB}&backend=webgpu`);
    await labReady(page);
    const report = await page.evaluate(() => window.__lab!.workers!.report);
    if (report.backend !== 'webgpu') {
      const reason = `no WebGPU here: ${report.override?.message}`;
      if (process.env.REQUIRE_WEBGPU === '1') expect.fail(`REQUIRE_WEBGPU=1 but ${reason}`);
      ctx.skip(reason);
    }
    await tinyModel(page);
    // SwiftShader takes seconds per step: a short run, a snapshot every step.
    await startPolicyLoop(page, sft({ batchSize: 2, snapshotEvery: 1, maxSteps: 4 }));
    await waitForSteps(page, 2, 120_000);
    await page.evaluate(() => window.__lab!.workers!.policy.hooks.destroyDevice());
    const notice = await waitForLoopNotice(page, 'device-lost', 120_000);
    expect(notice.message).toMatch(
      /^The GPU device was lost \(destroyed.*\): re-initialised webgpu, restored the weights of step \d/,
    );
    await expect.poll(() => page.locator('[data-kind="device-lost"]').count()).toBe(1);
    const summary = (await loopResult(page)) as { steps: number };
    expect(summary.steps).toBe(4);
    const events = await metricEvents(page);
    expect(events.every((e) => Number.isFinite(e.metrics['sft/loss']))).toBe(true);
    expect(await page.evaluate(() => window.__lab!.workers!.policy.api.memory())).toMatchObject({
      backend: 'webgpu',
    });
  });
});
