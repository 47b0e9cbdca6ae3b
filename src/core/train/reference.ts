/**
 * The frozen reference of the preference trainers (DPO, the group trainers):
 * a separate model, usually a copy of the SFT weights, read and never trained.
 */
import { ArgumentError } from '../errors';
import type { GPT } from '../model/gpt';

/** Throws unless `reference` is a model of its own over the policy's vocabulary. */
export function assertReference(model: GPT, reference: GPT): void {
  if (reference === model) {
    throw new ArgumentError(
      'reference',
      'is the policy itself; give a frozen copy of its starting weights',
    );
  }
  if (reference.config.vocabSize !== model.config.vocabSize) {
    throw new ArgumentError(
      'reference',
      `has ${reference.config.vocabSize} tokens but the policy has ${model.config.vocabSize}`,
    );
  }
}
