/**
 * Counts the kernels the tfjs engine dispatches, by wrapping the kernel
 * function of every kernel registered for a backend (as bench/profile-step.ts
 * does): the engine looks a kernel's config up on each dispatch and calls its
 * kernelFunc. It sees forward, gradient and optimizer kernels alike; kernels a
 * backend runs inside another kernel (without the engine) are not counted.
 * On webgl/webgpu a kernel is counted when it is enqueued.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelCounter } from './workloads';

export function installKernelCounter(backend: string): KernelCounter {
  let n = 0;
  for (const config of tf.getKernelsForBackend(backend)) {
    const inner = config.kernelFunc;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (args) => {
      n++;
      return inner(args);
    };
  }
  return {
    reset: () => {
      n = 0;
    },
    count: () => n,
  };
}
