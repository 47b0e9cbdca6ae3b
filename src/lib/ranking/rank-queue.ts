// The prompts waiting to be ranked: the one on screen and the next. The next
// prompt's samples are generated while the person ranks the current one, so
// after a submit the next K samples are (usually) already there. Generation
// is serialised: the policy worker samples one prompt at a time, current first.
import { errorMessage } from '../../core/errors';

export type RankItemStatus = 'waiting' | 'generating' | 'ready' | 'failed';

export interface RankItem {
  prompt: string;
  /** The K completions, growing while they stream in. */
  samples: string[];
  status: RankItemStatus;
  error: string | null;
  /** The policy's version (optimiser steps) when its samples began: live mode shows freshness. */
  bornAt?: number;
}

/** Samples K completions of `prompt`; `onText` gets all K texts so far on every token. */
export type Sampler = (prompt: string, onText: (texts: string[]) => void) => Promise<string[]>;

export interface RankQueueOptions {
  sampler: Sampler;
  nextPrompt: () => string;
  /** Wraps new items, e.g. in Svelte's $state so that streaming text re-renders. */
  track?: (item: RankItem) => RankItem;
  onChange?: () => void;
  /** The policy's version now, stamped on an item as its generation begins. */
  stamp?: () => number;
}

export class RankQueue {
  current: RankItem | null = null;
  upcoming: RankItem | null = null;
  private chain: Promise<void> = Promise.resolve();

  constructor(private readonly opts: RankQueueOptions) {}

  private make(prompt: string): RankItem {
    const item: RankItem = { prompt, samples: [], status: 'waiting', error: null };
    return this.opts.track ? this.opts.track(item) : item;
  }

  private holds(item: RankItem): boolean {
    return this.current === item || this.upcoming === item;
  }

  /** Queues the generation of an item behind the ones already queued. */
  private generate(item: RankItem): void {
    this.chain = this.chain.then(async () => {
      if (!this.holds(item)) return; // dropped (reset, new settings) before it began
      item.status = 'generating';
      item.bornAt = this.opts.stamp?.();
      this.opts.onChange?.();
      try {
        const texts = await this.opts.sampler(item.prompt, (t) => {
          item.samples = t;
          this.opts.onChange?.();
        });
        item.samples = texts;
        item.status = 'ready';
      } catch (e) {
        item.status = 'failed';
        item.error = errorMessage(e);
      }
      this.opts.onChange?.();
    });
  }

  /** Fills the current and the upcoming slot (each only if empty). */
  fill(): void {
    if (!this.current) {
      this.current = this.make(this.opts.nextPrompt());
      this.generate(this.current);
    }
    if (!this.upcoming) {
      this.upcoming = this.make(this.opts.nextPrompt());
      this.generate(this.upcoming);
    }
    this.opts.onChange?.();
  }

  /** The current prompt is done (ranked or skipped): the upcoming one moves up, a new one is queued. */
  advance(): RankItem | null {
    this.current = this.upcoming;
    this.upcoming = null;
    this.fill();
    return this.current;
  }

  /** Regenerates the current item (e.g. after its generation failed). */
  retry(): void {
    if (!this.current) return;
    this.current = this.make(this.current.prompt);
    this.generate(this.current);
    this.opts.onChange?.();
  }

  /** Drops the upcoming item (sampling settings changed) and queues a fresh one. */
  renewUpcoming(): void {
    if (!this.current || this.current.status === 'waiting') {
      this.reset();
    } else {
      this.upcoming = null;
    }
    this.fill();
  }

  /** Drops both slots (the policy changed); generation already running finishes unseen. */
  reset(): void {
    this.current = null;
    this.upcoming = null;
    this.opts.onChange?.();
  }

  /** Resolves once everything queued so far has been generated (for tests). */
  idle(): Promise<void> {
    return this.chain;
  }
}

/** Cycles through prompts in a shuffled order (reshuffled each round), seeded for reproducibility. */
export function promptCycle(prompts: readonly string[], rng: () => number): () => string {
  let order: string[] = [];
  return () => {
    if (order.length === 0) {
      order = [...prompts];
      for (let i = order.length - 1; i > 0; i--) {
        const j = Math.floor(rng() * (i + 1));
        [order[i], order[j]] = [order[j], order[i]];
      }
    }
    return order.shift() as string;
  };
}
