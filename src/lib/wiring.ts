// Who reacts to what: every effect one stage has on another, wired once.
// A stage emits what happened (page-events.ts); the listeners run in the
// order they are listed here.
import type { Preset } from '../core/presets';
import type { PageEvents } from './page-events';

/** The parts of the page that react to another's events. */
export interface WiredPage {
  readonly events: PageEvents;
  readonly sft: { onNewBase(): void };
  readonly rm: { onNewBase(): void };
  readonly ranking: { onNewPolicy(): void; onSamplingChanged(): void };
  readonly optimise: {
    onNewBase(): void;
    onNewSft(): void;
    claimMainForSft(sftFixed: boolean): Promise<void>;
    readonly samples: { onNewRewardModel(): Promise<void> };
  };
  readonly evaluation: { onNewBase(): void };
  readonly frontier: { clear(): void };
  readonly raters: { onPreset(preset: Preset): void };
  readonly variants: { reset(): void };
  readonly shelf: { clear(): void };
  readonly blind: { reset(): void };
}

export function wireStages(pg: WiredPage): void {
  const on = pg.events.on.bind(pg.events);

  // A new preset: its simulated raters; kept policies and runs of the last one go.
  on('preset', (preset) => pg.raters.onPreset(preset));
  on('preset', () => pg.variants.reset());
  on('preset', () => pg.shelf.clear());
  on('preset', () => pg.blind.reset());

  // A new base model: everything trained on the previous one starts over.
  on('base', () => pg.sft.onNewBase());
  on('base', () => pg.rm.onNewBase());
  on('base', () => pg.optimise.onNewBase());
  on('base', () => pg.evaluation.onNewBase());
  on('base', () => pg.frontier.clear());
  on('base', () => pg.shelf.clear());
  on('base', () => pg.blind.reset());
  on('base', () => pg.ranking.onNewPolicy());

  // SFT about to train the main lane: an optimiser's weights there are kept and SFT's go back.
  on('sftStarting', (sftFixed) => pg.optimise.claimMainForSft(sftFixed));

  // The SFT model fixed: the optimisers start from it, and new samples to rank come from it.
  on('sft', () => pg.optimise.onNewSft());
  on('sft', () => pg.ranking.onNewPolicy());
  on('sft', () => pg.frontier.clear());

  // A reward model trained: the samples on Optimise are scored again; the frontier's scores are old.
  on('rewardModel', () => pg.optimise.samples.onNewRewardModel());
  on('rewardModel', () => pg.frontier.clear());

  // Other sampling settings: the samples waiting to be ranked are drawn again.
  on('sampling', () => pg.ranking.onSamplingChanged());
}
