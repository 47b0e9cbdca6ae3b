// The embed API across origins: the example host page (public/embed-example.html)
// on one loopback port drives the playground in an iframe from another port,
// only through postMessage. It sets the stage, plays, pauses, steps, stops and
// loads a preset; it hears ready, stage changes, run states and metrics; a bad
// message gets a reason; training pauses while the frame is scrolled out of
// view and resumes when it is back; a host that is not `hostOrigin` cannot drive it.
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { command, events, hostUrl as embedHostUrl, waitEvent } from './embed-host';
import { RESULTS_DIR, useBrowser } from './harness';

const { openApp, origins } = useBrowser({ secondOrigin: true });

const LONG = 120_000;

const hostUrl = (params: string, hash: string) => embedHostUrl(origins(), params, hash);

const metricsCount = async (page: Page) =>
  (await events(page)).filter((e) => e.type === 'metrics' && e.run === 'sft').length;

describe('embed', () => {
  it('is driven by a host page on another origin', async () => {
    const { page } = await openApp(
      hostUrl(
        'backend=wasm&model=tiny',
        'preset=happy-endings&stage=demonstrate&sft.steps=400&sft.batchSize=2',
      ),
    );
    const frame = page.frameLocator('#playground');
    const ready = await waitEvent(page, (e) => e.type === 'ready');
    expect(ready).toMatchObject({ stage: 'demonstrate', preset: 'happy-endings' });
    expect(ready.stages).toEqual(['start', 'demonstrate', 'rank', 'reward', 'optimise']);
    // The compact layout: no page chrome, a way out to the full playground.
    await frame.locator('[data-testid=embed-bar]').waitFor();
    expect(await frame.locator('h1').count()).toBe(0);
    const full = await frame
      .getByRole('link', { name: 'Open full playground' })
      .getAttribute('href');
    expect(full).not.toMatch(/embed=|hostOrigin=/);
    expect(full).toMatch(/#preset=happy-endings&stage=demonstrate/);

    // Stage changes go both ways.
    expect(await command(page, 'setStage', { stage: 'rank' })).toMatchObject({ ok: true });
    await frame.locator('[data-testid=stage-rank]').waitFor();
    await waitEvent(page, (e) => e.type === 'stageChanged' && e.stage === 'rank');
    expect(await command(page, 'setStage', { stage: 'evaluate' })).toMatchObject({
      ok: false,
      error: 'This embed offers start, demonstrate, rank, reward, optimise, not evaluate.',
    });
    // Messages outside the schema get a reason, and do nothing.
    expect(await command(page, 'eval', { code: 'alert(1)' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^type must be one of setStage, play/),
    });
    expect(await command(page, 'play', { run: 'everything' })).toMatchObject({ ok: false });
    await command(page, 'setStage', { stage: 'demonstrate' });

    // Play: SFT trains, with a metrics event per step.
    expect(await command(page, 'play')).toMatchObject({ ok: true });
    await waitEvent(
      page,
      (e) => e.type === 'runState' && e.run === 'sft' && e.status === 'running',
    );
    await expect.poll(() => metricsCount(page), { timeout: LONG }).toBeGreaterThanOrEqual(2);
    const m = (await events(page)).find((e) => e.type === 'metrics')!;
    expect(Object.keys(m.metrics as object)).toContain('sft/loss');
    await page.screenshot({ path: path.join(RESULTS_DIR, 'embed--example-page.png') });

    // Scrolled out of view: paused; back in view: resumed.
    let seen = (await events(page)).length;
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    const hidden = await waitEvent(page, (e) => e.type === 'visibility', seen);
    expect(hidden).toMatchObject({ visible: false, paused: ['sft'] });
    await waitEvent(page, (e) => e.type === 'runState' && e.status === 'paused', seen);
    const frozen = await metricsCount(page);
    await page.waitForTimeout(1500);
    expect(await metricsCount(page)).toBe(frozen);
    seen = (await events(page)).length;
    await page.evaluate(() => window.scrollTo(0, 0));
    expect(await waitEvent(page, (e) => e.type === 'visibility', seen)).toMatchObject({
      visible: true,
      resumed: ['sft'],
    });
    await expect.poll(() => metricsCount(page), { timeout: LONG }).toBeGreaterThan(frozen);

    // Pause, one step, stop; then another preset.
    expect(await command(page, 'pause')).toMatchObject({ ok: true });
    await frame.locator('[data-testid=run-sft][data-status=paused]').waitFor({ timeout: LONG });
    const before = Number(await frame.locator('[data-testid=run-sft]').getAttribute('data-step'));
    await command(page, 'step');
    await frame
      .locator(`[data-testid=run-sft][data-step="${before + 1}"]`)
      .waitFor({ timeout: LONG });
    expect(await command(page, 'loadPreset', { preset: 'short-and-sweet' })).toMatchObject({
      ok: false,
      error: 'Stop the training that runs first.',
    });
    await command(page, 'stop');
    await frame.locator('[data-testid=run-sft][data-status=done]').waitFor({ timeout: LONG });
    expect(await command(page, 'loadPreset', { preset: 'short-and-sweet' })).toMatchObject({
      ok: true,
    });
    await waitEvent(page, (e) => e.type === 'presetChanged' && e.preset === 'short-and-sweet');
    const state = await command(page, 'getState');
    expect(state.state).toMatchObject({ preset: 'short-and-sweet', stage: 'demonstrate' });
  });

  it('runs commands in order: a step sent right after loadPreset trains the new model', async () => {
    const { page } = await openApp(
      hostUrl('backend=wasm&model=tiny', 'preset=happy-endings&stage=demonstrate'),
    );
    const frame = page.frameLocator('#playground');
    await waitEvent(page, (e) => e.type === 'ready');
    await frame.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    // Both at once, as a host that does not wait for replies sends them.
    const [load, step] = await page.evaluate(() => {
      const send = (window as unknown as { send: (t: string, f: object) => number }).send;
      return [send('loadPreset', { preset: 'short-and-sweet' }), send('step', {})];
    });
    const replies = await Promise.all(
      [load, step].map((id) => waitEvent(page, (e) => e.type === 'reply' && e.id === id)),
    );
    expect(replies.map((r) => [r.ok, r.error])).toEqual([
      [true, undefined],
      [true, undefined],
    ]);
    // The preset's model loaded (not refused for a loop on the old one), and it took the step.
    await frame.locator('[data-testid=run-sft][data-step="1"]').waitFor({ timeout: LONG });
    expect(await frame.locator('main').getAttribute('data-model')).toBe('ready');
    const state = (await command(page, 'getState')).state as Record<string, unknown>;
    expect(state).toMatchObject({ preset: 'short-and-sweet', ready: true });
    expect(state.runs).toMatchObject({ sft: { status: 'paused', step: 1 } });
    // Replies came in the order the commands were sent.
    const order = (await events(page))
      .filter((e) => e.type === 'reply' && [load, step].includes(e.id as number))
      .map((e) => e.id);
    expect(order).toEqual([load, step]);
  });

  it('refuses fields named like what every object inherits', async () => {
    const { page } = await openApp(hostUrl('backend=wasm&model=tiny', 'stage=demonstrate'));
    await waitEvent(page, (e) => e.type === 'ready');
    for (const name of ['toString', 'valueOf', 'constructor', '__proto__']) {
      // Straight from JSON, so that `__proto__` is an own field of the message.
      const id = await page.evaluate((n) => {
        const frame = document.querySelector<HTMLIFrameElement>('#playground')!;
        const data: unknown = JSON.parse(
          `{"protocol": "rlhf-playground/embed-v1", "id": "${n}", "type": "getState", "${n}": 1}`,
        );
        frame.contentWindow!.postMessage(data, '*');
        return n;
      }, name);
      expect(await waitEvent(page, (e) => e.type === 'reply' && e.id === id)).toMatchObject({
        ok: false,
        error: `getState takes no field “${name}”`,
      });
    }
  });

  it('obeys no page but its hostOrigin', async () => {
    // The frame is told its host is the app's own origin; the page around it is not.
    const app = origins().app.replace(/\/$/, '');
    const { page, log } = await openApp(
      hostUrl(`backend=wasm&model=tiny&hostOrigin=${encodeURIComponent(app)}`, 'stage=demonstrate'),
    );
    const frame = page.frameLocator('#playground');
    await frame.locator('[data-testid=host-mismatch]').waitFor({ timeout: LONG });
    await frame.locator('main[data-model=ready]').waitFor({ timeout: LONG });
    await page.evaluate(() =>
      (window as unknown as { send: (t: string, f: object) => number }).send('setStage', {
        stage: 'rank',
      }),
    );
    await page.waitForTimeout(1000);
    expect(await events(page)).toEqual([]); // no ready, no reply: it does not talk to this page
    expect(await frame.locator('[data-testid=stage-demonstrate]').count()).toBe(1);
    expect(log.errors).toEqual([]);
  });
});
