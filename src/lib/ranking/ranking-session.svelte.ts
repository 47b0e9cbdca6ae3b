// Rank: the prompt on screen and the next (generated while the person ranks
// the current one), the rankings saved so far, and the simulated labeler that
// can rank in the person's place. A ranking is saved to IndexedDB the moment
// it is submitted and immediately counts as comparisons for the reward model.
import { errorMessage } from '../../core/errors';
import { mulberry32 } from '../../core/random';
import { RankQueue, promptCycle, type RankItem } from './rank-queue';
import { comparisonCount } from '../../core/preferences';
import { totalComparisons } from '../stages/reward-data';
import { sampleTexts } from '../bridge/sampling';
import type { Preset } from '../../core/presets';
import type { ModelLanes } from '../bridge/lanes';
import type { SamplingOptions } from '../bridge/sampling';
import type { RaterSlot } from './raters.svelte';
import type { PlaygroundStore, StoredRanking } from '../persistence/storage';
import type { SettingsEditor } from '../settings/settings-editor.svelte';

/** What the ranking session uses of the page: the workers, storage, SFT and the simulated labeler. */
export interface RankingSessionPage {
  readonly workers: ModelLanes | null;
  readonly preset: Preset | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly store: PlaygroundStore;
  persistent: boolean;
  readonly sft: { fix(): Promise<void> };
  readonly optimise: { readonly stepsTaken: number };
  readonly raters: {
    rank(samples: string[], prompt: string, seed: number, slot?: RaterSlot): number[];
  };
  readonly settingsEditor: Pick<SettingsEditor, 'blockers'>;
  samplingOptions(k?: number): SamplingOptions;
  say(text: string, kind?: 'info' | 'problem'): void;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
}

/** Wraps a queue item in Svelte state so that streaming text re-renders. */
function tracked(item: RankItem): RankItem {
  const s = $state(item);
  return s;
}

export class RankingSession {
  /**
   * Raw state: tens of thousands of imported rankings must not each become a
   * deep proxy. Never mutated in place: a change assigns a new array.
   */
  private list: StoredRanking[] = $state.raw([]);
  /** Σ comparisons, kept as rankings come and go: adding one costs O(1), not a pass over all. */
  private counted = $state(0);
  /** The simulated labeler is ranking in the person's place (`labelerRankMany`). */
  labelerBusy = $state(false);
  /** Bumped when the queue's slots change (they are not reactive themselves). */
  private version = $state(0);
  private readonly queue: RankQueue;
  private nextPrompt: () => string = () => this.pg.preset?.prompts[0] ?? '';

  constructor(private readonly pg: RankingSessionPage) {
    this.queue = new RankQueue({
      // Sampling holds the model lock: weights must not be swapped under it.
      sampler: (prompt, onText) =>
        pg
          .withModels(() => {
            if (!pg.workers) throw new Error('The workers are not running.');
            const opts = pg.samplingOptions();
            return sampleTexts(pg.workers.policy, [prompt], opts, (t) => onText(t[0]));
          })
          .then((r) => r[0]),
      nextPrompt: () => this.nextPrompt(),
      track: tracked,
      onChange: () => this.version++,
      stamp: () => pg.optimise.stepsTaken,
    });
  }

  get rankings(): StoredRanking[] {
    return this.list;
  }

  /** Replaces them all (as read from storage); `append` adds without a pass over the rest. */
  set rankings(rankings: StoredRanking[]) {
    this.list = rankings;
    this.counted = totalComparisons(rankings);
  }

  get comparisons(): number {
    return this.counted;
  }

  get current(): RankItem | null {
    void this.version;
    return this.queue.current;
  }

  get upcoming(): RankItem | null {
    void this.version;
    return this.queue.upcoming;
  }

  async load(presetId: string, prompts: readonly string[]): Promise<void> {
    this.rankings = await this.pg.store.rankings(presetId).catch(() => []);
    this.nextPrompt = promptCycle(prompts, mulberry32(6 + this.pg.seed));
    this.queue.reset();
  }

  /** Starts generating samples to rank (the SFT model is fixed first). */
  async start(): Promise<void> {
    if (!this.pg.ready || this.pg.settingsEditor.blockers('rank').length > 0) return;
    await this.pg.sft.fix();
    this.queue.fill();
  }

  /**
   * Saves a ranking of the current prompt and moves on. If saving fails the
   * ranking stays on screen (nothing is lost) and the problem is returned.
   */
  async submit(
    ranks: number[],
    by: 'person' | 'labeler' = 'person',
    grades?: number[],
  ): Promise<string | null> {
    const item = this.queue.current;
    const preset = this.pg.preset;
    if (!item || item.status !== 'ready' || !preset) return 'The samples are not ready yet.';
    if (ranks.length !== item.samples.length) {
      return `The ranking has ${ranks.length} places for ${item.samples.length} samples.`;
    }
    try {
      const saved = await this.pg.store.saveRanking({
        presetId: preset.id,
        prompt: item.prompt,
        samples: [...item.samples],
        ranks: [...ranks],
        by,
        ...(grades ? { grades: [...grades] } : {}),
        createdAt: Date.now(),
      });
      this.append([saved]);
      this.pg.persistent = this.pg.store.persistent;
    } catch (e) {
      return `The ranking could not be saved (${errorMessage(e)}); it is still here, try again.`;
    }
    this.queue.advance();
    return null;
  }

  skip(): void {
    if (this.queue.current) this.queue.advance();
  }

  retry(): void {
    this.queue.retry();
  }

  async remove(id: number): Promise<void> {
    await this.pg.store.deleteRanking(id);
    const gone = this.list.find((r) => r.id === id);
    this.list = this.list.filter((r) => r.id !== id);
    if (gone) this.counted -= comparisonCount(gone.ranks);
  }

  /** Rankings just saved (one, or an import's many). */
  append(saved: readonly StoredRanking[]): void {
    this.list = this.list.concat(saved);
    this.counted += totalComparisons(saved);
  }

  /** The simulated labeler's ranking of some samples (noisy, as a person's would be). */
  labelerRanks(samples: string[], prompt: string): number[] {
    return this.pg.raters.rank(samples, prompt, this.rankings.length + 1);
  }

  /** Lets the simulated labeler rank the next `n` prompts (for unattended demos). */
  async labelerRankMany(n: number): Promise<void> {
    if (this.labelerBusy) return;
    this.labelerBusy = true;
    try {
      await this.start();
      for (let i = 0; i < n; i++) {
        const item = await this.waitForCurrent();
        if (!item) return;
        const problem = await this.submit(this.labelerRanks(item.samples, item.prompt), 'labeler');
        if (problem) {
          this.pg.say(problem, 'problem');
          return;
        }
      }
    } finally {
      this.labelerBusy = false;
    }
  }

  /** Waits until the prompt on screen has all its samples (null if it failed or none is queued). */
  async waitForCurrent(): Promise<RankItem | null> {
    for (;;) {
      const item = this.queue.current;
      if (!item || item.status === 'failed') return null;
      if (item.status === 'ready') return item;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** New sampling settings apply from the next prompt on. */
  onSamplingChanged(): void {
    if (this.queue.current) this.queue.renewUpcoming();
  }

  /** The policy changed (a new base or SFT model): samples already written are stale. */
  onNewPolicy(): void {
    this.queue.reset();
  }
}
