// One model held by a worker, with what it needs to survive failures: the
// last good weights as plain Float32Arrays (off the device, so they outlive a
// lost GPU and can be written back after a NaN) and a training-step counter
// that goes into checkpoints.
import {
  gptFromWeights,
  readWeights,
  saveCheckpoint,
  writeWeights,
  type CharTokenizer,
  type GPT,
} from '../src/core';

export class ModelSlot {
  model: GPT;
  readonly tokenizer: CharTokenizer;
  /** Training steps applied to this model (all loops together). */
  step: number;
  private good: { weights: Map<string, Float32Array>; step: number } | null = null;

  private constructor(model: GPT, tokenizer: CharTokenizer, step: number) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.step = step;
  }

  static async create(model: GPT, tokenizer: CharTokenizer, step = 0): Promise<ModelSlot> {
    const slot = new ModelSlot(model, tokenizer, step);
    await slot.snapshot();
    return slot;
  }

  get snapshotStep(): number {
    return this.good?.step ?? this.step;
  }

  /** Records the current weights as the last good ones. */
  async snapshot(): Promise<void> {
    this.good = { weights: await readWeights(this.model), step: this.step };
  }

  /** Writes the last good weights back (after a non-finite step); returns their step. */
  rollback(): number {
    if (!this.good) throw new Error('no snapshot to roll back to');
    writeWeights(this.model, this.good.weights);
    this.step = this.good.step;
    return this.step;
  }

  /** Disposes the model; errors are ignored because its device may be gone. */
  drop(): void {
    try {
      this.model.dispose();
    } catch {
      // the variables lived on a lost device; nothing left to free
    }
  }

  /** A fresh model on the current backend from the last good weights (after `drop`). */
  rebuild(): void {
    if (!this.good) throw new Error('no snapshot to rebuild from');
    this.model = gptFromWeights(this.model.config, this.good.weights);
    this.step = this.good.step;
  }

  checkpoint(extra?: Record<string, unknown>): Promise<Uint8Array> {
    return saveCheckpoint(this.model, this.tokenizer, { step: this.step, extra });
  }

  dispose(): void {
    this.drop();
    this.good = null;
  }
}
