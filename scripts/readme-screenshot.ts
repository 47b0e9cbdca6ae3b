/**
 * The README's screenshot, from a real run of the default path in headless
 * Chromium on the built app (`npm run build` first): the happy-endings preset
 * on the model the page picks, SFT with the default settings, ten prompts
 * ranked by the simulated labeler, the reward model, then PPO and RRHF side by
 * side; the picture is the Optimise stage from its headline down to the
 * samples that show change.
 *
 *   npx tsx scripts/readme-screenshot.ts [--out docs/screenshot.png] [--backend wasm]
 *
 * Without --backend the page measures and chooses, as it does for a visitor.
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser/chromium-args';
import { findChromium } from '../tests/browser/harness';
import { serveStatic } from '../tests/browser/server';
import { go, trainSft } from '../tests/browser/stages';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const out = path.resolve(arg('out', path.join(ROOT, 'docs/screenshot.png')));
const backend = arg('backend', ''); // '' lets the page choose, as a visitor's page does
const LONG = 15 * 60_000;
const t0 = performance.now();
const say = (s: string) => console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  ${s}`);

const server = await serveStatic(path.join(ROOT, 'dist'));
const browser = await chromium.launch({
  executablePath: findChromium(),
  headless: true,
  args: CHROMIUM_ARGS,
});
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  await page.goto(`${server.url}${backend ? `?backend=${backend}` : ''}#preset=happy-endings`);
  await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
  await trainSft(page, LONG);
  say('SFT done');
  await go(page, 'rank');
  for (const n of [5, 10]) {
    await page.click('[data-testid=labeler-rank]');
    await page
      .locator(`[data-testid=comparison-count][data-rankings="${n}"]`)
      .waitFor({ timeout: LONG });
  }
  say('10 prompts ranked by the simulated labeler');
  await go(page, 'reward');
  await page.click('[data-testid=run-reward-model] button.primary');
  await page.locator('[data-testid=run-reward-model][data-status=done]').waitFor({ timeout: LONG });
  say('reward model done');
  await go(page, 'optimise');
  await page.click('[data-testid=run-optimise]');
  await page.locator('[data-testid=run-ppo][data-status=done]').waitFor({ timeout: LONG });
  await page.locator('[data-testid=run-rrhf][data-status=done]').waitFor({ timeout: LONG });
  say('PPO and RRHF done');
  await page.waitForTimeout(2000); // the last comparison refresh
  // The stage from its title down to the samples that show change: the
  // headline, the score curves and what each model wrote (the per-method
  // charts below would make the picture three times as tall).
  const stage = await page.locator('[data-testid=stage-optimise]').boundingBox();
  const samples = await page.locator('[data-testid=compare-panel]').boundingBox();
  if (!stage || !samples) throw new Error('the Optimise stage or its samples are not on screen');
  const margin = 12;
  await page.screenshot({
    path: out,
    fullPage: true,
    clip: {
      x: stage.x,
      y: stage.y,
      width: stage.width,
      height: samples.y + samples.height + margin - stage.y,
    },
  });
  say(`wrote ${path.relative(ROOT, out)}`);
} finally {
  await browser.close();
  await server.close();
}
