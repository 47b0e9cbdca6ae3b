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
