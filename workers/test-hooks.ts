// Failure injection for the browser tests, on only when the page was opened
// with ?testHooks=1 (the page passes that flag to `init`). Each hook provokes
// a failure the way it happens in the wild, so the recovery code under test is
// the same code that runs for real.
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../src/core/errors';
import type { GPT } from '../src/core/model/gpt';

export class TestHooks {
  enabled = false;
  private poisonNext = false;
  private oomAbove: number | null = null;

  check(name: string): void {
    if (!this.enabled) {
      throw new ArgumentError(name, 'is a test hook; open the page with ?testHooks=1 to use it');
    }
  }

  /** The next step starts from weights with a NaN in them, as after a divergent update. */
  poisonNextStep(): void {
    this.check('poisonNextStep');
    this.poisonNext = true;
  }

  /** Steps with a batch larger than `limit` fail as if the GPU ran out of memory; null ends it. */
  simulateOomAbove(limit: number | null): void {
    this.check('simulateOomAbove');
    this.oomAbove = limit;
  }

  /** Called by the loop right before each step. */
  beforeStep(model: GPT, batchSize: number): void {
    if (this.poisonNext) {
      this.poisonNext = false;
      const w = model.variables[0];
      tf.tidy(() => w.assign(tf.fill(w.shape, NaN)));
    }
    if (this.oomAbove !== null && batchSize > this.oomAbove) {
      // The wording of a WebGPU allocation failure, as tfjs relays it.
      throw new Error(
        `[test hook] GPUOutOfMemoryError: out of memory allocating a batch of ${batchSize}`,
      );
    }
  }
}
