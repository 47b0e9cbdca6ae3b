/**
 * What `npm run corpus` ships: the seed and sizes of each language's corpus, and
 * the presets built from them. Tests rebuild from here (and from the manifests) to
 * check that the files in public/ are what the generator makes.
 */
import type { Preset, PresetIndexEntry } from '../../src/core/presets';
import { buildCorpus, type Corpus, type CorpusOptions } from './corpus';
import { ENGLISH } from './en/index';
import type { LanguagePack } from './language';
import { buildPresets } from './presets';
import { CHINESE } from './zh/index';

export const SHIPPED_SEED = 20250607;

export const PACKS: Record<'en' | 'zh', LanguagePack> = { en: ENGLISH, zh: CHINESE };

/** ~3.7 MB of English stories, ~0.5 MB of Chinese ones. */
export const SHIPPED_OPTIONS: Record<'en' | 'zh', CorpusOptions> = {
  en: { seed: SHIPPED_SEED, stories: 16000, instructions: 4000 },
  zh: { seed: SHIPPED_SEED, stories: 2200, instructions: 1500 },
};

export interface ShippedBuild {
  corpora: Record<'en' | 'zh', Corpus>;
  presets: Preset[];
  index: { presets: PresetIndexEntry[] };
}

export function buildShipped(options = SHIPPED_OPTIONS): ShippedBuild {
  const corpora = {
    en: buildCorpus(ENGLISH, options.en),
    zh: buildCorpus(CHINESE, options.zh),
  };
  return { corpora, ...buildPresets(corpora, options.en.seed, ENGLISH.shortWords) };
}
