// Beyond PPO and RRHF, in a real Chromium on the built app (wasm, tiny budgets):
//   - DPO trains straight from the rankings, before any reward model exists:
//     Optimise lets it run (PPO would wait), its curves fill under TRL's
//     names, the headline gives its gold share and the comparison panel its
//     answers;
//   - DPO races PPO from the same SFT start, each in its own workers: both
//     runs finish, the headline reads SFT → PPO → DPO, the shared chart holds
//     both gold curves;
//   - GRPO runs alone against the reward model; the choice travels in the URL;
//   - every optimiser that ran is on Evaluate's shelf.
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { DIST, RESULTS_DIR, useBrowser } from './harness';
import {
  chooseOptimisers,
  chosenOptimisers,
  go,
  labelerRanks,
  trainRewardModel,
  trainSft,
} from './stages';

const { openApp } = useBrowser();

const MODEL = existsSync(path.join(DIST, 'models/en-micro.safetensors')) ? 'micro' : 'tiny';
const LONG = 180_000;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS_DIR, `methods--${name}.png`), fullPage: true });
}

const headlineModels = (page: Page) =>
  page.locator('[data-testid=gold-headline] .model').allTextContents();
const points = async (page: Page, chart: string) =>
  Number(await page.getAttribute(`[data-testid=chart-${chart}]`, 'data-points'));

