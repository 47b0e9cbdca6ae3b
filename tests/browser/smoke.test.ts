// The built app loads, shows its title, and says nothing alarming on the console;
// the Start page shows the base model's first sample as soon as it can.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';

const { openApp } = useBrowser();

/** The first prompt of the mentions-the-animal preset, as the Start page shows it. */
const firstAnimalPrompt = (
  JSON.parse(
    readFileSync(new URL('../../public/presets/mentions-the-animal.json', import.meta.url), 'utf8'),
  ) as { prompts: string[] }
).prompts[0].trim();

describe('app smoke test', () => {
  it('loads and shows its title', async () => {
    const { page } = await openApp('');
    await expect.poll(() => page.locator('h1').textContent()).toBe('RLHF Playground');
    expect(await page.title()).toBe('RLHF Playground');
    // The placeholder page probes nothing unless asked to.
    expect(await page.locator('[data-testid^="probe-"]').count()).toBe(0);
  });

  it('streams a first sample from the base model on the Start page', async () => {
    const { page } = await openApp('?backend=wasm&model=micro');
    const card = page.locator('[data-testid=base-sample]');
    await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
    const text = (await page.locator('[data-testid=base-sample-text]').textContent()) ?? '';
    expect(text.trim().length).toBeGreaterThan(0);
    // The card shows one of the preset's prompts, and marks when the first text showed.
    expect(await card.textContent()).toMatch(/Tell me a story|Write a story|story/i);
    const mark = await page.evaluate(
      () => performance.getEntriesByName('first-sample')[0]?.startTime ?? null,
    );
    console.log(`first sample on screen ${mark?.toFixed(0)} ms after navigation`);
    expect(mark).not.toBeNull();
    // Another preset, chosen while a sample is being written: its own prompt wins.
    await page.getByRole('button', { name: 'Another sample' }).click();
    await page.getByLabel('Mentions the animal').check();
    await expect.poll(() => card.textContent(), { timeout: 60_000 }).toContain(firstAnimalPrompt);
    await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
    expect(await card.textContent()).toContain(firstAnimalPrompt);
    // Another sample replaces it.
    await page.getByRole('button', { name: 'Another sample' }).click();
    await card.and(page.locator('[data-state=done]')).waitFor({ timeout: 60_000 });
    expect(
      ((await page.locator('[data-testid=base-sample-text]').textContent()) ?? '').trim(),
    ).not.toBe('');
  });
});
