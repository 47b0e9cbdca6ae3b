// The built app loads, shows its title, and says nothing alarming on the console.
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';

const { openApp } = useBrowser();

describe('app smoke test', () => {
  it('loads and shows its title', async () => {
    const { page } = await openApp('');
    await expect.poll(() => page.locator('h1').textContent()).toBe('RLHF Playground');
    expect(await page.title()).toBe('RLHF Playground');
    // The placeholder page probes nothing unless asked to.
    expect(await page.locator('[data-testid^="probe-"]').count()).toBe(0);
  });
});
