// Accessibility and bad input, in a real Chromium: axe-core finds no serious
// or critical violation on any stage, in the light and the dark theme, on a
// laptop and on a phone; the page can be used from the keyboard alone; and
// bad input (a setting out of range, an empty or absurd demonstration, a
// prompt longer than the context) is refused with a reason, without losing
// what was typed and without starting anything in a broken state.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { RESULTS_DIR, useBrowser } from './harness';

const { openApp } = useBrowser();

const QUERY = '?backend=wasm&model=tiny&sample.maxNewTokens=16';
const STAGES = ['start', 'demonstrate', 'rank', 'reward', 'optimise', 'evaluate'];

async function ready(page: Page): Promise<void> {
  await page.locator('main[data-model=ready]').waitFor({ timeout: 120_000 });
}

async function open(page: Page, stage: string): Promise<void> {
  await page.click(`[data-testid=nav-${stage}]`);
  await page.locator(`[data-testid=stage-${stage}]`).waitFor();
  if (stage === 'rank') {
    await page
      .locator('[data-testid=ranking-board][data-status=ready]')
      .waitFor({ timeout: 60_000 });
  }
}

describe('accessibility', () => {
  for (const scheme of ['light', 'dark'] as const) {
    it(`has no serious axe violations on any stage (${scheme})`, async () => {
      const { page } = await openApp(QUERY);
      await page.emulateMedia({ colorScheme: scheme, reducedMotion: 'reduce' });
      await ready(page);
      const found: string[] = [];
      for (const stage of STAGES) {
        await open(page, stage);
        for (const v of await seriousViolations(page)) found.push(`${stage}: ${v}`);
      }
      expect(found).toEqual([]);
    });
  }

  it('has no serious axe violations on a phone, and nothing overflows sideways', async () => {
    const { page } = await openApp(QUERY);
    await page.setViewportSize({ width: 390, height: 844 });
    await ready(page);
    const found: string[] = [];
    for (const stage of STAGES) {
      await open(page, stage);
      for (const v of await seriousViolations(page)) found.push(`${stage}: ${v}`);
      const wide = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(wide, `${stage} is wider than the phone`).toBeLessThanOrEqual(390);
      if (stage === 'rank') {
        await page.screenshot({
          path: path.join(RESULTS_DIR, 'a11y--phone-rank.png'),
          fullPage: true,
        });
      }
    }
    expect(found).toEqual([]);
  });

  it('can be used from the keyboard alone, with a visible focus', async () => {
    const { page } = await openApp(QUERY);
    await ready(page);
    // Tab to the stage navigation and open "Rank" with the keyboard.
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('Tab');
      if (
        (await page.evaluate(() => document.activeElement?.getAttribute('data-testid'))) ===
        'nav-rank'
      )
        break;
    }
    const outline = await page.evaluate(
      () => getComputedStyle(document.activeElement!).outlineStyle,
    );
    expect(outline).toBe('solid');
    await page.keyboard.press('Enter');
    await page.locator('[data-testid=stage-rank]').waitFor();
    // Focus moved to the stage heading, and the ranking keys work from there.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('stage-title');
    await page
      .locator('[data-testid=ranking-board][data-status=ready]')
      .waitFor({ timeout: 60_000 });
    for (const key of ['1', '2', '3', 'Enter']) await page.keyboard.press(key);
    await page.locator('[data-testid=comparison-count][data-rankings="1"]').waitFor();
    // `s` skips the next prompt without saving anything.
    const prompt = await page.locator('[data-testid=prompt-text]').textContent();
    await page.keyboard.press('s');
    await expect
      .poll(() => page.locator('[data-testid=prompt-text]').textContent())
      .not.toBe(prompt);
    expect(await page.getAttribute('[data-testid=comparison-count]', 'data-rankings')).toBe('1');
  });
});

describe('bad input', () => {
  it('says what is wrong, keeps what was typed, and starts nothing broken', async () => {
    const { page } = await openApp(QUERY);
    await ready(page);
    await open(page, 'demonstrate');

    // A hyperparameter out of range: the field says why, Train is disabled and says why.
    const steps = page.locator('#setting-sft-steps');
    await steps.fill('0');
    await steps.press('Tab');
    await expect
      .poll(() => page.locator('#setting-sft-steps-problem').textContent())
      .toMatch(/0 is out of range/);
    expect(await steps.inputValue()).toBe('0');
    expect(await page.locator('button[aria-label="Train SFT"]').isDisabled()).toBe(true);
    expect(await page.locator('#sft-blockers').textContent()).toMatch(/Steps: 0 is out of range/);
    await steps.fill('banana');
    await steps.press('Tab');
    await expect
      .poll(() => page.locator('#setting-sft-steps-problem').textContent())
      .toMatch(/not a number/);
    await steps.fill('2');
    await steps.press('Tab');
    await expect
      .poll(() => page.locator('button[aria-label="Train SFT"]').isDisabled())
      .toBe(false);

    // An empty demonstration is refused; nothing is added.
    await page.fill('#demo-prompt', '');
    await page.click('button:has-text("Add demonstration")');
    await expect
      .poll(() => page.locator('#demo-prompt-problem').textContent())
      .toMatch(/Write a prompt/);
    expect(await page.locator('#demo-response-problem').textContent()).toMatch(
      /Write the response/,
    );

    // A prompt longer than the context, and an absurd response: both refused, text kept.
    const long = 'Tell me a very long story about a cat. '.repeat(5);
    await page.fill('#demo-prompt', long);
    await page.fill('#demo-response', `Yes${'!'.repeat(40)}`);
    await page.click('button:has-text("Add demonstration")');
    await expect
      .poll(() => page.locator('#demo-prompt-problem').textContent())
      .toMatch(/the model sees only 128/);
    expect(await page.locator('#demo-response-problem').textContent()).toMatch(/repeats/);
    expect(await page.inputValue('#demo-prompt')).toBe(long);
    expect(await page.locator('[data-testid=own-demos]').count()).toBe(0);

    // A good one is saved, survives a reload, and SFT then trains on it.
    await page.fill('#demo-prompt', 'Write a story about a cat.');
    await page.fill('#demo-response', 'The cat found the sun and slept, happy and warm.');
    await page.click('button:has-text("Add demonstration")');
    await page.locator('[data-testid=own-demos] li').first().waitFor();
    await page.goto(page.url() + '&stage=demonstrate');
    await page.locator('[data-testid=own-demos] li').first().waitFor({ timeout: 60_000 });
    await ready(page);

    // The reward model will not start without rankings, and says so.
    await open(page, 'reward');
    expect(await page.locator('button[aria-label="Train Reward model"]').isDisabled()).toBe(true);
    expect(await page.locator('#reward-model-blockers').textContent()).toMatch(
      /rank a few prompts/,
    );
    // Nor PPO without a reward model.
    await open(page, 'optimise');
    expect(await page.locator('[data-testid=run-optimise]').isDisabled()).toBe(true);
    expect(await page.locator('#ppo-blockers').textContent()).toMatch(
      /Train the reward model first/,
    );

    // A URL with an out-of-range setting is reported and clamped (src/lib/share/url-state.ts).
    await page.goto(page.url().replace(/\?.*$/, `${QUERY}&sample.k=40`));
    await expect
      .poll(() => page.locator('[data-testid=notice]').first().textContent())
      .toMatch(/sample\.k=40 is out of range \(≥ 2 and ≤ 9\): clamped to 9/);
  });
});
