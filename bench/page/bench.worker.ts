// The benchmark worker: makes the requested tfjs backend active (as the app's
// workers do, workers/backend.ts), describes it, and runs the plan's workloads
// (bench/workloads.ts), posting each event to the page.
import * as tf from '@tensorflow/tfjs';
import { initBackend, webglRenderer, type BackendName } from '../../workers/backend';
import { installKernelCounter } from '../kernel-counter';
import { backendFlags, runPlan, type Plan } from '../workloads';

const post = (event: object) => self.postMessage(event);

self.onmessage = async (e: MessageEvent<Plan>) => {
  const plan = e.data;
  try {
    const info = await initBackend(plan.backend as BackendName);
    post({
      type: 'ready',
      info: {
        ...info,
        tfjs: tf.version.tfjs,
        ...(await backendFlags(plan.backend)),
        webglRenderer: plan.backend === 'webgl' ? webglRenderer() : undefined,
        hardwareConcurrency: navigator.hardwareConcurrency,
        userAgent: navigator.userAgent,
      },
    });
  } catch (err) {
    post({ type: 'fatal', error: err instanceof Error ? err.message : String(err) });
    return;
  }
  const counter = installKernelCounter(plan.backend);
  await runPlan(
    plan,
    (result) => post({ type: 'result', result }),
    (spec) => post({ type: 'start', spec }),
    counter,
  );
  post({ type: 'done' });
};
