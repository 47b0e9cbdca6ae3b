// Nothing a session keeps is lost behind the person's back, in a real
// Chromium: a second tab on the same session saves nothing over the first
// (and says so); a demonstration that grows a tiny model's vocabulary, or a
// preset chosen on Start, does not delete trained models; a full store names
// itself and the page stays on its session; a reload shows runs as they
// were; a session file from a newer version says so. A tiny untrained model
// on wasm and a few steps keep each test short.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { useBrowser } from './harness';
import { go } from './stages';

const { openApp, origins } = useBrowser();

const LONG = 120_000;
const APP = '?backend=wasm&model=tiny';

const SETTINGS = new URLSearchParams({
  stage: 'demonstrate',
  optimise: 'ppo',
  'sample.k': '2',
  'sample.maxNewTokens': '8',
  'sft.steps': '2',
  'sft.batchSize': '4',
  'rm.steps': '10',
  'rm.batchSize': '4',
  'ppo.iterations': '10',
  'ppo.batchSize': '2',
  'ppo.miniBatchSize': '2',
  'ppo.ppoEpochs': '1',
}).toString();

const ready = (page: Page) => page.locator('main[data-model=ready]').waitFor({ timeout: LONG });
const bar = (page: Page) => page.locator('[data-testid=share-bar]');
/**
 * Runs `action`, which makes the page load a new document, and waits for that
 * load: the page's URL matches at once, so waiting for a URL would not wait.
 */
const loadsAfter = async (page: Page, action: () => Promise<unknown>) => {
  await Promise.all([page.waitForEvent('load', { timeout: LONG }), action()]);
};
const notices = (page: Page) => page.locator('[data-testid=notice]').allTextContents();
const navDone = async (page: Page, stage: string) =>
  /\(done\)/.test((await page.locator(`[data-testid=nav-${stage}]`).textContent()) ?? '');

async function rankFive(page: Page): Promise<void> {
  await go(page, 'rank');
  await page.getByRole('button', { name: 'Let it rank 5 prompts' }).click();
  await page
    .locator('[data-testid=comparison-count][data-rankings="5"]')
    .waitFor({ timeout: LONG });
}

async function trainRewardModel(page: Page): Promise<void> {
  await go(page, 'reward');
  await page.click('button[aria-label="Train Reward model"]');
  await page.locator('[data-testid=run-reward-model][data-status=done]').waitFor({ timeout: LONG });
  await expect.poll(() => bar(page).getAttribute('data-saved-rm'), { timeout: LONG }).toBe('10');
}

