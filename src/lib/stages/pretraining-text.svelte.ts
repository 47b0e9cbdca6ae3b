// Held-out pretraining text for the alignment tax: the stories of
// public/corpus/<lang>/heldout.txt, which the base models never trained on.
// They are dealt into two halves (alternate stories) so that the text PPO-ptx
// mixes into its updates is never the text its perplexity is measured on:
// measuring on what the policy was trained to keep would hide the tax.
import type { PresetLanguage } from '../../core/presets';

/** Stories are separated by a blank line in the corpus files. */
export function splitStories(text: string): { mix: string; measure: string } {
  const stories = text.split(/\n\s*\n/).filter((s) => s.trim() !== '');
  const half = (odd: number) => stories.filter((_, i) => i % 2 === odd).join('\n\n');
  return { mix: half(0), measure: half(1) };
}

export class PretrainingText {
  private text: { lang: PresetLanguage; mix: string; measure: string } | null = $state.raw(null);
  private loading: Promise<void> | null = null;

  constructor(private readonly language: () => PresetLanguage | undefined) {}

  /** Fetches the preset language's held-out text once (a few hundred KB at most). */
  load(): Promise<void> {
    const lang = this.language() ?? 'en';
    if (this.text?.lang === lang) return Promise.resolve();
    this.loading ??= (async () => {
      try {
        const res = await fetch(`${import.meta.env.BASE_URL}corpus/${lang}/heldout.txt`);
        if (!res.ok) throw new Error(`corpus/${lang}/heldout.txt: HTTP ${res.status}`);
        this.text = { lang, ...splitStories(await res.text()) };
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }

  /** The half PPO-ptx trains on ('' before `load`). */
  mixText(): string {
    return this.text?.mix ?? '';
  }

  /** The half perplexity is measured on ('' before `load`). */
  measureText(): string {
    return this.text?.measure ?? '';
  }
}
