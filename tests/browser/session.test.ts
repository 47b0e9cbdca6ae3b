// Sessions in IndexedDB, in a real Chromium: everything is saved as it
// happens, and a reload in the middle of PPO brings the session back where it
// was: the SFT and reward models, PPO from its last checkpoint (with its curve
// cut there), the rankings, the stage and settings. PPO then continues.
// A tiny untrained model on wasm keeps it quick; the weights still travel.
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';

const { openApp } = useBrowser();

const LONG = 120_000;

const SETTINGS = new URLSearchParams({
  stage: 'demonstrate',
  optimise: 'ppo',
  'sample.k': '2',
  'sample.maxNewTokens': '8',
  'sft.steps': '2',
  'sft.batchSize': '4',
  'rm.steps': '10',
  'rm.batchSize': '4',
  'ppo.iterations': '80',
  'ppo.batchSize': '2',
  'ppo.miniBatchSize': '2',
  'ppo.ppoEpochs': '1',
  'ppo.lr': '1e-3',
}).toString();

describe('sessions', () => {
  it('restores a session reloaded in the middle of PPO, from its last checkpoint', async () => {
    const { page } = await openApp(`?backend=wasm&model=tiny#${SETTINGS}`);
    const bar = page.locator('[data-testid=share-bar]');
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });

    // SFT (two steps), then five rankings by the simulated labeler.
    await page.click('button[aria-label="Train SFT"]');
    await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    await page.click('[data-testid=nav-rank]');
    await page.getByRole('button', { name: 'Let it rank 5 prompts' }).click();
    await page
      .locator('[data-testid=comparison-count][data-rankings="5"]')
      .waitFor({ timeout: LONG });

    // The reward model, then PPO until its first checkpoint is in IndexedDB.
    await page.click('[data-testid=nav-reward]');
    await page.click('button[aria-label="Train Reward model"]');
    await page
      .locator('[data-testid=run-reward-model][data-status=done]')
      .waitFor({ timeout: LONG });
    await page.click('[data-testid=nav-optimise]');
    await page.click('[data-testid=run-optimise]');
    await bar.and(page.locator('[data-saved-ppo]')).waitFor({ timeout: LONG });
    await expect.poll(() => bar.getAttribute('data-saved-rm')).toBe('10');
    const saved = Number(await bar.getAttribute('data-saved-ppo'));
    expect(saved).toBeGreaterThanOrEqual(10);
    expect(await page.getAttribute('[data-testid=run-ppo]', 'data-status')).toBe('running');

    // Reload while PPO runs.
    await page.reload();
    await page.locator('[data-testid=stage-optimise]').waitFor({ timeout: LONG });
    await page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    const ppo = page.locator('[data-testid=run-ppo]');
    const restored = Number(await ppo.getAttribute('data-step'));
    expect(restored).toBeGreaterThanOrEqual(saved); // the latest checkpoint, maybe a later one
    expect(restored % 10).toBe(0);
    // Not running, and not "not started": it stopped at its checkpoint.
    expect(await ppo.getAttribute('data-status')).toBe('done');
    expect(await page.locator('[data-testid=notice]').first().textContent()).toMatch(
      new RegExp(
        `^Restored “Session 1”: the SFT model, the reward model, PPO at step ${restored} of 80\\.`,
      ),
    );
    // The curve up to the checkpoint, no further (a chart of one line: one point per step);
    // the settings and rankings as they were.
    // (The chart redraws once per animation frame: poll.)
    await expect
      .poll(async () =>
        Number(await page.getAttribute('[data-testid=chart-ppo-loss-value]', 'data-points')),
      )
      .toBe(restored);
    expect(await page.locator('#setting-ppo-iterations').inputValue()).toBe('80');
    await page.click('[data-testid=nav-rank]');
    await page.locator('[data-testid=comparison-count][data-rankings="5"]').waitFor();
    // Stages done before the reload are done after it.
    for (const stage of ['demonstrate', 'rank', 'reward', 'optimise']) {
      expect(await page.locator(`[data-testid=nav-${stage}]`).textContent()).toMatch(/\(done\)/);
    }

    // PPO continues from the restored weights.
    await page.click('[data-testid=nav-optimise]');
    await page.click('button[aria-label="Continue PPO"]');
    await expect
      .poll(async () => Number(await ppo.getAttribute('data-step')), { timeout: LONG })
      .toBeGreaterThan(restored + 1);
    await page.click('button[aria-label="Stop PPO"]');
    await ppo.and(page.locator('[data-status=done]')).waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=run-ppo] .problem').count()).toBe(0);

    // The session dialog says what is kept and how much room it takes.
    await page.click('[data-testid=sessions]');
    await expect
      .poll(() => page.locator('[data-testid=storage-use]').textContent())
      .toMatch(/\d+\.\d MB used of \d+\.\d [MG]B/);
    expect(await page.locator('[data-testid=session-saved]').textContent()).toMatch(
      /SFT \(step 2\), reward model \(step 10\), PPO \(step \d+\)/,
    );
  });
});
