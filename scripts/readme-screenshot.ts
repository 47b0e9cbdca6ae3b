/**
 * The README's screenshots, from real runs of the default path in headless
 * Chromium on the built app (`npm run build` first): a preset on the model
 * the page picks, SFT with the default settings, ten prompts ranked by the
 * simulated labeler, the reward model, then the optimisers the scene names.
 *
 *   npx tsx scripts/readme-screenshot.ts [--scene optimise|race|frontier]
 *                                        [--out FILE] [--backend wasm] [--model nano]
 *
 *   optimise (default, docs/screenshot.png): happy-endings, PPO and RRHF side
 *     by side; the Optimise stage from its headline down to the samples.
 *   race (docs/race.png): happy-endings, DPO racing PPO; the same part.
 *   frontier (docs/frontier.png): reward-hacking (PPO with β = 0.01, fixed),
 *     then Evaluate's reward–KL frontier, measured.
 *
 * Without --backend the page measures and chooses, as it does for a visitor.
 */
import path from 'node:path';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from '../tests/browser/chromium-args';
import { findChromium } from '../tests/browser/harness';
import { serveStatic } from '../tests/browser/server';
import { chooseOptimisers, go, trainSft } from '../tests/browser/stages';
import type { Page } from 'playwright-core';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
};
const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const scene = arg('scene', 'optimise');
const SCENES: Record<string, { preset: string; kinds: string[]; file: string }> = {
  optimise: { preset: 'happy-endings', kinds: ['ppo', 'rrhf'], file: 'docs/screenshot.png' },
  race: { preset: 'happy-endings', kinds: ['ppo', 'dpo'], file: 'docs/race.png' },
  frontier: { preset: 'reward-hacking', kinds: ['ppo'], file: 'docs/frontier.png' },
};
if (!SCENES[scene]) throw new Error(`--scene ${scene}: expected ${Object.keys(SCENES).join(', ')}`);
const { preset, kinds, file } = SCENES[scene];
const out = path.resolve(arg('out', path.join(ROOT, file)));
const backend = arg('backend', ''); // '' lets the page choose, as a visitor's page does
// The page picks the model by timing a step: on a busy machine it may pick a
// smaller one than a 2-core laptop gets (nano); `--model nano` fixes it.
const model = arg('model', '');
const LONG = 15 * 60_000;
const t0 = performance.now();
const say = (s: string) => console.log(`${((performance.now() - t0) / 1000).toFixed(0)} s  ${s}`);

const server = await serveStatic(path.join(ROOT, 'dist'));
const browser = await chromium.launch({
  executablePath: findChromium(),
  headless: true,
  args: CHROMIUM_ARGS,
});
/** A box on the page from the top of `from` to the bottom of `to`, for a clipped screenshot. */
async function between(page: Page, from: string, to: string) {
  const a = await page.locator(from).boundingBox();
  const b = await page.locator(to).boundingBox();
  if (!a || !b) throw new Error(`${from} or ${to} is not on screen`);
  const margin = 12;
  const x = Math.max(0, a.x - margin);
  return { x, y: a.y, width: a.width + 2 * margin, height: b.y + b.height + margin - a.y };
}

try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 1000 } });
  page.on('pageerror', (e) => console.error('page error:', e.message));
  const query = new URLSearchParams({
    ...(backend ? { backend } : {}),
    ...(model ? { model } : {}),
  });
  await page.goto(`${server.url}?${query}#preset=${preset}`);
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
  await chooseOptimisers(page, kinds);
  await page.click('[data-testid=run-optimise]');
  for (const k of kinds) {
    await page.locator(`[data-testid=run-${k}][data-status=done]`).waitFor({ timeout: LONG });
  }
  say(`${kinds.join(' and ')} done`);
  if (scene === 'frontier') {
    await go(page, 'evaluate');
    await page.click('[data-testid=frontier-measure]');
    await page.locator('[data-testid=frontier-measure]:not([disabled])').waitFor({ timeout: LONG });
    const rows = await page
      .locator('[data-testid=frontier-table] tbody tr')
      .evaluateAll((trs) => trs.map((tr) => tr.textContent?.replace(/\s+/g, ' ').trim()));
    say(`frontier measured:\n  ${rows.join('\n  ')}`);
    await page.screenshot({
      path: out,
      fullPage: true,
      clip: await between(page, '[data-testid=frontier]', '[data-testid=frontier-chart]'),
    });
  } else {
    await page.waitForTimeout(2000); // the last comparison refresh
    // The stage from its title down to the samples that show change: the
    // headline, the score curves and what each model wrote (the per-method
    // charts below would make the picture three times as tall).
    await page.screenshot({
      path: out,
      fullPage: true,
      clip: await between(page, '[data-testid=stage-optimise]', '[data-testid=compare-panel]'),
    });
  }
  say(`wrote ${path.relative(ROOT, out)}`);
} finally {
  await browser.close();
  await server.close();
}
