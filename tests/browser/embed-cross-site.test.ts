// The embed on another site: the host page is served as `localhost`, the app
// from 127.0.0.1, so the iframe is a third-party frame (different ports alone
// would be the same site). Chromium's default here refuses a third-party frame
// Web Locks and IndexedDB (SecurityError / "denied permission"): the playground
// must still start, train and say that its work will not be kept; worker
// deaths are then noticed by the heartbeat. With third-party storage allowed
// (partitioned under the host's site) it keeps work across a reload.
import path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { command, hostUrl, waitEvent } from './embed-host';
import { RESULTS_DIR, useBrowser } from './harness';
import './lab';

const LONG = 120_000;

/** The app's frame inside the host page. */
async function appFrame(page: Page, app: string): Promise<Frame> {
  let frame: Frame | undefined;
  await expect
    .poll(() => (frame = page.frames().find((f) => f.url().startsWith(app))) !== undefined)
    .toBe(true);
  return frame!;
}

/** What the frame's browser allows it: Web Locks and IndexedDB, each 'ok' or the error's name. */
function storageAccess(frame: Frame) {
  return frame.evaluate(async () => {
    const name = (e: unknown) => (e instanceof Error ? e.name : String(e));
    const locks = await navigator.locks.query().then(
      () => 'ok',
      (e: unknown) => name(e),
    );
    const idb = await new Promise<string>((resolve) => {
      try {
        const req = indexedDB.open('rlhf-probe');
        req.onsuccess = () => {
          req.result.close();
          resolve('ok');
        };
        req.onerror = () => resolve(name(req.error));
      } catch (e) {
        resolve(name(e));
      }
    });
    return { locks, idb };
  });
}

const EMBED = ['backend=wasm&model=tiny', 'preset=happy-endings&stage=demonstrate'] as const;

async function addDemonstration(page: Page, frame: Frame, prompt: string): Promise<void> {
  const f = page.frameLocator('#playground');
  await frame.fill('#demo-prompt', prompt);
  await frame.fill('#demo-response', 'The cat found the sun and slept, happy and warm.');
  await f.getByRole('button', { name: 'Add demonstration' }).click();
  await f.locator('[data-testid=own-demos] li', { hasText: prompt }).waitFor({ timeout: LONG });
}

// Chromium 156 blocks third-party storage by default (its third-party cookie
// phase-out, feature TrackingProtection3pcd); the flags say so explicitly, and
// `storageAccess` checks what the frame really gets.
describe('embed on another site, third-party storage refused', () => {
  const { openApp, origins } = useBrowser({
    secondSite: true,
    chromiumArgs: ['--enable-features=TrackingProtection3pcd'],
  });

  it('starts, trains and says that its work will not be kept', async () => {
    const { app, second } = origins();
    expect(new URL(second!).hostname).toBe('localhost');
    expect(new URL(app).hostname).toBe('127.0.0.1');
    const { page } = await openApp(hostUrl(origins(), ...EMBED));
    const frame = await appFrame(page, app);
    // The browser really refuses both here: the path under test is the one without storage.
    expect(await storageAccess(frame)).toEqual({ locks: 'SecurityError', idb: 'UnknownError' });

    const ready = await waitEvent(page, (e) => e.type === 'ready');
    expect(ready).toMatchObject({ stage: 'demonstrate', preset: 'happy-endings' });
    const f = page.frameLocator('#playground');
    await f.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    // Inside another site's page the frame is not cross-origin isolated: wasm
    // runs on one thread (no SharedArrayBuffer), trains, and the badge says so.
    expect(await frame.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await f.locator('[data-testid=embed-backend]').textContent()).toMatch(
      /^WASM .*· 1 thread$/,
    );
    const notice = f.locator('[data-testid=work-not-kept]');
    await notice.waitFor();
    expect(await notice.textContent()).toMatch(/work here will not be kept/);

    // Work made here lives in memory: it is accepted and shown, and not called saved.
    expect(await f.locator('[data-testid=stage-demonstrate]').textContent()).toContain(
      'it is kept until the page closes',
    );
    await addDemonstration(page, frame, 'Write a story about a cat.');
    const said = await f.locator('[data-testid=stage-demonstrate]').textContent();
    expect(said).toContain('Kept for this visit');
    expect(said).not.toContain('Saved. It is used');
    // The workers train: one step of SFT from the host page.
    expect(await command(page, 'step')).toMatchObject({ ok: true });
    await f.locator('[data-testid=run-sft][data-step="1"]').waitFor({ timeout: LONG });
    // Nothing failed to save: without IndexedDB the stores keep everything in memory.
    expect(await f.locator('[data-testid=notice]').allTextContents()).toEqual([]);
    await frame.evaluate(() => window.scrollTo(0, 0));
    await page
      .locator('#playground')
      .screenshot({ path: path.join(RESULTS_DIR, 'embed-cross-site--no-storage.png') });
  });

  it('notices a worker that dies, without Web Locks', async () => {
    const { app } = origins();
    const { page } = await openApp(hostUrl(origins(), 'lab=workers&testHooks=1&backend=wasm', ''));
    const frame = await appFrame(page, app);
    await frame.waitForFunction(() => window.__lab !== undefined, null, { timeout: LONG });
    await frame.evaluate(() => window.__lab!.ready);
    // Refused Web Locks, the page watches the workers by heartbeat.
    expect(await frame.evaluate(() => window.__lab!.workers!.policy.lifeline)).toBe('heartbeat');
    await frame.evaluate(() => window.__lab!.workers!.policy.hooks.killWorker());
    // The heartbeat gives up after 30 s without an answer.
    const notice = await frame.waitForFunction(
      () =>
        window.__lab!.workers!.notices.find((n) =>
          n.message.startsWith('The policy worker stopped unexpectedly. Restarted'),
        ),
      null,
      { timeout: 60_000, polling: 500 },
    );
    expect(((await notice.jsonValue()) as { message: string }).message).toBe(
      'The policy worker stopped unexpectedly. Restarted it on wasm; no model had been loaded.',
    );
    // The new worker answers.
    expect(await frame.evaluate(() => window.__lab!.workers!.policy.api.state())).toBe('idle');
  }, 90_000);
});

describe('embed on another site, third-party storage allowed', () => {
  // Without the phase-out Chromium gives the frame storage partitioned by the host's site.
  const { openApp, origins } = useBrowser({
    secondSite: true,
    chromiumArgs: ['--disable-features=TrackingProtection3pcd'],
  });

  it('starts, keeps its work across a reload and says nothing about storage', async () => {
    const { app } = origins();
    const { page } = await openApp(hostUrl(origins(), ...EMBED));
    const frame = await appFrame(page, app);
    expect(await storageAccess(frame)).toEqual({ locks: 'ok', idb: 'ok' });
    await waitEvent(page, (e) => e.type === 'ready');
    const f = page.frameLocator('#playground');
    await f.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await addDemonstration(page, frame, 'Write a story about a dog.');
    expect(await f.locator('[data-testid=work-not-kept]').count()).toBe(0);

    await page.reload();
    const again = await appFrame(page, app);
    await waitEvent(page, (e) => e.type === 'ready');
    await f.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await f
      .locator('[data-testid=own-demos] li', { hasText: 'Write a story about a dog.' })
      .waitFor({ timeout: LONG });
    expect(await command(page, 'step')).toMatchObject({ ok: true });
    await f.locator('[data-testid=run-sft][data-step="1"]').waitFor({ timeout: LONG });
    expect(await again.evaluate(() => document.querySelector('[data-testid=work-not-kept]'))).toBe(
      null,
    );
  });
});
