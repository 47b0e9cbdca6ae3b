/**
 * Supervised fine-tuning (InstructGPT step 1): next-token cross-entropy on the
 * response tokens of prompt → demonstration pairs. With an empty prompt the
 * same trainer pretrains on plain text.
 */
import * as tf from '@tensorflow/tfjs';
import { lmLoss } from '../model/lm-losses';
import type { GPT } from '../model/gpt';
import { disposeBatch, packSequences, type Sequence } from './batch';
import { Optimizer, type OptimizerSettings } from './optimizer';

export type SftSettings = OptimizerSettings;

export class SftTrainer {
  readonly model: GPT;
  readonly optimizer: Optimizer;
  stepCount = 0;

  constructor(model: GPT, settings: SftSettings) {
    this.model = model;
    this.optimizer = new Optimizer(model.variables, settings);
  }

  /** One update on a batch; returns `sft/loss` (mean nats per response token) and `sft/grad_norm`. */
  async step(batch: Sequence[]): Promise<Record<string, number>> {
    const packed = packSequences(batch, this.model.config.blockSize);
    try {
      const metrics = await this.optimizer.step(
        () => ({ loss: lmLoss(this.model, packed.ids, packed.lossMask), metrics: {} }),
        'sft/loss',
        'sft',
      );
      this.stepCount++;
      return { ...metrics, step: this.stepCount };
    } finally {
      disposeBatch(packed);
    }
  }

  /** Mean loss on held-out sequences, without updating (`sft/heldout_loss`). */
  async evaluate(batch: Sequence[]): Promise<number> {
    const packed = packSequences(batch, this.model.config.blockSize);
    const loss = tf.tidy(() => lmLoss(this.model, packed.ids, packed.lossMask));
    const value = (await loss.data())[0];
    loss.dispose();
    disposeBatch(packed);
    return value;
  }

  dispose(): void {
    this.optimizer.dispose();
  }
}

/** Random windows of `length` tokens from a long token stream, for pretraining. */
export function randomWindows(
  tokens: ArrayLike<number>,
  count: number,
  length: number,
  rng: () => number,
): Sequence[] {
  if (tokens.length < length + 1) {
    throw new Error(
      `the text has ${tokens.length} tokens; at least ${length + 1} are needed for one window`,
    );
  }
  const out: Sequence[] = [];
  for (let i = 0; i < count; i++) {
    const start = Math.floor(rng() * (tokens.length - length + 1));
    const w = Array.from({ length }, (_, j) => tokens[start + j]);
    out.push({ prompt: w.slice(0, 1), response: w.slice(1) });
  }
  return out;
}
