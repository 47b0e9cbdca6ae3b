// The playground end to end in a real Chromium on the built app: the default
// preset loads and says which backend runs, SFT trains a few steps, three
// prompts are ranked by keyboard (and saved), the reward model trains until
// its accuracy shows, PPO and RRHF run two iterations each side by side,
// every chart has points, and a reload keeps the rankings. Small step counts
// and the wasm backend keep it to well under a minute here; the shipped micro
// model is used when it exists, else a tiny untrained one (?model=tiny).
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { DIST, RESULTS_DIR, useBrowser } from './harness';
import { tracePageThread } from './main-thread';

const { openApp } = useBrowser();

const MODEL = existsSync(path.join(DIST, 'models/en-micro.safetensors')) ? 'micro' : 'tiny';

const QUERY = new URLSearchParams({
  backend: 'wasm',
  model: MODEL,
  'sft.steps': '3',
  'sft.batchSize': '8',
  'rm.steps': '10',
  'ppo.iterations': '2',
  'ppo.batchSize': '4',
  'ppo.miniBatchSize': '4',
  'ppo.ppoEpochs': '1',
  'rrhf.iterations': '2',
  'rrhf.batchSize': '2',
  'sample.maxNewTokens': '24',
}).toString();

const LONG = 120_000;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({
    path: path.join(RESULTS_DIR, `playground--${name}.png`),
    fullPage: true,
  });
}

async function points(page: Page, id: string): Promise<number> {
  return Number(await page.getAttribute(`[data-testid="chart-${id}"]`, 'data-points'));
}

async function nextStage(page: Page, stage: string): Promise<void> {
  await page.click('[data-testid=next-stage]');
  await page.locator(`[data-testid=stage-${stage}]`).waitFor();
}

