// Aborting a call's signal ends the worker's loop at its next step and keeps
// the weights. The "worker" is a WorkerRuntime in this process with an SFT
// loop on a tiny model, exposed with comlink on a MessagePort; the client on
// the other end is the page's WorkerClient.
import { expose, type Endpoint } from 'comlink';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createGPT } from '../../../src/core/model/gpt';
import { WorkerClient } from '../../../src/lib/bridge/worker-client';
import { ModelSlot } from '../../../workers/model-slot';
import type { TrainRequest } from '../../../workers/policy-requests';
import { makePolicyTask } from '../../../workers/policy-tasks';
import type { LoopEvent } from '../../../workers/training-loop';
import { WorkerRuntime } from '../../../workers/worker-runtime';
import { useBackend } from '../../helpers/tf';
import { tinyConfig, tokenizer } from '../core/train/synthetic';

beforeAll(async () => {
  await useBackend('cpu');
});

async function startWorker() {
  const policy = await ModelSlot.create(createGPT(tinyConfig, 1), tokenizer);
  const ref = await ModelSlot.create(createGPT(tinyConfig, 2), tokenizer);
  const runtime = new WorkerRuntime(() => [policy, ref]);
  const api = {
    ...runtime.commonApi(),
    train(req: TrainRequest, onEvent?: (e: LoopEvent) => void) {
      const task = makePolicyTask({ policy, ref, scorer: () => null as never }, req);
      // Node drains up to 1000 messages of one port at a time, so the loop's
      // message-channel yield alone would hold the page's stop back that long;
      // a timer in each step lets it in, as a browser's event loop does.
      const step = task.step.bind(task);
      task.step = async () => {
        await new Promise((r) => setTimeout(r, 1));
        return step();
      };
      return runtime.run(task, policy, req.settings, onEvent, () => policy.checkpoint());
    },
  };
  const { port1, port2 } = new MessageChannel();
  expose(api, port2 as unknown as Endpoint);
  const worker = Object.assign(port1, {
    terminate: () => {
      port1.close();
      port2.close();
    },
  }) as unknown as Worker;
  const client = new WorkerClient<typeof api>('policy', { spawn: () => worker, onDeath: vi.fn() });
  await client.spawn();
  return { client, policy, runtime };
}

const sft = (maxSteps: number): TrainRequest => ({
  kind: 'sft',
  examples: [
    { prompt: 'ab', response: 'cde' },
    { prompt: 'ea', response: 'fig' },
  ],
  settings: { lr: 1e-2, batchSize: 2, maxSteps, seed: 3, snapshotEvery: 1000 },
});

describe('WorkerClient abort', () => {
  let dispose: (() => void) | null = null;
  afterEach(() => {
    dispose?.();
    dispose = null;
    vi.unstubAllGlobals();
  });

  it('stops a running loop at a step boundary and keeps the trained weights', async () => {
    vi.stubGlobal('navigator', {}); // no Web Locks: the heartbeat lifeline
    const { client, policy, runtime } = await startWorker();
    dispose = () => client.dispose();
    const before = await policy.checkpoint();
    const controller = new AbortController();
    const events: LoopEvent[] = [];
    const summary = await client.abortable(controller.signal).train(sft(10_000), (e) => {
      events.push(e);
      if (e.type === 'metrics' && e.step === 3) controller.abort();
    });
    const metrics = events.filter((e) => e.type === 'metrics');
    expect(summary.stoppedBy).toBe('stop');
    // Aborted after step 3: at most the step under way when the stop arrived follows.
    expect(summary.steps).toBeGreaterThanOrEqual(3);
    expect(summary.steps).toBeLessThan(10);
    expect(metrics).toHaveLength(summary.steps);
    expect(policy.step).toBe(summary.steps);
    expect(runtime.control.state).toBe('idle');
    // The weights are the trained ones, and the final snapshot the loop reported is them.
    const after = await policy.checkpoint();
    expect(Buffer.from(after).equals(Buffer.from(before))).toBe(false);
    const last = events.filter((e) => e.type === 'snapshot').at(-1);
    expect(
      last?.type === 'snapshot' && Buffer.from(last.checkpoint).equals(Buffer.from(after)),
    ).toBe(true);
    // The worker goes on: another loop runs on the same weights.
    const again = await client.api.train(sft(1));
    expect(again.step).toBe(summary.steps + 1);
  });

  it('stops a loop whose signal aborted before the loop began', async () => {
    vi.stubGlobal('navigator', {});
    const { client, policy } = await startWorker();
    dispose = () => client.dispose();
    const controller = new AbortController();
    controller.abort();
    const summary = await client.abortable(controller.signal).train(sft(10_000));
    expect(summary.stoppedBy).toBe('stop');
    expect(summary.steps).toBeLessThan(10);
    expect(policy.step).toBe(summary.steps);
  });
});
