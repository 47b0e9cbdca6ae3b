// Replaying training, in a real Chromium on the built app (wasm, a tiny model,
// tiny budgets): after a few PPO iterations the replay panel shows what the
// policy wrote at the latest one, each token coloured by its KL to the SFT
// model; the slider (keyboard or set) moves to other iterations and their
// answers; the iterations come back with the session after a reload, and go
// with a reset of the run. Light and dark themes pass axe.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { seriousViolations } from './axe';
import { RESULTS_DIR, useBrowser } from './harness';
import { go, labelerRanks, trainRewardModel, trainSft } from './stages';

const { openApp } = useBrowser();

const LONG = 120_000;
const ITERATIONS = 6;

const SETTINGS = new URLSearchParams({
  optimise: 'ppo',
  'sample.k': '2',
  'sample.maxNewTokens': '8',
  'sft.steps': '2',
  'sft.batchSize': '4',
  'rm.steps': '2',
  'rm.batchSize': '4',
  'ppo.iterations': String(ITERATIONS),
  'ppo.batchSize': '3',
  'ppo.miniBatchSize': '3',
  'ppo.ppoEpochs': '1',
  'ppo.lr': '3e-3',
}).toString();

const step = async (page: Page) =>
  Number(await page.getAttribute('[data-testid=replay-step]', 'data-step'));
/** The shown answers: prompt and answer text of each. */
const shown = (page: Page) =>
  page
    .locator('[data-testid=replay-sample]')
    .evaluateAll((els) =>
      els.map(
        (el) =>
          `${el.querySelector('.prompt')?.textContent}|${el.querySelector('.answer')?.textContent}`,
      ),
    );

/** Rows of a run's iterations in IndexedDB. */
const storedRows = (page: Page, run: string) =>
  page.evaluate(
    (run) =>
      new Promise<number>((resolve, reject) => {
        const open = indexedDB.open('rlhf-playground');
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction('samples').objectStore('samples').getAll();
          all.onsuccess = () => {
            db.close();
            resolve((all.result as { run: string }[]).filter((r) => r.run === run).length);
          };
          all.onerror = () => reject(all.error);
        };
      }),
    run,
  );

async function openReplay(page: Page): Promise<void> {
  await page.click('[data-testid=replay-details] summary');
  await page.locator('[data-testid=replay-panel]').waitFor();
}

describe('replaying training', () => {
  it('a slider replays what PPO wrote at each iteration, kept with the session', async () => {
    const { page } = await openApp(`?backend=wasm&model=tiny#${SETTINGS}`);
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await trainSft(page, LONG);
    await labelerRanks(page, 5, LONG);
    await trainRewardModel(page, LONG);
    await go(page, 'optimise');
    await openReplay(page);
    expect(await page.locator('[data-testid=replay-empty]').count()).toBe(1);
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-ppo][data-status=done]').waitFor({ timeout: LONG });

    // The latest iteration, followed as the run went on.
    expect(await page.inputValue('[data-testid=replay-run]')).toBe('ppo');
    const slider = page.getByRole('slider', { name: 'Iteration' });
    expect(await slider.getAttribute('max')).toBe(String(ITERATIONS - 1));
    expect(await step(page)).toBe(ITERATIONS);
    expect(await page.textContent('[data-testid=replay-step]')).toBe(
      `Iteration ${ITERATIONS} (kept: 1–${ITERATIONS})`,
    );
    // Three rollouts an iteration, all shown, each with scores and its tokens' KL.
    expect(await page.locator('[data-testid=replay-sample]').count()).toBe(3);
    const tokens = page.locator('[data-testid=replay-sample] .kl-token');
    expect(await tokens.count()).toBeGreaterThan(3);
    const kls = () => tokens.evaluateAll((els) => els.map((el) => Number(el.dataset.kl)));
    const latestKl = await kls();
    expect(latestKl.every(Number.isFinite)).toBe(true);
    // The policy has moved from the SFT model: some token's KL is not 0, and coloured.
    expect(Math.max(...latestKl.map(Math.abs))).toBeGreaterThan(1e-3);
    expect(
      await page.locator('.kl-token[data-sign=more], .kl-token[data-sign=less]').count(),
    ).toBeGreaterThan(0);
    expect(await tokens.first().getAttribute('title')).toMatch(/^“.+”: KL [+−-]?\d\.\d{3} nats$/);
    const first = await page.locator('[data-testid=replay-sample] .scores').first().textContent();
    expect(first).toMatch(/RM score -?\d\.\d\d · gold score \d\.\d\d · KL this answer: /);
    const latest = await shown(page);
    await expect.poll(() => storedRows(page, 'ppo')).toBe(ITERATIONS);

    // Keyboard: Home goes to the first iteration, → to the next.
    await slider.focus();
    await page.keyboard.press('Home');
    expect(await step(page)).toBe(1);
    const atFirst = await shown(page);
    expect(atFirst).not.toEqual(latest);
    // Before the first update the policy is the SFT model: every token's KL is 0 (float32).
    expect(Math.max(...(await kls()).map(Math.abs))).toBeLessThan(1e-4);
    await page.keyboard.press('ArrowRight');
    expect(await step(page)).toBe(2);
    expect(await shown(page)).not.toEqual(atFirst);
    // Set directly, as a pointer would.
    await slider.fill('3');
    expect(await step(page)).toBe(4);
    await slider.fill(String(ITERATIONS - 1));
    expect(await shown(page)).toEqual(latest);

    const panel = page.locator('[data-testid=replay-panel]');
    await panel.screenshot({ path: path.join(RESULTS_DIR, 'replay--light.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'dark' });
    await panel.screenshot({ path: path.join(RESULTS_DIR, 'replay--dark.png') });
    expect(await seriousViolations(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: 'light' });

    // The session keeps them: after a reload, the same answers at the same iterations.
    await page.keyboard.press('End');
    await page.reload();
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await page
      .locator(`[data-testid=run-ppo][data-step="${ITERATIONS}"]`)
      .waitFor({ timeout: LONG });
    await openReplay(page);
    await expect.poll(() => step(page), { timeout: LONG }).toBe(ITERATIONS);
    expect(await shown(page)).toEqual(latest);
    await page.getByRole('slider', { name: 'Iteration' }).focus();
    await page.keyboard.press('Home');
    expect(await shown(page)).toEqual(atFirst);

    // A reset forgets them, here and in the session.
    await page.click('[data-testid=run-ppo] button:has-text("Reset")');
    await page.locator('[data-testid=replay-empty]').waitFor();
    await expect.poll(() => storedRows(page, 'ppo')).toBe(0);
    await page.reload();
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await openReplay(page);
    expect(await page.locator('[data-testid=replay-empty]').count()).toBe(1);
  });
});