describe('playground', () => {
  it('runs the pipeline end to end on the default preset', async () => {
    const { page } = await openApp(`?${QUERY}`);

    // Start: the default preset, the backend badge, the model.
    await expect.poll(() => page.locator('h1').textContent()).toBe('RLHF Playground');
    await page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=backend-label]').textContent()).toMatch(/^WASM · /);
    expect(await page.locator('input[name=preset][value=happy-endings]').isChecked()).toBe(true);
    await page.locator('[data-testid=base-sample][data-state=done]').waitFor({ timeout: LONG });
    const firstPrompt = await page.locator('[data-testid=base-sample] .prompt').textContent();
    await shot(page, '1-start');

    // Demonstrate: a few SFT steps, with a live curve.
    await nextStage(page, 'demonstrate');
    // One step, then paused: the learning rate can change, and training resumes.
    await page.click('button[aria-label="One SFT step"]');
    await page.locator('[data-testid=run-sft][data-status=paused][data-step="1"]').waitFor({
      timeout: LONG,
    });
    await page.fill('#setting-sft-lr', '5e-4');
    await page.press('#setting-sft-lr', 'Tab');
    await page.click('button[aria-label="Resume SFT"]');
    await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=notice]').allTextContents()).toEqual([]);
    expect(await points(page, 'sft-loss')).toBe(3);
    // Every planned step has run: the next stage is the one action drawn as primary.
    expect(
      (await page.locator('button[aria-label="Continue SFT"]').getAttribute('class')) ?? '',
    ).not.toMatch(/primary/);
    expect(await page.locator('[data-testid=next-stage]').getAttribute('class')).toMatch(/primary/);
    // What the SFT model writes now, on the prompt the base model answered on Start.
    await page.locator('[data-testid=sft-sample][data-state=done]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=sft-sample] .prompt').textContent()).toBe(firstPrompt);
    await shot(page, '2-demonstrate');

    // Rank three prompts by keyboard: 2 = 1 > 4 (> 3, placed last by Enter).
    await nextStage(page, 'rank');
    for (let n = 1; n <= 3; n++) {
      await page
        .locator('[data-testid=ranking-board][data-status=ready]')
        .waitFor({ timeout: LONG });
      if (n === 1) {
        // An incomplete ranking is refused with a reason, and kept.
        await page.keyboard.press('2');
        await page.keyboard.press('Enter');
        await expect
          .poll(() => page.locator('[data-testid=ranking-problem]').textContent())
          .toMatch(/Samples 1, 3, 4 are not ranked yet/);
        await page.keyboard.press('Backspace');
        await shot(page, '3-rank');
      }
      for (const key of ['2', '=', '1', '4', 'Enter']) await page.keyboard.press(key);
      await page.locator(`[data-testid=comparison-count][data-rankings="${n}"]`).waitFor();
    }
    // Each ranking: C(4,2) = 6 pairs, minus the tie between 1 and 2.
    expect(await page.getAttribute('[data-testid=comparison-count]', 'data-comparisons')).toBe(
      '15',
    );

    // Reward model: trains on the 15 comparisons until its accuracy shows.
    await nextStage(page, 'reward');
    await page.click('button[aria-label="Train Reward model"]');
    await page
      .locator('[data-testid=run-reward-model][data-status=done]')
      .waitFor({ timeout: LONG });
    await expect
      .poll(() => page.getAttribute('[data-testid=rm-accuracy]', 'data-value'))
      .toMatch(/^[01](\.\d+)?$/);
    expect(await points(page, 'rm-loss')).toBe(10);
    expect(await points(page, 'rm-accuracy')).toBe(10);
    await shot(page, '4-reward');
    expect(await seriousViolations(page)).toEqual([]);

    // Optimise: PPO and RRHF side by side, two iterations each.
    await nextStage(page, 'optimise');
    // The page thread must stay responsive while the workers train. Record,
    // from here on, every long task (> 50 ms, the browser's own definition),
    // and trace how long the page thread itself ran in each (its CPU time).
    await page.evaluate(() => {
      const w = window as unknown as { __longTasks: number[] };
      w.__longTasks = [];
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) w.__longTasks.push(Math.round(e.duration));
      }).observe({ type: 'longtask' });
    });
    const stopTrace = await tracePageThread(page);
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-ppo][data-status=done]').waitFor({ timeout: LONG });
    await page.locator('[data-testid=run-rrhf][data-status=done]').waitFor({ timeout: LONG });
    const { tasks: traced, summary } = await stopTrace();
    const longTasks = await page.evaluate(
      () => (window as unknown as { __longTasks: number[] }).__longTasks,
    );
    console.log(
      `page-thread long tasks while PPO and RRHF trained: ${JSON.stringify(longTasks)}; ` +
        `traced (wall ms, cpu ms): ${JSON.stringify(traced.map((t) => [t.wallMs, t.cpuMs]))}`,
    );
    // Target: no task in which the page thread works 50 ms or more. A long
    // task's wall time also counts the time the page thread waits for a core:
    // with two busy workers on two cores, tasks of 10–20 ms of work last
    // 50–130 ms, so their number measures the machine. The thread's own time
    // measures the page: when every chart was rebuilt as a run started, one
    // task held 64–74 ms of script. A long task over 250 ms would be a stall,
    // whatever its cause.
    expect(Math.max(0, ...traced.map((t) => t.cpuMs)), summary).toBeLessThan(50);
    expect(Math.max(0, ...longTasks)).toBeLessThan(250);
    const charts = await page
      .locator('[data-testid^=chart-]')
      .evaluateAll((els) =>
        els.map((e) => [e.getAttribute('data-testid'), Number(e.getAttribute('data-points'))]),
      );
    expect(charts.length, JSON.stringify(charts.map((c) => c[0]))).toBe(12);
    for (const [id, n] of charts) expect(n, String(id)).toBeGreaterThanOrEqual(2);
    // The samples panel shows the PPO and RRHF policies beside the SFT model.
    await page.locator('[data-testid=compare-rrhf]').first().waitFor({ timeout: LONG });
    await expect
      .poll(() => page.locator('[data-testid=compare-panel]').textContent())
      .not.toMatch(/…/);
    await shot(page, '5-optimise');
    // The charts, drawn, are accessible too.
    expect(await seriousViolations(page)).toEqual([]);

    // Evaluate: a table with a row per model.
    await nextStage(page, 'evaluate');
    await page.click('[data-testid=evaluate]');
    await page.locator('[data-testid=evaluation] tbody tr').nth(2).waitFor({ timeout: LONG });
    await shot(page, '6-evaluate');

    // The rankings were saved the moment they were submitted: a reload keeps them.
    await page.goto(page.url().replace(/&stage=\w+/, '') + '&stage=rank');
    await page
      .locator('[data-testid=comparison-count][data-rankings="3"]')
      .waitFor({ timeout: LONG });
  });
});
