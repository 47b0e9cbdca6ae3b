// The simulated labelers: who ranks in place of a person. The first is the
// preset's (its proxy `rankingLabeler` if it has one, else its gold labeler),
// or one the person composes from attribute tests; a second, with a different
// taste, can rank beside it. Each ranks with Bradley–Terry noise (the
// temperature of `noisyRanking`). The agreement figures count the pairs of
// samples two judges order the same way, as InstructGPT measures agreement
// between its labelers.
import { errorMessage } from '../../core/errors';
import { validateLabelerSpec, type AttributeTest, type LabelerSpec } from '../../core/labeler-spec';
import { makeLabeler, noisyRanking, type Labeler } from '../../core/labelers';
import type { Preset } from '../../core/presets';
import { mulberry32 } from '../../core/random';
import { agreementReport, type AgreementReport } from '../measures/agreement';
import type { StoredRanking } from '../persistence/storage';

export type { AgreementReport, AttributeTest };

export interface Rater {
  spec: LabelerSpec;
  /** Bradley–Terry temperature on scores in [0, 1]: 0 = always the same order. */
  noise: number;
}

export type RaterSlot = 'first' | 'second';

export interface WeightedTerm {
  test: AttributeTest;
  weight: number;
}

/** A second taste that differs from most presets': dialogue and length over endings. */
export const SECOND_TASTE: WeightedTerm[] = [
  { test: { kind: 'dialogue' }, weight: 1 },
  { test: { kind: 'length', unit: 'words', min: 8, max: 14 }, weight: 0.5 },
];

export class Raters {
  first: Rater = $state.raw({ spec: { kind: 'happy-ending' }, noise: 0.2 });
  second: Rater | null = $state.raw(null);
  /** Judges the results; fixed by the preset. */
  gold: Labeler | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- a cache of built labelers, never rendered
  private labelers = new Map<string, Labeler>();

  onPreset(preset: Preset): void {
    this.first = { spec: preset.rankingLabeler ?? preset.labeler, noise: preset.labelerNoise };
    this.second = null;
    this.gold = makeLabeler(preset.labeler);
  }

  labeler(slot: RaterSlot): Labeler | null {
    const rater = slot === 'first' ? this.first : this.second;
    if (!rater) return null;
    const key = JSON.stringify(rater.spec);
    let l = this.labelers.get(key);
    if (!l) this.labelers.set(key, (l = makeLabeler(rater.spec)));
    return l;
  }

  /** Sets a slot's taste from a composed weighted spec; returns a problem or null. */
  compose(slot: RaterSlot, terms: WeightedTerm[], noise: number): string | null {
    let spec: LabelerSpec;
    try {
      spec = validateLabelerSpec({ kind: 'weighted', terms });
    } catch (e) {
      return errorMessage(e);
    }
    if (!(noise >= 0 && noise <= 10)) return `noise ${noise} is not in [0, 10]`;
    if (slot === 'first') this.first = { spec, noise };
    else this.second = { spec, noise };
    return null;
  }

  setNoise(slot: RaterSlot, noise: number): void {
    if (!(noise >= 0 && noise <= 10)) return;
    if (slot === 'first') this.first = { ...this.first, noise };
    else if (this.second) this.second = { ...this.second, noise };
  }

  useSecond(on: boolean): void {
    this.second = on ? { spec: { kind: 'weighted', terms: SECOND_TASTE }, noise: 0.2 } : null;
  }

  /** One noisy ranking of `samples`; `seed` makes it reproducible. */
  rank(samples: string[], prompt: string, seed: number, slot: RaterSlot = 'first'): number[] {
    const rater = slot === 'first' ? this.first : this.second;
    const l = this.labeler(slot);
    if (!rater || !l) return samples.map(() => 0);
    const scores = samples.map((s) => l.score(s, prompt));
    return noisyRanking(scores, rater.noise, mulberry32(seed));
  }

  /** Agreement over saved rankings: labeler vs labeler, person vs labeler, labeler vs gold. */
  agreement(rankings: readonly StoredRanking[]): AgreementReport {
    return agreementReport(rankings, {
      first: this.labeler('first'),
      second: this.labeler('second'),
      gold: this.gold,
      rank: (r, i, slot) =>
        this.rank(r.samples, r.prompt, (slot === 'first' ? 1000 : 2000) + i, slot),
    });
  }
}
