// Live mode with a person ranking, in a real Chromium on the built app (wasm,
// the tiny model, tiny budgets):
//   - the policy keeps pace with the person: it waits, paused, for the next
//     ranking instead of optimising for dozens of updates against the few it
//     has (where the policy used to collapse to identical, then empty, texts);
//   - live mode leaves the person's choice of optimisers as it was;
//   - the "samples that show change" panel is whole after live mode (its
//     texts are scored again by each new reward model, not dropped), and
//     Refresh draws new samples.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { RESULTS_DIR, useBrowser } from './harness';
import { chosenOptimisers, go, labelerRanks, trainRewardModel, trainSft } from './stages';

const { openApp } = useBrowser();
const LONG = 180_000;

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(RESULTS_DIR, `live-mode--${name}.png`), fullPage: true });
}

const ppoStep = async (page: Page) =>
  Number(await page.getAttribute('[data-testid=run-ppo]', 'data-step'));

const compareTexts = (page: Page) =>
  page.locator('[data-testid=compare-panel] .text').allTextContents();

/** Ranks the live board's prompt by keyboard (samples in shown order) once it is ready. */
async function rankLive(page: Page): Promise<void> {
  const status = page.locator('[data-testid=live-status]');
  const before = Number(await status.getAttribute('data-ranked'));
  await page
    .locator('[data-testid=live-panel] [data-testid=ranking-board][data-status=ready]')
    .waitFor({ timeout: LONG });
  for (const key of ['1', '2', '3', 'Enter']) await page.keyboard.press(key);
  await page
    .locator(`[data-testid=live-status][data-ranked="${before + 1}"]`)
    .waitFor({ timeout: LONG });
}

describe('live mode with a person', () => {
  it('the policy waits for the person, the optimiser choice stays, the panel is whole', async () => {
    const query = new URLSearchParams({
      backend: 'wasm',
      model: 'tiny',
      preset: 'happy-endings',
      'sft.steps': '4',
      'rm.steps': '6',
      'ppo.batchSize': '4',
      'ppo.miniBatchSize': '4',
      'ppo.ppoEpochs': '1',
      'sample.maxNewTokens': '24',
    });
    const { page } = await openApp(`?${query}`);
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await trainSft(page, LONG);
    await labelerRanks(page, 5, LONG);
    await trainRewardModel(page, LONG);

    await go(page, 'optimise');
    expect(await chosenOptimisers(page)).toEqual(['ppo', 'rrhf']);
    await page.click('[data-testid=live-details] summary');
    await page.selectOption('[data-testid=live-who]', 'person');
    await page.fill('[data-testid=live-iterations]', '30');
    await page.click('[data-testid=live-start]');
    await page.locator('[data-testid=live-status][data-status=running]').waitFor({ timeout: LONG });

    // Nobody ranks for a while: the policy makes its first update and then waits.
    await expect.poll(() => ppoStep(page), { timeout: LONG }).toBe(1);
    await page.waitForTimeout(8_000);
    expect(await ppoStep(page)).toBe(1);
    await shot(page, 'waiting-for-the-person');

    // Each ranking lets it go one update further; two rankings also update the reward model.
    await rankLive(page);
    await expect.poll(() => ppoStep(page), { timeout: LONG }).toBe(2);
    await rankLive(page);
    await page
      .locator('[data-testid=live-status]:not([data-rm-updates="0"])')
      .waitFor({ timeout: LONG });
    await expect.poll(() => ppoStep(page), { timeout: LONG }).toBe(3);
    await page.waitForTimeout(3_000);
    expect(await ppoStep(page)).toBe(3);

    await page.click('[data-testid=live-stop]');
    await page.locator('[data-testid=live-status][data-status=idle]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=live-panel] .problem').count()).toBe(0);
    // The optimiser choice is the person's: still both.
    expect(await chosenOptimisers(page)).toEqual(['ppo', 'rrhf']);

    // The comparison panel: every cell filled, SFT's too, after the new reward model.
    const refresh = page.locator('[data-testid=compare-panel] button');
    await expect.poll(() => refresh.isEnabled(), { timeout: LONG }).toBe(true);
    const before = await compareTexts(page);
    expect(before.length).toBeGreaterThanOrEqual(3);
    expect(before.filter((x) => x === '…')).toEqual([]);
    await page.locator('[data-testid=compare-sft]').first().waitFor();
    // Refresh: new samples (a new seed for every model), still all filled.
    await refresh.click();
    await expect.poll(() => refresh.isEnabled(), { timeout: LONG }).toBe(true);
    const after = await compareTexts(page);
    expect(after.filter((x) => x === '…')).toEqual([]);
    expect(after).not.toEqual(before);
    await shot(page, 'after-live');
  });
});
