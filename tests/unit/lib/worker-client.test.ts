// The worker client's lifeline where the browser refuses Web Locks (a frame on
// another site without storage access rejects `navigator.locks.request` with
// SecurityError): start-up must not hang, and the heartbeat must notice a dead
// worker. The "worker" is a MessagePort with a comlink API on its other end.
import { expose, type Endpoint } from 'comlink';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CommonApi } from '../../../workers/worker-runtime';
import { WorkerClient, WorkerDiedError } from '../../../src/lib/bridge/worker-client';

function fakeWorker(holdLifeLock: (name: string) => Promise<void>) {
  const { port1, port2 } = new MessageChannel();
  expose({ holdLifeLock, ping: () => 'pong' }, port2 as unknown as Endpoint);
  const close = () => {
    port1.close();
    port2.close();
  };
  const worker = Object.assign(port1, { terminate: close }) as unknown as Worker;
  // A crash: the worker stops answering, and no event says so.
  return { worker, kill: () => port2.close() };
}

const refused = () => Promise.reject(new DOMException('The request was denied.', 'SecurityError'));

/** Lets `ms` of (fake) interval time pass, with real turns for the port's messages. */
async function pass(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 1000) {
    vi.advanceTimersByTime(1000);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('WorkerClient lifeline', () => {
  let handle: WorkerClient<CommonApi> | null = null;

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
  });
  afterEach(() => {
    handle?.dispose();
    handle = null;
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('starts when the worker is refused its lock, and the heartbeat notices its death', async () => {
    const request = vi.fn(refused);
    vi.stubGlobal('navigator', { locks: { request } });
    const fake = fakeWorker(refused);
    const onDeath = vi.fn();
    handle = new WorkerClient<CommonApi>('policy', { spawn: () => fake.worker, onDeath });
    await handle.spawn();
    expect(handle.lifeline).toBe('heartbeat');
    expect(request).not.toHaveBeenCalled(); // the page does not queue for a lock nobody holds

    await pass(45_000); // answering: alive
    expect(onDeath).not.toHaveBeenCalled();
    expect(await handle.api.ping()).toBe('pong');

    fake.kill();
    const pending = expect(handle.api.ping()).rejects.toBeInstanceOf(WorkerDiedError);
    await pass(40_000); // 30 s without an answer
    expect(onDeath).toHaveBeenCalledTimes(1);
    await pending;
  });

  it('falls back to the heartbeat when only the page is refused the lock', async () => {
    const request = vi.fn(refused);
    vi.stubGlobal('navigator', { locks: { request } });
    const fake = fakeWorker(() => Promise.resolve());
    const onDeath = vi.fn();
    handle = new WorkerClient<CommonApi>('reward', { spawn: () => fake.worker, onDeath });
    await handle.spawn();
    await pass(1000);
    expect(request).toHaveBeenCalledTimes(1);
    expect(handle.lifeline).toBe('heartbeat');
    fake.kill();
    await pass(40_000);
    expect(onDeath).toHaveBeenCalledTimes(1);
  });

  it('uses the lock where the browser grants it', async () => {
    const request = vi.fn((_name: string, _held: () => void) => new Promise<void>(() => undefined));
    vi.stubGlobal('navigator', { locks: { request } });
    const names: string[] = [];
    const fake = fakeWorker((name) => {
      names.push(name);
      return Promise.resolve();
    });
    handle = new WorkerClient<CommonApi>('policy', { spawn: () => fake.worker, onDeath: vi.fn() });
    await handle.spawn();
    expect(handle.lifeline).toBe('lock');
    expect(request.mock.calls.map((c) => c[0])).toEqual(names);
  });
});
