// The playground's state: one object built once by the page and rendered by
// the components. It owns what every stage shares (the workers, the preset
// and its base model, the settings, the notices, a lock around model swaps)
// and one controller per stage: `sft`, `ranking`, `rm`, `optimise`,
// `evaluation`. Long work happens in the workers, through `workers` (ModelLanes).
// Each controller sees the page through a narrow interface of its own; what
// one stage does that others react to goes through `events` (page-events.ts),
// wired once in wiring.ts. Opening the page from its URL: boot.ts.
import { makeLabeler, type Labeler } from '../core/labelers';
import type { Preset, PresetIndexEntry } from '../core/presets';
import { DEFAULT_LIMITS, type TextLimits } from './stages/demonstrations';
import type { ModelInfo } from '../../workers/model-setup';
import { ModelLanes, type BackendInfo } from './bridge/lanes';
import type { SamplingOptions } from './bridge/sampling';
import { BlindTest } from './stages/blind-test.svelte';
import { CheckpointShelf } from './stages/checkpoint-shelf.svelte';
import { Evaluation } from './stages/evaluation.svelte';
import { Frontier } from './stages/frontier.svelte';
import { Grading } from './ranking/grading.svelte';
import { LiveLoop } from './stages/live-loop.svelte';
import { PretrainingText } from './stages/pretraining-text.svelte';
import { Raters } from './ranking/raters.svelte';
import { Teaching } from './stages/teaching.svelte';
import { VariantRuns } from './stages/variant-runs.svelte';
import { MetricLog } from './measures/metrics';
import type { ScoredText } from './measures/scored-text';
import { Optimisation } from './stages/optimisation.svelte';
import { loadPreset } from './settings/preset-catalog';
import { RankingSession } from './ranking/ranking-session.svelte';
import { automaticModelSize, rankSampling } from './settings/run-settings';
import { RewardStageState } from './stages/reward-stage.svelte';
import { defaultSettings, type Settings } from './settings/settings';
import { SftStage } from './stages/sft-stage.svelte';
import type { StageId } from './stages/stages';
import { t } from './i18n/index.svelte';
import { SessionKeeper } from './persistence/session-keeper.svelte';
import { NamedErrorStore } from './persistence/storage-errors';
import type { TrainingRun } from './stages/training-run.svelte';
import type { BackendParam } from './share/url-params';
import { ViewOptions } from './settings/view-options.svelte';
import { SettingsEditor } from './settings/settings-editor.svelte';
import type { ModelChoice } from './persistence/session-store';
import { PageEvents } from './page-events';
import { wireStages } from './wiring';
import { bootPage } from './boot';
import { PresetChange } from './stages/preset-change.svelte';
import { loadBaseModel, type ModelSize } from './stages/base-model';
import { errorMessage as message } from '../core/errors';

export type { OptimiseMode } from './bridge/lanes';
export type { PolicyEvaluation } from './stages/evaluation.svelte';

export type { ModelChoice };

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'problem';
}

export type { ScoredText };

export class PlaygroundState {
  stage: StageId = $state('start');

  // Workers and backend
  /** The workers and the models they hold (null until they have started). */
  workers: ModelLanes | null = null;
  workersStatus: 'starting' | 'ready' | 'failed' = $state('starting');
  workersError: string | null = $state(null);
  backend: BackendInfo | null = $state.raw(null);

  // Preset and base model
  presetIndex: PresetIndexEntry[] = $state.raw([]);
  presetId = $state('');
  preset: Preset | null = $state.raw(null);
  presetError: string | null = $state(null);
  labeler: Labeler | null = null;
  modelChoice: ModelChoice = $state('auto');
  model: ModelInfo | null = $state.raw(null);
  modelStatus: 'idle' | 'loading' | 'ready' | 'failed' = $state('idle');
  modelError: string | null = $state(null);
  /** Where the current model came from, in words. */
  modelSource = $state('');

  // Settings: the values, and the changes to them (drafts, problems, a preset's own values)
  settings: Settings = $state(defaultSettings());
  readonly settingsEditor: SettingsEditor = new SettingsEditor(this);

