// Kernel budgets on wasm, where each kernel costs ~8 µs whatever its size
// (BENCHMARKS.md): a regression guard that counts, and does not time, what
// the engine dispatches. The nano model (4 layers, 128 wide); the counts
// do not depend on the batch size, so the batches are small.
import { beforeAll, describe, expect, it } from 'vitest';
import type * as TF from '@tensorflow/tfjs';
import { useBackend } from '../../helpers/tf';
import { MODEL_SIZES, SftTrainer, createGPT, sample } from '../../../src/core/index';

describe('kernel budgets on wasm (nano)', () => {
  let tf: typeof TF;
  let count = 0;
  beforeAll(async () => {
    tf = await useBackend('wasm');
    for (const config of tf.getKernelsForBackend('wasm')) {
      const inner = config.kernelFunc;
      (config as { kernelFunc: TF.KernelFunc }).kernelFunc = (args) => {
        count++;
        return inner(args);
      };
    }
  });
  const config = { vocabSize: 72, ...MODEL_SIZES.nano };

  it('a KV-cache step costs at most 171 kernels per new token', async () => {
    const model = createGPT(config, 1);
    const prompts = [
      [5, 6, 7, 8, 9, 10, 11, 12],
      [13, 14, 15, 16, 17, 18, 19, 20],
    ];
    const opts = { maxNewTokens: 8, seed: 1, eosId: -1 };
    await sample(model, prompts, opts); // the step tables and folded weights are made once
    const run = async (n: number) => {
      count = 0;
      await sample(model, prompts, { ...opts, maxNewTokens: n });
      return count;
    };
    // The difference between 16 and 8 new tokens is 8 steps, whatever the fixed cost.
    const perToken = ((await run(16)) - (await run(8))) / 8;
    console.log(`nano KV-cache step: ${perToken} kernels per new token`);
    expect(perToken).toBeLessThanOrEqual(171);
    model.dispose();
  });

  it('an SFT step stays under 2,000 kernels', async () => {
    const model = createGPT(config, 1);
    const trainer = new SftTrainer(model, { lr: 1e-3 });
    const batch = [0, 1].map((r) => ({
      prompt: [1],
      response: Array.from({ length: 127 }, (_, i) => 4 + ((i * 7 + r) % 68)),
    }));
    await trainer.step(batch); // Adam's moments are made on the first step
    count = 0;
    await trainer.step(batch);
    console.log(`nano SFT step: ${count} kernels`);
    expect(count).toBeLessThan(2000);
    trainer.dispose();
    model.dispose();
  });
});