/** Console errors of a page the harness did not open (a second tab). */
function errorsOf(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

/**
 * Makes every IndexedDB write fail as a full store does in Chromium: the
 * request succeeds, then the commit aborts with a QuotaExceededError whose
 * message is empty. (CDP's Storage.overrideQuotaForOrigin had no effect on
 * the harness's browser contexts.) It lasts for the tab, reloads included.
 */
function storageFull(): void {
  if (sessionStorage.getItem('test-storage-full') !== '1') return;
  const marked = new WeakSet<IDBTransaction>();
  for (const method of ['put', 'add'] as const) {
    const original = IDBObjectStore.prototype[method] as (...a: unknown[]) => IDBRequest;
    IDBObjectStore.prototype[method] = function (this: IDBObjectStore, ...args: unknown[]) {
      const req = original.apply(this, args);
      const tx = this.transaction;
      marked.add(tx);
      req.addEventListener('success', () => {
        try {
          tx.abort();
        } catch {
          // already finished
        }
      });
      return req;
    } as never;
  }
  const error = Object.getOwnPropertyDescriptor(IDBTransaction.prototype, 'error')!;
  Object.defineProperty(IDBTransaction.prototype, 'error', {
    get(this: IDBTransaction) {
      return marked.has(this) ? new DOMException('', 'QuotaExceededError') : error.get!.call(this);
    },
  });
}

async function fillStorage(page: Page): Promise<void> {
  await page.context().addInitScript(storageFull);
  await page.evaluate(() => sessionStorage.setItem('test-storage-full', '1'));
  await page.evaluate(storageFull);
}

describe('session safety', () => {
  it('a second tab on the same session saves nothing over the first, and says so', async () => {
    const { page: a } = await openApp(`${APP}#${SETTINGS}`);
    await ready(a);
    // Tab B opens the same session before A trains anything.
    const b = await a.context().newPage();
    const bErrors = errorsOf(b);
    await b.goto(new URL(APP, origins().app).href);
    await ready(b);

    await a.bringToFront();
    await a.click('button[aria-label="Train SFT"]');
    await a.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    await rankFive(a);
    await trainRewardModel(a);

    // B, which never saw any of it, moves to Start and lingers.
    await b.bringToFront();
    await b.click('[data-testid=nav-start]');
    await b.waitForTimeout(1500);

    // A reloaded has its work: the reward model is ready and Optimise can run.
    await a.bringToFront();
    await a.reload();
    await ready(a);
    expect(await navDone(a, 'reward')).toBe(true);
    expect(await navDone(a, 'demonstrate')).toBe(true);
    await go(a, 'optimise');
    expect(await a.locator('[data-testid=run-optimise]').isDisabled()).toBe(false);

    // B says why it saves nothing, and offers to take over or start afresh.
    const banner = b.locator('[data-testid=session-elsewhere]');
    expect(await banner.textContent()).toMatch(/open in another tab/);
    expect(await b.locator('[data-testid=session-use-here]').isVisible()).toBe(true);
    expect(await b.locator('[data-testid=session-new-here]').isVisible()).toBe(true);
    await b.screenshot({ path: 'test-results/session-safety--second-tab.png' });
    expect(bErrors).toEqual([]);

    // Taking over: A saves and lets go (and says so); B reloads with A's work.
    await loadsAfter(b, () => b.click('[data-testid=session-use-here]'));
    await ready(b);
    await expect.poll(() => navDone(b, 'reward'), { timeout: LONG }).toBe(true);
    expect(await b.locator('[data-testid=session-elsewhere]').count()).toBe(0);
    await a.locator('[data-testid=session-elsewhere][data-why=taken]').waitFor({ timeout: LONG });
    await b.close();
  });

  it('keeps trained models when a demonstration grows the tiny vocabulary, and asks before a preset change', async () => {
    const { page } = await openApp(`${APP}#${SETTINGS}`);
    await ready(page);
    // A demonstration with a character the preset's text lacks ("z").
    await page.fill('#demo-response', 'Emma ate a pizza.');
    await page.click('form.editor button[type=submit]');
    await page.locator('form.editor [role=status]').filter({ hasText: /./ }).waitFor();
    await page.click('button[aria-label="Train SFT"]');
    await page.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    await expect.poll(() => bar(page).getAttribute('data-saved-sft'), { timeout: LONG }).toBe('2');

    await page.reload();
    await ready(page);
    await expect.poll(() => notices(page)).toContainEqual(expect.stringMatching(/^Restored/));
    expect((await notices(page)).join('\n')).not.toMatch(/not restored|cannot be restored/);
    expect(await navDone(page, 'demonstrate')).toBe(true);
    expect(await bar(page).getAttribute('data-saved-sft')).toBe('2');

    // Another preset on Start: it asks first; cancelling changes nothing.
    await go(page, 'start');
    const before = await page.locator('input[name=preset]:checked').inputValue();
    const other = page.locator(`input[name=preset]:not([value="${before}"])`).first();
    const otherId = await other.inputValue();
    await other.check();
    const confirm = page.locator('[data-testid=change-confirm]');
    await confirm.waitFor();
    expect(await confirm.textContent()).toMatch(/new session/);
    await page.screenshot({ path: 'test-results/session-safety--preset-change.png' });
    await page.click('[data-testid=change-cancel]');
    expect(await confirm.count()).toBe(0);
    expect(await page.locator('input[name=preset]:checked').inputValue()).toBe(before);
    expect(await navDone(page, 'demonstrate')).toBe(true);

    // Confirmed: the preset opens in a new session, and the first keeps its model.
    await other.check();
    await loadsAfter(page, () => page.click('[data-testid=change-new-session]'));
    await ready(page);
    await expect.poll(() => bar(page).getAttribute('data-session')).not.toBe('default');
    expect(await page.locator('input[name=preset]:checked').inputValue()).toBe(otherId);
    expect(await navDone(page, 'demonstrate')).toBe(false);

    // The first session is there, with its SFT model, and reopens restored.
    await page.click('[data-testid=sessions]');
    const first = page.locator('[data-testid=session-row][data-session=default]');
    await loadsAfter(page, () => first.getByRole('button', { name: 'Open' }).click());
    await ready(page);
    expect(await bar(page).getAttribute('data-session')).toBe('default');
    await expect.poll(() => notices(page)).toContainEqual(expect.stringMatching(/^Restored/));
    expect(await navDone(page, 'demonstrate')).toBe(true);
  });

  it('names a full store, offers to make room, and stays on the open session', async () => {
    const { page, log } = await openApp(`${APP}#stage=rank&sample.k=2&sample.maxNewTokens=8`);
    await ready(page);
    // A second session, opened: the one the page must come back to.
    await page.click('[data-testid=sessions]');
    await loadsAfter(page, () => page.getByRole('button', { name: 'New session' }).click());
    await ready(page);
    await expect.poll(() => bar(page).getAttribute('data-session')).not.toBe('default');
    const opened = await bar(page).getAttribute('data-session');
    const name = await page.locator('[data-testid=sessions]').textContent();

    await fillStorage(page);

    // A ranking, then a change of stage (the session record): both fail to save.
    await go(page, 'rank');
    await page.getByRole('button', { name: 'Let it rank 5 prompts' }).click();
    await page.locator('[data-testid=storage-full]').waitFor({ timeout: LONG });
    await go(page, 'reward');
    await expect
      .poll(() => notices(page), { timeout: LONG })
      .toContainEqual(expect.stringMatching(/^The session could not be saved: .*full/));
    for (const text of await notices(page)) {
      expect(text).not.toMatch(/\(\)|: $|: \.$/);
    }
    expect((await notices(page)).join('\n')).toMatch(/QuotaExceededError/);
    await page.click('[data-testid=storage-manage]');
    await page.locator('[data-testid=storage-full-hint]').waitFor();
    // The dialog lists the sessions once it has read them from the store (after the hint shows).
    await expect
      .poll(() => page.locator('[data-testid=session-export]').count())
      .toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: 'test-results/session-safety--storage-full.png' });

    // Reloaded with the store still full: the same session, and no reason left blank.
    await page.reload();
    await ready(page);
    expect(await bar(page).getAttribute('data-session')).toBe(opened);
    expect(await page.locator('[data-testid=sessions]').textContent()).toBe(name);
    for (const text of await notices(page)) {
      expect(text).not.toMatch(/\(\)|: $|: \.$/);
      expect(text).not.toMatch(/could not be read/);
    }
    // The failed writes were reported on the page, not thrown into the console.
    expect(log.errors).toEqual([]);
  });

  it('reloads a finished run as finished, and a skipped SFT as skipped', async () => {
    const { page } = await openApp(`${APP}#${SETTINGS}`);
    await ready(page);
    // No SFT: the reward model starts from the base model, fixed as the reference.
    await rankFive(page);
    await trainRewardModel(page);
    expect(await navDone(page, 'demonstrate')).toBe(false);
    await go(page, 'optimise');
    await page.click('[data-testid=run-optimise]');
    await page.locator('[data-testid=run-ppo][data-status=done]').waitFor({ timeout: LONG });
    await expect.poll(() => bar(page).getAttribute('data-saved-ppo'), { timeout: LONG }).toBe('10');
    await page.waitForTimeout(1200); // the curve's history is written at most once a second

    await page.goto(new URL(`${APP}&theme=dark&stage=optimise`, origins().app).href);
    await ready(page);
    const ppo = page.locator('[data-testid=run-ppo]');
    expect(await ppo.getAttribute('data-status')).toBe('done');
    expect(await ppo.getAttribute('data-step')).toBe('10');
    expect(await ppo.textContent()).not.toMatch(/not started/);
    expect(await navDone(page, 'demonstrate')).toBe(false);
    expect(await navDone(page, 'optimise')).toBe(true);
    await expect
      .poll(() => notices(page))
      .toContainEqual(expect.stringMatching(/SFT was not trained/));
    expect((await notices(page)).join('\n')).not.toMatch(/the SFT model/);
  });

  it('names a session file from a newer version in automatic mode', async () => {
    const { page } = await openApp(APP);
    await ready(page);
    await page.click('[data-testid=transfer]');
    const file = JSON.stringify({
      format: 'rlhf-playground/session-v2',
      exportedAt: '2030-01-01T00:00:00.000Z',
      session: { name: 'From the future' },
      rankings: [],
    });
    await page.setInputFiles('[data-testid=import-file]', {
      name: 'future.session.json',
      mimeType: 'application/json',
      buffer: Buffer.from(file),
    });
    expect(await page.locator('[data-testid=import-kind]').inputValue()).toBe('auto');
    await page.click('[data-testid=import-run]');
    await expect
      .poll(() => page.locator('[data-testid=import-result]').textContent())
      .toMatch(/newer version of the playground \(rlhf-playground\/session-v2\)/);
  });
});
