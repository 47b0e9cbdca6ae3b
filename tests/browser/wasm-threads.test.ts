// Threads on wasm, in real Chromium. Served with the cross-origin isolation
// headers (COOP/COEP), the page's workers start tfjs's threaded wasm module,
// whose pthread workers get the module's own source (scripts/vite-wasm-threads.ts;
// without it every pthread worker died with "e is not defined" and the wasm
// backend failed to start). Served without them it runs on one thread. The
// badge says how many, and both train the same tiny model to the same loss.
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { useBrowser } from './harness';
import { labReady, loopResult, metricEvents, startPolicyLoop, tinyModel } from './lab';

const { openApp, origins } = useBrowser({ isolatedSecond: true });
const LAB = '?lab=workers&testHooks=1&backend=wasm';

async function firstLoss(where: Page): Promise<number> {
  await tinyModel(where, 1);
  await startPolicyLoop(where, {
    kind: 'sft',
    examples: await where.evaluate(() => window.__lab!.examples),
    settings: { lr: 3e-3, batchSize: 4, maxSteps: 2, seed: 5 },
  });
  await loopResult(where);
  return (await metricEvents(where))[0].metrics['sft/loss'];
}

const threadsOf = (where: Page) => where.evaluate(() => window.__lab!.workers!.report.threads);

describe('wasm threads', () => {
  it('run where the page is isolated, one thread elsewhere, with the same loss', async () => {
    const second = origins().second!;
    const isolated = (await openApp(`${second}${LAB}`)).page;
    await labReady(isolated, 180_000);
    expect(await isolated.evaluate(() => crossOriginIsolated)).toBe(true);
    const cores = await isolated.evaluate(() => navigator.hardwareConcurrency);
    const threads = await threadsOf(isolated);
    console.log(`isolated: ${threads} threads on ${cores} logical cores`);
    // Half the cores (workers/backend.ts, wasmThreadsWanted).
    const wanted = Math.max(1, Math.floor(cores / 2));
    expect(threads).toBe(wanted);
    await expect
      .poll(() => isolated.getByTestId('backend').textContent())
      .toContain(wanted === 1 ? '· 1 thread' : `· ${wanted} threads`);
    const lossThreaded = await firstLoss(isolated);

    const plain = (await openApp(LAB)).page;
    await labReady(plain, 180_000);
    expect(await plain.evaluate(() => crossOriginIsolated)).toBe(false);
    expect(await threadsOf(plain)).toBe(1);
    await expect.poll(() => plain.getByTestId('backend').textContent()).toContain('· 1 thread');
    const lossPlain = await firstLoss(plain);
    console.log(`first SFT loss: ${lossThreaded} threaded, ${lossPlain} on one thread`);
    expect(Math.abs(lossThreaded - lossPlain) / lossPlain).toBeLessThan(1e-5);
  });
});
