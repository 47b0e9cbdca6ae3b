// Demonstrate (SFT): the preset's demonstrations and the person's own (saved
// in IndexedDB), supervised fine-tuning of the main policy on them, and the
// moment the SFT model is fixed: its weights become the frozen reference
// and the common start of the reward model, PPO and RRHF.
import { errorMessage } from '../../core/errors';
import {
  checkDemonstration,
  isValidDemo,
  normaliseDemonstration,
  type DemoCheck,
  type Demonstration,
  type TextLimits,
} from './demonstrations';
import type { Preset } from '../../core/presets';
import type { ModelLanes } from '../bridge/lanes';
import { startLoop } from '../bridge/loop-run';
import type { MetricLog } from '../measures/metrics';
import type { PlaygroundStore, StoredDemonstration } from '../persistence/storage';
import type { Settings } from '../settings/settings';
import { sftLoopSettings } from '../settings/run-settings';
import { TrainingRun, startSingleStep } from './training-run.svelte';
import { t } from '../i18n/index.svelte';
import type { SettingsEditor } from '../settings/settings-editor.svelte';
import type { PageEvents } from '../page-events';

/** What the SFT stage uses of the page: the workers, the preset, storage, and the stages SFT hands on to. */
export interface SftStagePage {
  readonly workers: ModelLanes | null;
  readonly preset: Preset | null;
  readonly ready: boolean;
  readonly seed: number;
  readonly settings: Settings;
  readonly limits: TextLimits;
  readonly metrics: MetricLog;
  readonly store: PlaygroundStore;
  readonly settingsEditor: Pick<SettingsEditor, 'blockers'>;
  readonly events: PageEvents;
  withModels<T>(fn: () => Promise<T>): Promise<T>;
  loadModel(): Promise<void>;
}

export class SftStage {
  readonly run: TrainingRun;
  ownDemos: StoredDemonstration[] = $state([]);
  /** The SFT model is fixed (reference frozen): ranking, the RM and the optimisers start from it. */
  fixed = $state(false);

  constructor(private readonly pg: SftStagePage) {
    this.run = new TrainingRun('sft', pg.metrics);
  }

  /** The preset's demonstrations, then the person's. */
  get demonstrations(): Demonstration[] {
    return [
      ...(this.pg.preset?.demonstrations ?? []),
      ...this.ownDemos.map(({ prompt, response }) => ({ prompt, response })),
    ];
  }

  async load(presetId: string): Promise<void> {
    this.ownDemos = await this.pg.store.demonstrations(presetId).catch(() => []);
  }

  check(d: Demonstration): DemoCheck {
    return checkDemonstration(d, this.pg.limits);
  }

  /** Saves a new or edited demonstration; returns the check (nothing is saved unless valid). */
  async save(d: Demonstration, id?: number): Promise<DemoCheck> {
    const check = this.check(d);
    const preset = this.pg.preset;
    if (!isValidDemo(check) || !preset) return check;
    const clean = normaliseDemonstration(d);
    const store = this.pg.store;
    try {
      if (id !== undefined) {
        const old = this.ownDemos.find((x) => x.id === id);
        const createdAt = old?.createdAt ?? Date.now();
        const updated = { ...clean, presetId: preset.id, createdAt, id };
        await store.updateDemonstration(updated);
        this.ownDemos = this.ownDemos.map((x) => (x.id === id ? updated : x));
      } else {
        const saved = await store.saveDemonstration({
          ...clean,
          presetId: preset.id,
          createdAt: Date.now(),
        });
        this.ownDemos = [...this.ownDemos, saved];
      }
    } catch (e) {
      return { ...check, response: `Could not save: ${errorMessage(e)}` };
    }
    return check;
  }

  async remove(id: number): Promise<void> {
    await this.pg.store.deleteDemonstration(id);
    this.ownDemos = this.ownDemos.filter((d) => d.id !== id);
  }

  /** The problems that stop SFT from starting, or [] when it can. */
  blockers(): string[] {
    const out = this.pg.settingsEditor.blockers('sft');
    if (!this.pg.ready) out.unshift(t('problem.noModel'));
    if (this.demonstrations.length === 0) out.push(t('problem.noDemonstrations'));
    return out;
  }

  async play(paused = false): Promise<void> {
    if (this.run.status === 'paused') return void this.run.resume();
    const workers = this.pg.workers;
    if (!workers || this.run.active || this.blockers().length > 0) return;
    const s = this.pg.settings;
    try {
      // SFT trains the main lane; if an optimiser left its weights there, go back to SFT's.
      await this.pg.withModels(() => this.pg.events.emit('sftStarting', this.fixed));
    } catch (e) {
      this.run.problem = errorMessage(e);
      return;
    }
    this.fixed = false;
    const settings = sftLoopSettings(s, this.pg.seed);
    const ok = await this.run.start(
      settings.maxSteps,
      (cb, startPaused) => {
        const policy = workers.policy;
        const req = {
          kind: 'sft' as const,
          examples: this.demonstrations,
          settings: { ...settings, startPaused, snapshotEvery: 10 },
        };
        return startLoop(
          () => policy,
          (onEvent, signal) => policy.abortable(signal).train(req, onEvent),
          cb,
        );
      },
      { paused },
    );
    if (ok) await this.fix();
  }

  step(): Promise<void> {
    return startSingleStep(this.run, () => this.play(true));
  }

  /** Freezes the SFT model as the reference; ranking, the RM and the optimisers start from it. */
  fix(): Promise<void> {
    return this.pg.withModels(async () => {
      if (this.fixed || !this.pg.workers || !this.pg.ready) return;
      await this.pg.workers.finishSft();
      this.fixed = true;
      await this.pg.events.emit('sft');
    });
  }

  /** Back to the base model: SFT and everything after it start over. */
  async reset(): Promise<void> {
    if (!this.run.active) await this.pg.loadModel();
  }

  /** A new base model was loaded. */
  onNewBase(): void {
    this.fixed = false;
    this.run.reset();
  }
}
