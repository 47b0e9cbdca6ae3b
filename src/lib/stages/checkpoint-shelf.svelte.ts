// Policies kept for comparison: the SFT model, the current PPO and RRHF
// policies, and copies kept on purpose (a lesson's runs: "PPO, β = 0.01",
// "PPO-ptx"). Evaluate and the blind A/B test choose among them. Copies live
// in memory only (a few hundred KB each); the trained models of the session
// are kept by the session itself.
import { OPTIMISERS, OPTIMISER_NAMES, type OptimiserKind } from '../optimisers';
import type { TrainingRun } from './training-run.svelte';
import type { Preset } from '../../core/presets';
import type { ModelLanes } from '../bridge/lanes';
import type { SamplingOptions } from '../bridge/sampling';
import type { ScoredText } from '../measures/scored-text';

/**
 * What a stage that samples kept policies side by side uses of the page (the
 * blind test, Evaluate): the workers, the shelf, sampling and scoring, and
 * whether anything that would hold the models is running.
 */
export interface KeptPolicyPage {
  readonly workers: ModelLanes | null;
  readonly preset: Preset | null;
  readonly sft: { fix(): Promise<void> };
  readonly rm: { readonly ready: boolean };
  readonly optimise: { readonly active: boolean };
  readonly live: { readonly active: boolean };
  readonly shelf: {
    readonly entries: readonly { readonly id: string }[];
    weights(id: string): Promise<'sft' | Uint8Array>;
  };
  samplingOptions(k?: number, seed?: number): SamplingOptions;
  scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]>;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
}

export interface ShelfEntry {
  id: string;
  label: string;
  /** Settings it was trained with, in words (e.g. "β 0.01, fixed"). */
  note: string;
}

/** What the shelf uses of the page: the optimisers' runs and weights. */
export interface ShelfPage {
  readonly optimise: {
    readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>>;
    runOf(kind: OptimiserKind): TrainingRun;
    keepWeights(): Promise<void>;
  };
}

interface Kept extends ShelfEntry {
  bytes: Uint8Array;
}

export class CheckpointShelf {
  private kept: Kept[] = $state.raw([]);

  constructor(private readonly pg: ShelfPage) {}

  /** Everything there is to compare now: SFT, the optimisers that ran, kept copies. */
  get entries(): ShelfEntry[] {
    const o = this.pg.optimise;
    const live: ShelfEntry[] = OPTIMISERS.filter((k) => o.runOf(k).step > 0).map((k) => ({
      id: k,
      label: OPTIMISER_NAMES[k],
      note: '',
    }));
    return [{ id: 'sft', label: 'SFT', note: '' }, ...live, ...this.kept];
  }

  has(id: string): boolean {
    return this.entries.some((e) => e.id === id);
  }

  label(id: string): string {
    return this.entries.find((e) => e.id === id)?.label ?? id;
  }

  /** Keeps a copy of a policy under a label; a copy with the same label is replaced. */
  keep(label: string, note: string, bytes: Uint8Array): string {
    const id = `kept:${label}`;
    this.kept = [...this.kept.filter((k) => k.id !== id), { id, label, note, bytes }];
    return id;
  }

  /**
   * The weights of an entry (call under the model lock, with no optimiser
   * running): 'sft' for the SFT model, else bytes.
   */
  async weights(id: string): Promise<'sft' | Uint8Array> {
    if (id === 'sft') return 'sft';
    const kept = this.kept.find((k) => k.id === id);
    if (kept) return kept.bytes;
    const kind = id as OptimiserKind;
    await this.pg.optimise.keepWeights();
    const bytes = this.pg.optimise.checkpoints[kind];
    if (!bytes) throw new Error(`There are no ${OPTIMISER_NAMES[kind]} weights yet.`);
    return bytes;
  }

  clear(): void {
    this.kept = [];
  }
}
