/**
 * Runs a benchmark plan (bench/workloads.ts) in Node on one tfjs backend and
 * prints one JSON line per event, prefixed with `BENCH `; bench/run.ts spawns
 * it once per Node backend.
 * Usage: npx tsx bench/node-run.ts '<Plan as JSON>'
 */
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { createRequire } from 'node:module';
import path from 'node:path';
import { installKernelCounter } from './kernel-counter';
import { backendFlags, runPlan, type Plan } from './workloads';

const plan = JSON.parse(process.argv[2] ?? '') as Plan;
const emit = (event: object) => process.stdout.write(`BENCH ${JSON.stringify(event)}\n`);

const require = createRequire(import.meta.url);
const wasmDir = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
setWasmPaths(path.join(wasmDir, 'dist') + path.sep);

const ok = await tf.setBackend(plan.backend);
await tf.ready();
if (!ok || tf.getBackend() !== plan.backend) {
  emit({ type: 'fatal', error: `tf.setBackend('${plan.backend}') failed` });
  process.exit(1);
}
emit({
  type: 'ready',
  info: { backend: plan.backend, tfjs: tf.version.tfjs, ...(await backendFlags(plan.backend)) },
});
const counter = installKernelCounter(plan.backend);
await runPlan(
  plan,
  (result) => emit({ type: 'result', result }),
  (spec) => emit({ type: 'start', spec }),
  counter,
);
emit({ type: 'done' });
