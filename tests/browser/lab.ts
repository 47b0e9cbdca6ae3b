// Helpers for the worker tests: they open the worker lab page
// (`?lab=workers&testHooks=1`) and drive its clients through `window.__lab`.
// Code inside `page.evaluate` runs in the page, so it reaches the clients only
// through `window`; `window.__t` is scratch space that lives across calls.
// The page code these types come from is built by Vite (its `?url` imports included).
/// <reference types="vite/client" />
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import type { Lab } from '../../src/lib/bridge/worker-lab.svelte';
import type { LoopEvent } from '../../workers/training-loop';

export type { Lab, LoopEvent };

declare global {
  interface Window {
    __t: {
      events: LoopEvent[];
      run?: Promise<unknown>;
      result?: unknown;
      error?: { name: string; message: string; argument?: string };
    };
  }
}

/** Waits until both workers are up; throws with the page's error if starting failed. */
export async function labReady(page: Page, timeout = 120_000): Promise<void> {
  await page.waitForFunction(() => window.__lab !== undefined, null, { timeout });
  await page.evaluate(async () => {
    await window.__lab!.ready;
    window.__t = { events: [] };
  });
}

export const LAB = '?lab=workers&testHooks=1';

/** Metric events of the current run, as [step, batchSize, tensors, metrics]. */
export async function metricEvents(page: Page) {
  return page.evaluate(() =>
    window.__t.events.flatMap((e) =>
      e.type === 'metrics'
        ? [
            {
              step: e.step,
              batchSize: e.batchSize,
              tensors: e.tensors,
              metrics: e.metrics,
              ms: e.ms,
            },
          ]
        : [],
    ),
  );
}

/** Waits for the current run to have streamed at least `n` metric events. */
export async function waitForSteps(page: Page, n: number, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (k) => window.__t.events.filter((e) => e.type === 'metrics').length >= k,
    n,
    { timeout, polling: 50 },
  );
}

/** Starts a policy-worker loop in the page without waiting for it; events go to __t.events. */
export async function startPolicyLoop(page: Page, req: unknown): Promise<void> {
  await page.evaluate((r) => {
    window.__t = { events: [] };
    const w = window.__lab!.workers!;
    window.__t.run = w.policy.api
      .train(r as Parameters<typeof w.policy.api.train>[0], (e) => window.__t.events.push(e))
      .then((x) => (window.__t.result = x))
      .catch((e: Error & { argument?: string }) => {
        window.__t.error = { name: e.name, message: e.message, argument: e.argument };
      });
  }, req);
}

/** Waits for the loop started by startPolicyLoop to end; returns its summary. */
export async function loopResult(page: Page): Promise<unknown> {
  return page.evaluate(async () => {
    await window.__t.run;
    if (window.__t.error) throw new Error(`${window.__t.error.name}: ${window.__t.error.message}`);
    return window.__t.result;
  });
}

/** Notices of the current run, in order with its metrics (they share a port). */
export async function loopNotices(page: Page) {
  return page.evaluate(() =>
    window.__t.events.flatMap((e) => (e.type === 'notice' ? [{ ...e }] : [])),
  );
}

/** Waits for the current run to raise a notice of `kind`; returns it. */
export async function waitForLoopNotice(page: Page, kind: string, timeout = 60_000) {
  await page.waitForFunction(
    (k) => window.__t.events.some((e) => e.type === 'notice' && e.kind === k),
    kind,
    { timeout, polling: 50 },
  );
  return (await loopNotices(page)).find((n) => n.kind === kind)!;
}

/** Every notice the page has shown (from both workers and the page itself). */
export async function notices(page: Page) {
  return page.evaluate(() => window.__lab!.workers!.notices.map((n) => ({ ...n })));
}

export async function waitForNotice(page: Page, kind: string, timeout = 60_000) {
  await page.waitForFunction(
    (k) => window.__lab!.workers!.notices.some((n) => n.kind === k),
    kind,
    { timeout, polling: 100 },
  );
  const all = await notices(page);
  const hit = all.find((n) => n.kind === kind);
  expect(hit).toBeDefined();
  return hit!;
}

export const tinyModel = (page: Page, seed = 1) =>
  page.evaluate(
    (s) => window.__lab!.workers!.policy.api.createModel({ ...window.__lab!.tinyModel, seed: s }),
    seed,
  );
