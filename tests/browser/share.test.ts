// Share links and offline use, in a real Chromium on the built app:
//   a link reproduces the settings it carries (and the Share button makes
//   such a link from the page as it is);
//   a hostile, hand-edited link is clamped, reported and runs nothing;
//   after a first visit the playground loads with its server gone.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import path from 'node:path';
import { RESULTS_DIR, useBrowser } from './harness';

const { openApp, origins, closeSecond } = useBrowser({ secondOrigin: true });

const LONG = 120_000;

async function value(page: Page, id: string): Promise<string> {
  return page.locator(`#${id}`).inputValue();
}

describe('share links', () => {
  it('a link reproduces the settings, and Share makes one', async () => {
    const hash =
      '#preset=short-and-sweet&stage=reward&seed=7&theme=dark&hide=backend,ppo' +
      '&rm.lr=0.002&rm.objective=direct&sample.k=2&ppo.lr=3e-4';
    // The preset's file arrives late, so that Share is pressed before the preset's own settings
    // are applied: the link must carry them all the same.
    let presetServed = false;
    const { page, log } = await openApp(`?backend=wasm&model=tiny${hash}`, {
      beforeLoad: (context) =>
        context.route('**/presets/short-and-sweet.json', async (route) => {
          await new Promise((r) => setTimeout(r, 1500));
          presetServed = true;
          await route.continue();
        }),
    });
    await page.locator('[data-testid=stage-reward]').waitFor();
    await expect.poll(() => value(page, 'setting-rm-lr')).toBe('0.002');
    expect(await value(page, 'setting-rm-objective')).toBe('direct');
    expect(await page.getAttribute('html', 'data-theme')).toBe('dark');
    expect(await page.locator('[data-testid=backend-badge]').count()).toBe(0);
    // A clean link says nothing; applied once, it leaves the address (the session keeps it).
    expect(await page.locator('[data-testid=notice]').count()).toBe(0);
    expect(new URL(page.url()).hash).toBe('');

    // Share: the link from the page as it is now.
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: origins().app.replace(/\/$/, ''),
    });
    expect(presetServed).toBe(false);
    await page.click('[data-testid=share]');
    const link = await page.locator('[data-testid=share-link]').inputValue();
    await expect
      .poll(() => page.locator('[data-testid=share-status]').textContent())
      .toMatch(/Copied/);
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(link);
    const carried = new URLSearchParams(new URL(link).hash.slice(1));
    expect(Object.fromEntries(carried)).toEqual({
      preset: 'short-and-sweet',
      stage: 'reward',
      seed: '7',
      theme: 'dark',
      backend: 'wasm',
      model: 'tiny',
      hide: 'backend,ppo',
      'sample.k': '2',
      'rm.lr': '0.002',
      'rm.objective': 'direct',
      // The preset's own setting travels too: a link does not depend on the preset's defaults.
      'rm.readout': 'last',
      'ppo.lr': '3e-4',
      'ppo.lam': '1',
    });
    await page.screenshot({ path: path.join(RESULTS_DIR, 'share--dialog.png') });
    await page.keyboard.press('Escape');

    // The link in a fresh browser profile: the same page.
    const other = await openApp(link);
    await other.page.locator('[data-testid=stage-reward]').waitFor();
    await expect.poll(() => value(other.page, 'setting-rm-lr')).toBe('0.002');
    expect(await value(other.page, 'setting-rm-objective')).toBe('direct');
    expect(await other.page.getAttribute('html', 'data-theme')).toBe('dark');
    await other.page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    expect(await other.page.locator('input[name=preset]:checked').count()).toBe(0); // not on Start
    await other.page.click('[data-testid=nav-start]');
    expect(await other.page.locator('input[name=preset][value=short-and-sweet]').isChecked()).toBe(
      true,
    );
    expect(log.errors).toEqual([]);
  });

  it('refuses a hostile link cleanly: clamps, reports, runs nothing', async () => {
    const hostile =
      '#ppo.lr=1e9&sample.k=-3&sft.steps=2.5&stage=%3Cscript%3Ealert(1)%3C%2Fscript%3E' +
      '&preset=x%22onmouseover%3Dalert(1)&theme=javascript:alert(1)' +
      '&%3Cimg%20src%3Dx%20onerror%3Dwindow.__pwned%3D1%3E=1&__proto__[x]=1' +
      '&hostOrigin=javascript:alert(1)&hide=backend,%3Cb%3Ebold%3C%2Fb%3E';
    const { page } = await openApp(`?backend=wasm&model=tiny${hostile}`);
    const notice = page.locator('[data-testid=notice]').first();
    await expect.poll(() => notice.textContent()).toMatch(/^This link was adjusted/);
    const text = (await notice.textContent()) ?? '';
    expect(text).toContain('ppo.lr=1e9 is out of range (≥ 1e-7 and ≤ 0.01): clamped to 0.01');
    expect(text).toContain('sample.k=-3 is out of range (≥ 2 and ≤ 9): clamped to 2');
    expect(text).toContain('sft.steps=2.5 rounded to 3');
    expect(text).toContain('stage=<script>alert(1)</script> ignored');
    expect(text).toContain('hide: “<b>bold</b>” ignored (unknown)');
    expect(text).toContain('unknown keys “<img src=x onerror=windo…”, “__proto__[x]” ignored');
    // Shown as text: no element came from the link, no script ran.
    expect(await page.locator('[data-testid=notice] img, [data-testid=notice] b').count()).toBe(0);
    expect(await page.evaluate(() => (window as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.getAttribute('html', 'data-theme')).toBeNull();
    // The clamped values are the ones in use, and the page works.
    await page.locator('[data-testid=stage-start]').waitFor();
    await page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });
    await page.click('[data-testid=nav-optimise]');
    expect(await value(page, 'setting-ppo-lr')).toBe('0.01');
    await page.click('[data-testid=nav-rank]');
    expect(await value(page, 'setting-sample-k')).toBe('2');
    expect(await page.locator('[data-testid=backend-badge]').count()).toBe(0);
  });

  it('names a preset it does not know in the page’s language, and opens one it does', async () => {
    const { page } = await openApp('?backend=wasm&model=tiny&lang=zh#preset=no-such-preset');
    const notice = page.locator('[data-testid=notice]').first();
    await expect
      .poll(() => notice.textContent())
      .toContain('?preset=no-such-preset 不是预设；已打开“快乐的结局”。');
    await page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });
  });
});

describe('offline', () => {
  it('loads, with its shipped model, after the server is gone', async () => {
    const { second } = origins();
    const { page } = await openApp(`${second}?backend=wasm&model=micro`);
    await page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });
    // The service worker (Workbox, vite.config.ts) has precached the app and the
    // models once it controls the page.
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((r) => navigator.serviceWorker.addEventListener('controllerchange', r));
      }
    });
    const cached = await page.evaluate(async () => {
      const keys = await caches.keys();
      const cache = await caches.open(keys.find((k) => k.startsWith('rlhf-playground-precache'))!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toContain('/models/en-micro.safetensors');
    expect(cached.some((p) => p.startsWith('/corpus/'))).toBe(false);

    await closeSecond();
    await page.reload();
    await page.locator('[data-testid=model-status][data-status=ready]').waitFor({ timeout: LONG });
    expect(await page.locator('[data-testid=model-status]').textContent()).toMatch(
      /models\/en-micro\.safetensors/,
    );
  });
});