  notices: Notice[] = $state([]);
  /** False when the browser keeps nothing (no IndexedDB): work lasts for the session. */
  persistent = $state(true);

  /** IndexedDB, with every failure named (a full store as such). */
  readonly store = new NamedErrorStore(t);
  /** What one stage does that others react to (who listens: wiring.ts). */
  readonly events = new PageEvents();
  readonly metrics = new MetricLog();
  readonly sft: SftStage = new SftStage(this);
  readonly ranking: RankingSession = new RankingSession(this);
  readonly rm: RewardStageState = new RewardStageState(this);
  readonly optimise: Optimisation = new Optimisation(this);
  readonly evaluation: Evaluation = new Evaluation(this);
  readonly frontier: Frontier = new Frontier(this);
  // Classroom and evaluation: simulated labelers, kept policies, live mode,
  // lessons' runs, blind A/B, grades vs rankings, the guided tour.
  readonly raters = new Raters();
  readonly shelf: CheckpointShelf = new CheckpointShelf(this);
  readonly live: LiveLoop = new LiveLoop(this);
  readonly variants: VariantRuns = new VariantRuns(this);
  readonly blind: BlindTest = new BlindTest(this);
  readonly grading: Grading = new Grading(this);
  readonly teaching: Teaching = new Teaching(this);
  readonly pretraining = new PretrainingText(() => this.preset?.language);
  /** Theme, language, hidden controls, embed layout: what a link says about the page. */
  readonly view = new ViewOptions();
  /** The named session in IndexedDB: restored at boot, kept as it changes. */
  readonly keeper: SessionKeeper = new SessionKeeper(this);
  /** A preset or base model chosen while trained models would be left behind. */
  readonly presetChange: PresetChange = new PresetChange(this);
  /** Seeds sampling and every training run, so a shared link reproduces them. */
  seed = $state(1);
  /** The backend a link asked for ('auto': chosen by measurement). */
  backendParam: BackendParam = 'auto';

  private lock: Promise<unknown> = Promise.resolve();
  private sampleSeed = 1;
  private noticeId = 0;

  constructor() {
    wireStages(this);
  }

  // ---------------------------------------------------------------------------
  // Start-up

  /** Opens the page from its URL and the saved session (boot.ts). */
  boot(search: string, hash = ''): Promise<void> {
    return bootPage(this, search, hash);
  }

  /** Seeds sampling and training anew (a link's or the saved session's seed). */
  reseed(seed: number): void {
    this.seed = seed;
    this.sampleSeed = seed;
  }

  say(text: string, kind: Notice['kind'] = 'info'): void {
    this.notices = [...this.notices.slice(-4), { id: ++this.noticeId, text, kind }];
  }

  dismiss(id: number): void {
    this.notices = this.notices.filter((n) => n.id !== id);
  }

