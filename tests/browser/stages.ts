// Moving through the playground's stages in a test (or a script) the way a
// person does: the stage navigation, and SFT with its default settings.
import type { Page } from 'playwright-core';

/** Opens a stage from the navigation and waits for it. */
export async function go(page: Page, stage: string): Promise<void> {
  await page.click(`[data-testid=nav-${stage}]`);
  await page.locator(`[data-testid=stage-${stage}]`).waitFor();
}

/** Trains SFT on the Demonstrate stage and waits until it is done. */
export async function trainSft(page: Page, timeout: number): Promise<void> {
  await go(page, 'demonstrate');
  await page.click('[data-testid=run-sft] button.primary');
  await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout });
}

/** The simulated labeler ranks one batch of prompts on the Rank stage; waits for `total` rankings. */
export async function labelerRanks(page: Page, total: number, timeout: number): Promise<void> {
  await go(page, 'rank');
  await page.click('[data-testid=labeler-rank]');
  await page
    .locator(`[data-testid=comparison-count][data-rankings="${total}"]`)
    .waitFor({ timeout });
}

/** Trains the reward model on the Reward stage and waits until it is done. */
export async function trainRewardModel(page: Page, timeout: number): Promise<void> {
  await go(page, 'reward');
  await page.click('[data-testid=run-reward-model] button.primary');
  await page.locator('[data-testid=run-reward-model][data-status=done]').waitFor({ timeout });
}

/**
 * Ticks exactly these optimisers on Optimise (one or two), as a person would:
 * unticks the others (the last one ticked cannot be), ticks these, again if a
 * tick dropped one of them.
 */
export async function chooseOptimisers(page: Page, kinds: string[]): Promise<void> {
  const box = (k: string) => page.locator(`input[name=optimiser][value=${k}]`);
  for (let pass = 0; pass < 3; pass++) {
    for (const k of ['ppo', 'rrhf', 'dpo', 'grpo']) {
      if (!kinds.includes(k) && (await box(k).isChecked())) await box(k).click();
    }
    for (const k of kinds) if (!(await box(k).isChecked())) await box(k).click();
  }
  for (const k of ['ppo', 'rrhf', 'dpo', 'grpo']) {
    if ((await box(k).isChecked()) !== kinds.includes(k)) {
      throw new Error(`Could not choose ${kinds.join(' and ')}: ${k} is not as asked.`);
    }
  }
}

/** The optimisers ticked on Optimise. */
export async function chosenOptimisers(page: Page): Promise<string[]> {
  const out: string[] = [];
  for (const k of ['ppo', 'rrhf', 'dpo', 'grpo']) {
    if (await page.isChecked(`input[name=optimiser][value=${k}]`)) out.push(k);
  }
  return out;
}
