// Backend selection in the policy worker, in real Chromium: on this kind of
// machine (no GPU; WebGPU only through SwiftShader, a fallback adapter) the
// measured choice is wasm, the fallback adapter is measured once so the
// report shows why it lost, the choice is cached per device in IndexedDB, a
// bad ?backend= is reported, and a backend asked for is timed for the model's
// size. Then the same tiny model trained in the policy worker on every
// backend: each gives cpu's first-step loss (to 1e-5), with ms per step and
// sampled tokens per second logged per backend.
import { NANO_MS_PER_STEP } from '../../workers/backend-decision';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './harness';
import { LAB, labReady, loopResult, metricEvents, startPolicyLoop, tinyModel } from './lab';

const { openApp } = useBrowser();
const REL_TOL = 1e-5;

async function report(page: Page) {
  return page.evaluate(() => window.__lab!.workers!.report);
}

/** Three SFT steps and two sampling rounds (the first compiles kernels) on the tiny model. */
async function trainAndSample(page: Page) {
  const info = await tinyModel(page, 1);
  await startPolicyLoop(page, {
    kind: 'sft',
    examples: await page.evaluate(() => window.__lab!.examples),
    settings: { lr: 3e-3, batchSize: 4, maxSteps: 3, seed: 5 },
  });
  await loopResult(page);
  const steps = await metricEvents(page);
  const tokensPerSecond = await page.evaluate(async () => {
    const p = window.__lab!.workers!.policy;
    const req = { prompts: ['the ', 'a '], k: 4, maxNewTokens: 16, seed: 2 };
    await p.api.sample(req, () => undefined);
    return (await p.api.sample(req, () => undefined)).tokensPerSecond;
  });
  return {
    vocabSize: info.config.vocabSize,
    firstLoss: steps[0].metrics['sft/loss'],
    msPerStep: (steps[1].ms + steps[2].ms) / 2,
    firstStepMs: steps[0].ms,
    tokensPerSecond,
  };
}

describe('backend selection', () => {
  it('picks wasm over a fallback WebGPU adapter, caches the choice, reports a bad override', async () => {
    const { page } = await openApp(LAB);
    const t0 = Date.now();
    await labReady(page, 180_000);
    const measuredIn = Date.now() - t0;
    const r = await report(page);
    console.log(`selection (${measuredIn} ms): ${r.reason}`);
    expect(r.source).toBe('measured');
    expect(r.backend).toBe('wasm');
    // Nano where wasm measures a quick step (a 2-core laptop: ~36 ms), else micro.
    expect(r.modelSize).toBe(
      (r.msPerStep.wasm ?? Infinity) <= NANO_MS_PER_STEP.cpu ? 'nano' : 'micro',
    );
    const byName = Object.fromEntries(r.candidates.map((c) => [c.backend, c]));
    expect(byName.cpu.status).toBe('skipped');
    expect(byName.wasm).toMatchObject({ status: 'measured', timedSteps: 2 });
    expect(r.msPerStep.wasm).toBeGreaterThan(0);
    if (r.adapter?.isFallback) {
      // Not measured (wasm works, and software WebGPU is far slower), and said so.
      expect(byName.webgpu).toMatchObject({ status: 'skipped', software: true, msPerStep: null });
      expect(r.reason).toMatch(
        /WebGPU skipped \(fallback adapter: swiftshader; not measured: software rendering trains far slower than wasm/,
      );
      await expect
        .poll(() => page.getByTestId('backend').textContent())
        .toContain('WASM · WebGPU only on a fallback adapter (swiftshader)');
    }

    // The next load of this device reads the choice instead of measuring.
    await page.goto(page.url());
    const t1 = Date.now();
    await labReady(page);
    const cached = await report(page);
    console.log(`cached choice read in ${Date.now() - t1} ms`);
    expect(cached).toMatchObject({ source: 'cache', backend: 'wasm', msPerStep: r.msPerStep });

    // An override that cannot be honoured says so, and the choice falls back to the cache.
    await page.goto(page.url().replace('?', '?backend=tpu&'));
    await labReady(page);
    expect((await report(page)).backend).toBe('wasm');
    const notice = page.locator('[data-kind="backend"]');
    await expect
      .poll(() => notice.textContent())
      .toBe(
        '?backend=tpu cannot be honoured: it is not one of webgpu, webgl, wasm, cpu. Chose a backend by measurement instead.',
      );

    // A backend asked for is not chosen, but it is still timed: the model's size follows
    // its speed as it would have, had the page chosen it (not micro by default).
    await page.goto(page.url().replace('backend=tpu', 'backend=wasm'));
    await labReady(page);
    const asked = await report(page);
    expect(asked).toMatchObject({ source: 'override', backend: 'wasm' });
    expect(asked.candidates).toMatchObject([
      { backend: 'wasm', status: 'measured', timedSteps: 2 },
    ]);
    const ms = asked.msPerStep.wasm!;
    expect(ms).toBeGreaterThan(0);
    expect(asked.modelSize).toBe(ms <= NANO_MS_PER_STEP.cpu ? 'nano' : 'micro');
    expect(asked.reason).toBe(`WASM was asked for (?backend=wasm): ${Math.round(ms)} ms per step`);
  });

  it('trains the same first step on every backend in the policy worker', async (ctx) => {
    const rows: Record<string, Awaited<ReturnType<typeof trainAndSample>>> = {};
    const skipped: string[] = [];
    for (const backend of ['cpu', 'wasm', 'webgl', 'webgpu']) {
      const { page } = await openApp(`${LAB}&backend=${backend}`);
      await labReady(page);
      const r = await report(page);
      if (r.backend !== backend) {
        skipped.push(`${backend}: ${r.override?.message}`);
        continue;
      }
      rows[backend] = await trainAndSample(page);
      const x = rows[backend];
      console.log(
        `${backend.padEnd(6)} first loss ${x.firstLoss}  ${x.msPerStep.toFixed(1)} ms/step ` +
          `(first ${x.firstStepMs.toFixed(0)} ms)  ${x.tokensPerSecond.toFixed(0)} sampled tokens/s`,
      );
    }
    const ref = rows.cpu.firstLoss;
    // A fresh model is close to uniform over the vocabulary.
    expect(Math.abs(ref - Math.log(rows.cpu.vocabSize))).toBeLessThan(0.5);
    for (const [b, x] of Object.entries(rows)) {
      expect(Math.abs(x.firstLoss - ref) / ref, b).toBeLessThanOrEqual(REL_TOL);
    }
    expect(rows.wasm).toBeDefined();
    if (!rows.webgpu) {
      const reason = `no WebGPU here: ${skipped.join('; ')}`;
      if (process.env.REQUIRE_WEBGPU === '1') expect.fail(`REQUIRE_WEBGPU=1 but ${reason}`);
      ctx.skip(reason);
    }
  });
});