  /**
   * Runs `fn` while no other model swap or sampling does: loading weights
   * into a worker while it samples from the old ones would fail there.
   */
  withModels<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.lock.then(fn, fn);
    this.lock = next.catch(() => undefined);
    return next;
  }

  get runs(): TrainingRun[] {
    return [this.sft.run, this.rm.run, ...Object.values(this.optimise.runs)];
  }

  get anyRunActive(): boolean {
    return this.runs.some((r) => r.active);
  }

  get ready(): boolean {
    return this.workersStatus === 'ready' && this.modelStatus === 'ready' && this.preset !== null;
  }

  // ---------------------------------------------------------------------------
  // Preset and base model

  /** The chosen preset's loading (at first the page's opening), until its settings are in `settings`. */
  presetApplying: Promise<unknown> = Promise.resolve();

  /**
   * Resolves once the preset chosen last has been applied (or has failed to load), so that what
   * reads the settings now (a share link) carries the preset's own values.
   */
  async presetSettled(): Promise<void> {
    let pending: Promise<unknown>;
    do {
      pending = this.presetApplying;
      await pending;
    } while (pending !== this.presetApplying);
  }

  private async applyPresetOf(id: string, entry: PresetIndexEntry): Promise<Preset | null> {
    let preset: Preset;
    try {
      preset = await loadPreset(entry);
    } catch (e) {
      this.presetError = message(e);
      return null;
    }
    if (this.presetId !== id) return null; // another choice came in meanwhile
    this.preset = preset;
    this.labeler = makeLabeler(preset.labeler);
    this.settingsEditor.applyPreset(preset);
    void this.events.emit('preset', preset);
    return preset;
  }

  async choosePreset(id: string, withModel = true): Promise<void> {
    const entry = this.presetIndex.find((p) => p.id === id);
    if (!entry) return;
    if (this.anyRunActive) {
      this.say(t('notice.stopBeforePreset'), 'problem');
      return;
    }
    this.presetId = id;
    this.presetError = null;
    const applying = this.applyPresetOf(id, entry);
    this.presetApplying = applying;
    const preset = await applying;
    if (!preset) return;
    await Promise.all([this.ranking.load(id, preset.prompts), this.sft.load(id)]);
    this.persistent = this.store.persistent;
    if (withModel) await this.loadModel();
  }

  /** The size to load: the URL's or the person's choice, else the preset's, smaller on a slow backend. */
  modelSize(): ModelSize {
    if (this.modelChoice !== 'auto') return this.modelChoice;
    // The size the session's saved models were trained from, so that they can be restored.
    const saved = this.preset ? this.keeper.savedSize(this.preset.language) : null;
    return saved ?? automaticModelSize(this.preset, this.backend?.modelSize ?? null);
  }

  async setModelChoice(choice: ModelChoice): Promise<void> {
    if (this.anyRunActive) {
      this.say(t('notice.stopBeforeModel'), 'problem');
      return;
    }
    this.modelChoice = choice;
    await this.loadModel();
  }

  /** Loads the base model; everything trained on the previous one is forgotten. */
  loadModel(): Promise<void> {
    return this.withModels(async () => {
      const { workers, preset } = this;
      if (!workers || !preset) return;
      this.modelStatus = 'loading';
      this.modelError = null;
      try {
        const loaded = await loadBaseModel(workers, preset, this.modelSize(), {
          auto: this.modelChoice === 'auto',
          seed: this.seed,
          demonstrations: this.sft.demonstrations,
          savedVocabulary: () => this.keeper.savedVocabulary(),
          onFallback: (reason) => this.say(t('notice.microInstead', { reason }), 'info'),
        });
        this.model = loaded.model;
        this.modelSource = loaded.source;
      } catch (e) {
        this.modelStatus = 'failed';
        this.modelError = message(e);
        return;
      }
      await this.events.emit('base');
      // At boot: the saved session's models go back in before anything may use this one.
      await this.keeper.afterBaseLoaded();
      this.modelStatus = 'ready';
    });
  }

  /** The model's limits for the text a person writes. */
  get limits(): TextLimits {
    if (!this.model) return DEFAULT_LIMITS;
    return { contextLength: this.model.config.blockSize, vocabulary: this.model.vocabulary };
  }

  // ---------------------------------------------------------------------------
  // Sampling and scoring

  /**
   * The sampling settings: at `seed` when given; otherwise with a fresh seed each
   * call (so every prompt of the ranking queue gets new samples).
   */
  samplingOptions(k = this.settings['sample.k'], seed?: number): SamplingOptions {
    return { ...rankSampling(this.settings, k), seed: seed ?? this.sampleSeed++ };
  }

  /** Scores texts with the reward model and with the preset's gold labeler. */
  async scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]> {
    if (!this.workers) throw new Error('The workers are not running.');
    const items = prompts.map((prompt, i) => ({ prompt, response: texts[i] }));
    // Before the reward model has trained (DPO needs none) its score means nothing yet.
    const rm = this.rm.ready
      ? await (await this.workers.rewardModel()).api.score(items)
      : texts.map(() => NaN);
    return texts.map((text, i) => ({
      text,
      rm: rm[i],
      gold: this.labeler ? this.labeler.score(text, prompts[i]) : NaN,
    }));
  }

  dispose(): void {
    this.workers?.dispose();
  }
}
