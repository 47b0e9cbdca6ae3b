// The bench page: starts the benchmark worker on request and forwards its
// messages to the driver (bench/run.ts exposes `benchReport` with playwright).
import type { Plan } from '../workloads';

interface BenchWindow {
  benchReport?: (json: string) => void;
  startBench?: (plan: Plan) => void;
}
const w = window as unknown as BenchWindow;
const status = document.getElementById('status');

w.startBench = (plan: Plan) => {
  const worker = new Worker(new URL('./bench.worker.ts', import.meta.url), { type: 'module' });
  const send = (event: object) => w.benchReport?.(JSON.stringify(event));
  worker.onmessage = (e: MessageEvent<{ type: string }>) => {
    if (status) status.textContent = JSON.stringify(e.data).slice(0, 200);
    send(e.data);
  };
  worker.onerror = (e) => send({ type: 'fatal', error: `worker error: ${e.message}` });
  worker.postMessage(plan);
};
