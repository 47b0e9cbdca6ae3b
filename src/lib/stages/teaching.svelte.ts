// Teaching mode: a guided tour through the stages, each step a few sentences
// grounded in the papers (the text is in the message files, keyed by step),
// and the presenter view for a projector. Both are settings (`classroom.tour`,
// `classroom.presenter`), so a teacher's share link opens the lesson as prepared;
// the controls a lesson hides travel as the link's `hide=` (view-options).
// Every lesson goes through SFT before ranking: a step after it offers to
// train SFT when it was skipped, and a lesson's own buttons train it first.
import type { MessageKey } from '../i18n/index.svelte';
import type { StageId } from './stages';
import type { Settings } from '../settings/settings';
import type { TrainingRun } from './training-run.svelte';
import type { SettingsEditor } from '../settings/settings-editor.svelte';

export interface TourStep {
  id: string;
  stage: StageId;
  title: MessageKey;
  body: MessageKey;
  /** What to try on this stage. */
  task: MessageKey;
  cite: MessageKey;
}

const step = (id: string, stage: StageId): TourStep => ({
  id,
  stage,
  title: `tour.${id}.title` as MessageKey,
  body: `tour.${id}.body` as MessageKey,
  task: `tour.${id}.task` as MessageKey,
  cite: `tour.${id}.cite` as MessageKey,
});

/** InstructGPT's three steps, RRHF beside PPO, the live loop, and evaluation. */
export const TOUR: readonly TourStep[] = [
  step('overview', 'start'),
  step('sft', 'demonstrate'),
  step('rank', 'rank'),
  step('rm', 'reward'),
  step('ppo', 'optimise'),
  step('rrhf', 'optimise'),
  step('live', 'optimise'),
  step('evaluate', 'evaluate'),
];

/** What the tour uses of the page: its settings, the stage shown, and SFT. */
export interface TeachingPage {
  stage: StageId;
  readonly settings: Settings;
  readonly sft: { readonly run: TrainingRun; play(): Promise<void> };
  readonly settingsEditor: Pick<SettingsEditor, 'set'>;
}

export class Teaching {
  index = $state(0);

  constructor(private readonly pg: TeachingPage) {}

  get touring(): boolean {
    return this.pg.settings['classroom.tour'] === 'on';
  }

  get presenter(): boolean {
    return this.pg.settings['classroom.presenter'] === 'on';
  }

  get current(): TourStep {
    return TOUR[Math.min(this.index, TOUR.length - 1)];
  }

  start(): void {
    this.pg.settingsEditor.set('classroom.tour', 'on');
    this.go(0);
  }

  close(): void {
    this.pg.settingsEditor.set('classroom.tour', 'off');
  }

  go(i: number): void {
    this.index = Math.max(0, Math.min(TOUR.length - 1, i));
    this.pg.stage = TOUR[this.index].stage;
  }

  next(): void {
    this.go(this.index + 1);
  }

  back(): void {
    this.go(this.index - 1);
  }

  /** SFT has trained (not merely the base model frozen as the reference by ranking). */
  get sftTrained(): boolean {
    return this.pg.sft.run.step > 0 && !this.pg.sft.run.active;
  }

  /** The tour is past its SFT step, and SFT has not been trained. */
  get needsSft(): boolean {
    const sftAt = TOUR.findIndex((s) => s.id === 'sft');
    return this.index > sftAt && this.pg.sft.run.step === 0 && !this.pg.sft.run.active;
  }

  /**
   * Trains SFT when it has not been (the lessons' steps after it start from
   * the SFT model); waits for a run already going. Resolves when SFT is done.
   */
  async ensureSft(): Promise<void> {
    const sft = this.pg.sft;
    if (!sft.run.active && sft.run.step === 0) await sft.play();
    while (sft.run.active) await new Promise((r) => setTimeout(r, 100));
  }

  setPresenter(on: boolean): void {
    this.pg.settingsEditor.set('classroom.presenter', on ? 'on' : 'off');
  }
}
