// The ranking board with the mouse and by touch (the keyboard is covered in
// playground.test.ts and a11y.test.ts): K = 2 is an A/B choice decided by one
// click; for K = 4, tapping places samples, a dragged sample lands where it
// is dropped (or joins a tier as a tie), and each submitted ranking is listed
// with the comparisons it gave.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';

const { openApp } = useBrowser();

async function boardReady(page: Page): Promise<void> {
  await page.locator('[data-testid=ranking-board][data-status=ready]').waitFor({ timeout: 60_000 });
}

const latest = (page: Page) => page.locator('.recent li').first().textContent();

describe('ranking board', () => {
  it('K = 2 is an A/B choice: one click decides and saves', async () => {
    const { page } = await openApp(
      '?backend=wasm&model=tiny&sample.k=2&sample.maxNewTokens=12&stage=rank',
    );
    await boardReady(page);
    expect(await page.getAttribute('[data-testid=ranking-board]', 'data-k')).toBe('2');
    await page.click('button[aria-label="Answer B is better"]');
    await page.locator('[data-testid=comparison-count][data-rankings="1"]').waitFor();
    expect(await latest(page)).toMatch(/2 > 1 · 1 comparisons/);
  });

  it('K = 4 by tapping and by dragging, ties included', async () => {
    const { page } = await openApp('?backend=wasm&model=tiny&sample.maxNewTokens=12&stage=rank');
    // Room for the samples and the order on one screen: a drag ends where the pointer is.
    await page.setViewportSize({ width: 1100, height: 1400 });
    await boardReady(page);
    const pick = (n: number) => page.locator(`[data-testid=sample-${n}] button.pick`);

    // Tap 3, then 1: placed in that order. Tap 1 again: taken back.
    await pick(3).click();
    await pick(1).click();
    await pick(1).click();
    const order = async () =>
      (await page.locator('.tier').allTextContents()).map((t) => t.replace(/\s+/g, ''));
    expect(await order()).toEqual(['1st3']);

    // Drag 4 to the end, then drag 2 onto the first tier: it ties with 3.
    await pick(4).dragTo(page.locator('.gap.end'));
    await pick(2).dragTo(page.locator('.tier').first());
    expect(await order()).toEqual(['1st3=2', '2nd4']);

    // Sample 1 is left: Submit places it last.
    await page.click('[data-testid=submit-ranking]');
    await page.locator('[data-testid=comparison-count][data-rankings="1"]').waitFor();
    // 2 = 3 > 4 > 1 (a tie lists its samples in order): C(4,2) = 6 pairs minus the tie.
    expect(await latest(page)).toMatch(/2 = 3 > 4 > 1 · 5 comparisons/);
    expect(await page.getAttribute('[data-testid=comparison-count]', 'data-comparisons')).toBe('5');
  });
});
