// Presets and base models as shipped under public/: the index, each preset
// (validated field by field, since JSON is untrusted), and where the base
// model for a preset lives. Relative URLs, so the app also works from a
// sub-folder or an iframe.
import { validatePreset, validatePresetIndex } from '../../core/presets';
import type { BaseModelName, Preset, PresetIndexEntry } from '../../core/presets';

export type { Preset, PresetIndexEntry, BaseModelName };

const base = () => new URL('./', document.baseURI);

async function fetchJson(path: string, what: string): Promise<unknown> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base()));
  } catch (e) {
    throw new Error(`Could not load ${what} (${path}): ${e instanceof Error ? e.message : e}`, {
      cause: e,
    });
  }
  if (!res.ok) throw new Error(`Could not load ${what} (${path}): HTTP ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new Error(`${what} (${path}) is not valid JSON`);
  }
}

type Words = Pick<Preset, 'title' | 'language'> & {
  description?: string;
  translations?: Preset['translations'];
};

/** A preset's title in the page's language, its own where it has no translation. */
export function presetTitle(p: Words, lang: string): string {
  return p.translations?.[lang as Preset['language']]?.title ?? p.title;
}

/** A preset's description in the page's language, its own where it has no translation. */
export function presetDescription(p: Words & { description: string }, lang: string): string {
  return p.translations?.[lang as Preset['language']]?.description ?? p.description;
}

export async function loadPresetIndex(): Promise<PresetIndexEntry[]> {
  return validatePresetIndex(await fetchJson('presets/index.json', 'the preset list'));
}

export async function loadPreset(entry: PresetIndexEntry): Promise<Preset> {
  const preset = validatePreset(
    await fetchJson(`presets/${entry.file}`, `preset “${entry.title}”`),
  );
  if (preset.id !== entry.id) {
    throw new Error(`presets/${entry.file} holds preset “${preset.id}”, not “${entry.id}”`);
  }
  return preset;
}

/** The shipped base model's file, e.g. models/en-micro.safetensors. */
export function modelPath(language: string, size: BaseModelName): string {
  return `models/${language}-${size}.safetensors`;
}

/** Fetches a base model; a missing file gets a message that says what to do. */
export async function fetchModel(path: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(new URL(path, base()));
  } catch (e) {
    throw new Error(
      `Could not load the base model ${path}: ${e instanceof Error ? e.message : e}`,
      {
        cause: e,
      },
    );
  }
  if (res.status === 404) {
    throw new Error(
      `The base model ${path} is not there. It is made by \`npm run pretrain\`; until then, pick a preset whose model exists or choose the other model size.`,
    );
  }
  if (!res.ok) throw new Error(`Could not load the base model ${path}: HTTP ${res.status}`);
  return new Uint8Array(await res.arrayBuffer());
}
