// Loading the base model into the workers: a shipped checkpoint of the
// chosen size, or a tiny model made on the spot for the preset's characters.
// An automatic choice of nano that cannot be loaded falls back to micro.
import { errorMessage } from '../../core/errors';
import type { Preset } from '../../core/presets';
import type { ModelInfo } from '../../../workers/model-setup';
import type { ModelLanes } from '../bridge/lanes';
import { t } from '../i18n/index.svelte';
import { fetchModel, modelPath } from '../settings/preset-catalog';
import type { Demonstration } from './demonstrations';

export type ModelSize = 'nano' | 'micro' | 'tiny';

export interface BaseModelOptions {
  /** The size was chosen automatically (so nano may fall back to micro). */
  auto: boolean;
  /** Seeds a tiny model's initial weights. */
  seed: number;
  /** The demonstrations a tiny model must be able to write. */
  demonstrations: readonly Demonstration[];
  /** With saved models to restore: the characters they were trained on (their weights fit no other). */
  savedVocabulary(): string[] | null;
  /** Called when nano could not be loaded and micro is loaded instead. */
  onFallback(reason: string): void;
}

/** Loads the base model of `size` into the workers; returns it and where it came from, in words. */
export async function loadBaseModel(
  workers: ModelLanes,
  preset: Preset,
  size: ModelSize,
  opts: BaseModelOptions,
): Promise<{ model: ModelInfo; source: string }> {
  try {
    return await loadSize(workers, preset, size, opts);
  } catch (e) {
    if (!opts.auto || size !== 'nano') throw e;
    opts.onFallback(errorMessage(e));
    return loadSize(workers, preset, 'micro', opts);
  }
}

async function loadSize(
  workers: ModelLanes,
  preset: Preset,
  size: ModelSize,
  opts: BaseModelOptions,
): Promise<{ model: ModelInfo; source: string }> {
  if (size === 'tiny') {
    // Every character the preset uses, so nothing is unknown to it.
    const text =
      opts.savedVocabulary()?.join('') ??
      [
        ...preset.prompts,
        ...preset.heldoutPrompts,
        ...opts.demonstrations.flatMap((d) => [d.prompt, d.response]),
      ].join('');
    const model = await workers.loadBase({ kind: 'tiny', text, seed: opts.seed });
    return { model, source: t('model.source.tiny') };
  }
  const path = modelPath(preset.language, size);
  const bytes = await fetchModel(path);
  return { model: await workers.loadBase({ kind: 'checkpoint', bytes }), source: path };
}