describe('DPO, GRPO and a race', () => {
  it('DPO learns from rankings alone, races PPO, and GRPO runs on the reward model', async () => {
    const query = new URLSearchParams({ backend: 'wasm', model: MODEL });
    const hash = new URLSearchParams({
      'sft.steps': '2',
      'rm.steps': '2',
      'dpo.steps': '3',
      'dpo.batchSize': '4',
      'ppo.iterations': '2',
      'ppo.batchSize': '4',
      'ppo.miniBatchSize': '4',
      'ppo.ppoEpochs': '1',
      'grpo.iterations': '2',
      'grpo.batchSize': '2',
      'grpo.k': '2',
      'sample.maxNewTokens': '24',
    });
    const { page } = await openApp(`?${query}#${hash}`);
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await trainSft(page, LONG);
    await labelerRanks(page, 5, LONG);

    // No reward model yet: PPO waits for one, DPO does not.
    await go(page, 'optimise');
    expect(await chosenOptimisers(page)).toEqual(['ppo', 'rrhf']);
    expect(await page.isDisabled('[data-testid=run-optimise]')).toBe(true);
    await chooseOptimisers(page, ['dpo']);
    expect(await page.textContent('[data-testid=run-optimise]')).toBe('Run DPO');
    expect(await page.textContent('[data-testid=explain-dpo]')).toMatch(
      /straight from your rankings/,
    );
    expect(await page.isEnabled('[data-testid=run-optimise]')).toBe(true);
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-dpo][data-status=done]').waitFor({ timeout: LONG });
    expect(await page.getAttribute('[data-testid=run-dpo]', 'data-step')).toBe('3');
    for (const chart of ['dpo-rewards', 'dpo-margins', 'dpo-loss', 'dpo-logps', 'dpo-gold']) {
      expect(await points(page, chart)).toBeGreaterThan(0);
    }
    expect(await headlineModels(page)).toEqual(['SFT', 'DPO']);
    await expect
      .poll(() => page.getAttribute('[data-testid=gold-headline]', 'data-dpo'), { timeout: LONG })
      .toMatch(/^[01](\.\d+)?$/);
    await page.locator('[data-testid=compare-dpo]').first().waitFor({ timeout: LONG });

    // With a reward model, DPO races PPO from the same SFT start.
    await trainRewardModel(page, LONG);
    await go(page, 'optimise');
    await chooseOptimisers(page, ['ppo', 'dpo']);
    expect(await page.textContent('[data-testid=run-optimise]')).toBe('Run PPO and DPO');
    await page.click('[data-testid=run-dpo] button:has-text("Reset")');
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-ppo][data-status=done]').waitFor({ timeout: LONG });
    await page.locator('[data-testid=run-dpo][data-status=done]').waitFor({ timeout: LONG });
    expect(await headlineModels(page)).toEqual(['SFT', 'PPO', 'DPO']);
    // Both through their planned steps: the button continues them, no longer drawn as primary.
    expect(await page.textContent('[data-testid=run-optimise]')).toBe('Continue PPO and DPO');
    expect((await page.getAttribute('[data-testid=run-optimise]', 'class')) ?? '').not.toMatch(
      /primary/,
    );
    for (const attr of ['data-ppo', 'data-dpo']) {
      await expect
        .poll(() => page.getAttribute('[data-testid=gold-headline]', attr), { timeout: LONG })
        .toMatch(/^[01](\.\d+)?$/);
    }
    expect(await points(page, 'shared')).toBeGreaterThan(0);
    expect(await page.locator('[data-testid^=chart-ppo-]').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid^=chart-dpo-]').count()).toBeGreaterThan(0);
    await shot(page, 'dpo-vs-ppo');
    expect(await seriousViolations(page)).toEqual([]);

    // GRPO alone, on the reward model.
    await chooseOptimisers(page, ['grpo']);
    expect(await headlineModels(page)).toEqual(['SFT', 'GRPO']);
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-grpo][data-status=done]').waitFor({ timeout: LONG });
    for (const chart of ['grpo-reward', 'grpo-kl', 'grpo-loss', 'grpo-spread']) {
      expect(await points(page, chart)).toBeGreaterThan(0);
    }

    // Every optimiser that ran can be compared on Evaluate.
    await go(page, 'evaluate');
    const options = await page
      .locator('[data-testid=blind-a] option')
      .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
    expect(options).toEqual(expect.arrayContaining(['sft', 'ppo', 'dpo', 'grpo']));

    // The reward–KL frontier: SFT at KL 0, a path per run, best-of-n for n = 1..64.
    await page.click('[data-testid=frontier-measure]');
    await page.locator('[data-testid=frontier-measure]:not([disabled])').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=frontier] .problem').allTextContents()).toEqual([]);
    const chart = page.locator('[data-testid=frontier-chart]');
    const series = await chart
      .locator('g.series')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-series')));
    expect(series).toEqual(['sft', 'ppo', 'dpo', 'grpo', 'bon']);
    const dots = (id: string) => chart.locator(`g.series[data-series=${id}] .gold-dot`).count();
    expect(await dots('sft')).toBe(1);
    // Each run: from SFT to its last checkpoint (too short for one along the way).
    for (const id of ['ppo', 'dpo', 'grpo']) expect(await dots(id)).toBe(2);
    expect(await dots('bon')).toBe(7);
    // The table: SFT's KL to itself is 0; best-of-n's KLs are log n − (n − 1)/n.
    await page.click('[data-testid=frontier] summary');
    const rows = await page
      .locator('[data-testid=frontier-table] tbody tr')
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('th, td')].map((c) => c.textContent ?? '')),
      );
    expect(rows[0].slice(0, 3)).toEqual(['SFT', 'SFT', '0.00']);
    const bon = rows.filter((r) => r[0] === 'Best-of-n');
    expect(bon.map((r) => r[1])).toEqual([
      'n = 1',
      'n = 2',
      'n = 4',
      'n = 8',
      'n = 16',
      'n = 32',
      'n = 64',
    ]);
    expect(bon.map((r) => r[2])).toEqual(
      [1, 2, 4, 8, 16, 32, 64].map((n) => (Math.log(n) - (n - 1) / n).toFixed(2)),
    );
    await chart.scrollIntoViewIfNeeded();
    await shot(page, 'frontier');
    expect(await seriousViolations(page)).toEqual([]);
  });

  it('a link chooses two optimisers in any order, and a wrong choice is named', async () => {
    const { page } = await openApp('?backend=wasm&model=tiny&stage=optimise&optimise=grpo,dpo');
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    expect(await chosenOptimisers(page)).toEqual(['dpo', 'grpo']);
    expect(await page.textContent('[data-testid=run-optimise]')).toBe('Run DPO and GRPO');
    expect(await page.locator('[data-testid=explain-grpo]').count()).toBe(1);
    await shot(page, 'dpo-and-grpo-chosen');

    const wrong = await openApp('?backend=wasm&model=tiny&stage=optimise&optimise=ppo,ppo');
    await wrong.page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    const notice = wrong.page.locator('[data-testid=notice]').first();
    await expect
      .poll(() => notice.textContent())
      .toMatch(/optimise=ppo,ppo ignored: expected one or two of ppo, rrhf, dpo, grpo/);
    expect(await chosenOptimisers(wrong.page)).toEqual(['ppo', 'rrhf']);
  });
});
