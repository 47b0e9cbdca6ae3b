// The playground's state: one object built once by the page and rendered by
// the components. It owns what every stage shares (the workers, the preset
// and its base model, the settings, the notices, a lock around model swaps)
// and one controller per stage: `sft`, `ranking`, `rm`, `optimise`,
// `evaluation`. Long work happens in the workers, through `workers` (ModelLanes).
import { makeLabeler, type Labeler } from '../core/labelers';
import type { Preset, PresetIndexEntry } from '../core/presets';
import { DEFAULT_LIMITS, promptTokens, type TextLimits } from './stages/demonstrations';
import type { ModelInfo } from '../../workers/model-setup';
import { ModelLanes, type BackendInfo } from './bridge/lanes';
import type { SamplingOptions } from './bridge/sampling';
import { BlindTest } from './stages/blind-test.svelte';
import { CheckpointShelf } from './stages/checkpoint-shelf.svelte';
import { Evaluation } from './stages/evaluation.svelte';
import { Grading } from './ranking/grading.svelte';
import { LiveLoop } from './stages/live-loop.svelte';
import { PretrainingText } from './stages/pretraining-text.svelte';
import { Raters } from './ranking/raters.svelte';
import { Teaching } from './stages/teaching.svelte';
import { VariantRuns } from './stages/variant-runs.svelte';
import { MetricLog } from './measures/metrics';
import type { ScoredText } from './measures/scored-text';
import { Optimisation } from './stages/optimisation.svelte';
import {
  fetchModel,
  loadPreset,
  loadPresetIndex,
  modelPath,
  presetTitle,
} from './settings/preset-catalog';
import { RankingSession } from './ranking/ranking-session.svelte';
import { automaticModelSize, presetSettings, rankSampling } from './settings/run-settings';
import { RewardStageState } from './stages/reward-stage.svelte';
import {
  SETTINGS,
  SETTING_KEYS,
  STAGE_GROUPS,
  type LiveRun,
  type SettingSpec,
  defaultSettings,
  parseValue,
  problemsFor,
  validateSettings,
  type SettingKey,
  type Settings,
} from './settings/settings';
import { SftStage } from './stages/sft-stage.svelte';
import type { StageId } from './stages/stages';
import { locale, t } from './i18n/index.svelte';
import { groupTitle, settingLabel } from './i18n/settings-text';
import { SessionKeeper } from './persistence/session-keeper.svelte';
import { SessionLibrary } from './persistence/session-library';
import { NamedErrorStore } from './persistence/storage-errors';
import type { TrainingRun } from './stages/training-run.svelte';
import type { BackendParam } from './share/url-params';
import { decodeUrlState, describeProblems } from './share/url-state';
import { ViewOptions } from './settings/view-options.svelte';

export type { OptimiseMode } from './bridge/lanes';
export type { PolicyEvaluation } from './stages/evaluation.svelte';

export type ModelChoice = 'auto' | 'nano' | 'micro' | 'tiny';

export interface Notice {
  id: number;
  text: string;
  kind: 'info' | 'problem';
}

/**
 * A preset or base model chosen on Start while the session holds trained
 * models: it waits for the person to say where it goes (a new session, or
 * back to a session that holds models for it).
 */
export interface PendingChange {
  presetId?: string;
  modelChoice?: ModelChoice;
  /** A session already trained on that preset and model, to open instead. */
  existing: { id: string; name: string } | null;
}

export type { ScoredText };

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

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

  // Settings
  settings: Settings = $state(defaultSettings());
  /** What was typed into a setting that did not pass validation (kept, and shown, until fixed). */
  drafts: Partial<Record<SettingKey, { raw: string; problem: string }>> = $state({});
  /** Problems by setting: refused typed values, then the values themselves. */
  problems = $derived({
    ...validateSettings(this.settings, this.settingsContext(), t),
    ...Object.fromEntries(Object.entries(this.drafts).map(([k, d]) => [k, d?.problem])),
  } as Partial<Record<SettingKey, string>>);

  notices: Notice[] = $state([]);
  /** False when the browser keeps nothing (no IndexedDB): work lasts for the session. */
  persistent = $state(true);

  /** IndexedDB, with every failure named (a full store as such). */
  readonly store = new NamedErrorStore(t);
  /** A change of preset or model waiting for an answer (it would leave trained models behind). */
  pendingChange: PendingChange | null = $state(null);
  readonly metrics = new MetricLog();
  readonly sft: SftStage = new SftStage(this);
  readonly ranking: RankingSession = new RankingSession(this);
  readonly rm: RewardStageState = new RewardStageState(this);
  readonly optimise: Optimisation = new Optimisation(this);
  readonly evaluation: Evaluation = new Evaluation(this);
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
  /** Settings the link gave (they win over a preset's own). */
  private linkSettings: Partial<Settings> = {};
  /** Settings the current preset set (back to their defaults when it is left). */
  private presetKeys: SettingKey[] = [];
  /** Theme, language, hidden controls, embed layout: what a link says about the page. */
  readonly view = new ViewOptions();
  /** The named session in IndexedDB: restored at boot, kept as it changes. */
  readonly keeper: SessionKeeper = new SessionKeeper(this);
  /** Seeds sampling and every training run, so a shared link reproduces them. */
  seed = $state(1);
  /** The backend a link asked for ('auto': chosen by measurement). */
  backendParam: BackendParam = 'auto';

  private lock: Promise<unknown> = Promise.resolve();
  private sampleSeed = 1;
  private noticeId = 0;

  // ---------------------------------------------------------------------------
  // Start-up

  /**
   * Reads the URL (query and hash: src/lib/share/url-state.ts), starts the workers,
   * opens the saved session, shows the preset, then loads its model (and puts
   * the session's trained models back). What the URL gives wins over the session.
   */
  async boot(search: string, hash = ''): Promise<void> {
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- read once here, never rendered
    const params = new URLSearchParams(search);
    const { state: url, problems } = decodeUrlState(search, hash, t);
    // Synchronously, before the first render settles: the embed layout and theme show at once.
    this.view.read(url, url.stage ?? 'start');
    if (url.stage) this.stage = url.stage;
    if (problems.length > 0) this.say(describeProblems(problems, t), 'problem');
    this.backendParam = url.backend ?? 'auto';
    const backend = this.backendParam === 'auto' ? null : this.backendParam;

    const workers = ModelLanes.start({
      backend,
      testHooks: params.get('testHooks') === '1',
      onNotice: (n) => this.say(n.message, n.kind === 'info' ? 'info' : 'problem'),
    })
      .then((e) => {
        this.workers = e;
        this.backend = e.info;
        this.workersStatus = 'ready';
      })
      .catch((e: unknown) => {
        this.workersStatus = 'failed';
        this.workersError = `The workers could not start: ${message(e)}`;
      });
    const saved = await this.keeper.open(url);
    this.settings = { ...defaultSettings(), ...saved.settings, ...url.settings };
    this.linkSettings = url.settings;
    this.modelChoice = url.model ?? saved.modelChoice;
    this.optimise.mode = url.optimise ?? saved.optimiseMode;
    this.seed = url.seed ?? saved.seed;
    this.sampleSeed = this.seed;
    const stage = url.stage ?? saved.stage;
    this.stage = this.view.embed && !this.view.stages.includes(stage) ? this.view.stages[0] : stage;
    try {
      this.presetIndex = await loadPresetIndex();
    } catch (e) {
      this.presetError = message(e);
      return;
    }
    const wanted = url.preset ?? saved.presetId;
    const lang = this.view.lang;
    const inLanguage = lang ? this.presetIndex.find((p) => p.language === lang) : undefined;
    const entry =
      this.presetIndex.find((p) => p.id === wanted) ?? inLanguage ?? this.presetIndex[0];
    if (url.preset && entry.id !== url.preset) {
      this.say(
        t('notice.unknownPreset', {
          preset: url.preset,
          title: presetTitle(entry, locale.current),
        }),
        'problem',
      );
    }
    await this.choosePreset(entry.id, false);
    await workers;
    await this.loadModel();
    this.keeper.attach();
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
    return [this.sft.run, this.rm.run, this.optimise.ppo, this.optimise.rrhf];
  }

  get anyRunActive(): boolean {
    return this.runs.some((r) => r.active);
  }

  get ready(): boolean {
    return this.workersStatus === 'ready' && this.modelStatus === 'ready' && this.preset !== null;
  }

  // ---------------------------------------------------------------------------
  // Preset and base model

  async choosePreset(id: string, withModel = true): Promise<void> {
    const entry = this.presetIndex.find((p) => p.id === id);
    if (!entry) return;
    if (this.anyRunActive) {
      this.say(t('notice.stopBeforePreset'), 'problem');
      return;
    }
    this.presetId = id;
    this.presetError = null;
    let preset: Preset;
    try {
      preset = await loadPreset(entry);
    } catch (e) {
      this.presetError = message(e);
      return;
    }
    if (this.presetId !== id) return; // another choice came in meanwhile
    this.preset = preset;
    this.labeler = makeLabeler(preset.labeler);
    this.raters.onPreset(preset);
    this.applyPresetSettings(preset);
    this.variants.reset();
    this.shelf.clear();
    this.blind.reset();
    await Promise.all([this.ranking.load(id, preset.prompts), this.sft.load(id)]);
    this.persistent = this.store.persistent;
    if (withModel) await this.loadModel();
  }

  /** The size to load: the URL's or the person's choice, else the preset's, smaller on a slow backend. */
  modelSize(): 'nano' | 'micro' | 'tiny' {
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

  private async baseModel(workers: ModelLanes, preset: Preset, size: 'nano' | 'micro' | 'tiny') {
    if (size === 'tiny') {
      // Every character the preset uses, so nothing is unknown to it; or, with saved
      // models to restore, the characters they were trained on (their weights fit no other).
      const text =
        this.keeper.savedVocabulary()?.join('') ??
        [
          ...preset.prompts,
          ...preset.heldoutPrompts,
          ...this.sft.demonstrations.flatMap((d) => [d.prompt, d.response]),
        ].join('');
      this.modelSource = t('model.source.tiny');
      return workers.loadBase({ kind: 'tiny', text, seed: this.seed });
    }
    const path = modelPath(preset.language, size);
    const bytes = await fetchModel(path);
    this.modelSource = path;
    return workers.loadBase({ kind: 'checkpoint', bytes });
  }

  /** The session holds trained models that a new preset or base model would leave behind. */
  get hasTrainedModels(): boolean {
    return this.sft.fixed || this.rm.ready || this.runs.some((r) => r.step > 0);
  }

  /**
   * A preset chosen on Start. Loading it would leave the session's trained
   * models behind, so with any it waits for the person to choose: a new
   * session for it (this one is kept as it is), or cancel.
   */
  async requestPreset(id: string): Promise<void> {
    if (id === this.presetId && !this.pendingChange) return;
    if (!this.keeper.writable || !this.hasTrainedModels) {
      this.pendingChange = null;
      return this.choosePreset(id);
    }
    await this.askChange({ presetId: id });
  }

  /** A base model chosen on Start: as `requestPreset`. */
  async requestModelChoice(choice: ModelChoice): Promise<void> {
    if (choice === this.modelChoice && !this.pendingChange) return;
    if (!this.keeper.writable || !this.hasTrainedModels) {
      this.pendingChange = null;
      return this.setModelChoice(choice);
    }
    await this.askChange({ modelChoice: choice });
  }

  private async askChange(change: Omit<PendingChange, 'existing'>): Promise<void> {
    if (this.anyRunActive) {
      this.say(t('notice.stopBeforePreset'), 'problem');
      return;
    }
    const presetId = change.presetId ?? this.presetId;
    const modelChoice = change.modelChoice ?? this.modelChoice;
    const same = presetId === this.presetId && modelChoice === this.modelChoice;
    this.pendingChange = same ? null : { ...change, existing: null };
    if (same) return;
    const existing = await new SessionLibrary(this)
      .trainedFor(presetId, modelChoice)
      .catch(() => null);
    if (this.pendingChange) this.pendingChange = { ...this.pendingChange, existing };
  }

  /** Opens the pending preset or model in a new session (this one stays as it is). */
  async confirmChange(where: 'new' | 'existing'): Promise<void> {
    const change = this.pendingChange;
    if (!change) return;
    const library = new SessionLibrary(this);
    try {
      if (where === 'existing' && change.existing) await library.open(change.existing.id);
      else await library.createFor(change);
    } catch (e) {
      this.say(message(e), 'problem');
    }
  }

  cancelChange(): void {
    this.pendingChange = null;
  }

  /** The settings the person or the link chose (not the preset's own), for a new session. */
  ownSettings(): Partial<Settings> {
    const out: Partial<Record<SettingKey, number | string>> = {};
    for (const key of SETTING_KEYS) {
      const v = this.settings[key];
      const presets = this.presetKeys.includes(key) && !(key in this.linkSettings);
      if (v !== SETTINGS[key].default && !presets) out[key] = v;
    }
    return out as Partial<Settings>;
  }

  /** Loads the base model; everything trained on the previous one is forgotten. */
  loadModel(): Promise<void> {
    return this.withModels(async () => {
      const { workers, preset } = this;
      if (!workers || !preset) return;
      this.modelStatus = 'loading';
      this.modelError = null;
      const size = this.modelSize();
      try {
        this.model = await this.baseModel(workers, preset, size);
      } catch (e) {
        // Automatic choice: a missing nano model falls back to micro.
        if (this.modelChoice === 'auto' && size === 'nano') {
          this.say(t('notice.microInstead', { reason: message(e) }), 'info');
          try {
            this.model = await this.baseModel(workers, preset, 'micro');
          } catch (e2) {
            this.modelStatus = 'failed';
            this.modelError = message(e2);
            return;
          }
        } else {
          this.modelStatus = 'failed';
          this.modelError = message(e);
          return;
        }
      }
      this.sft.onNewBase();
      this.rm.onNewBase();
      this.optimise.onNewBase();
      this.evaluation.onNewBase();
      this.shelf.clear();
      this.blind.reset();
      this.ranking.onNewPolicy();
      // At boot: the saved session's models go back in before anything may use this one.
      await this.keeper.afterBaseLoaded();
      this.modelStatus = 'ready';
    });
  }

  /**
   * A preset's own settings (the reward-hacking lesson's low β, longer
   * answers). What a link set wins; leaving the preset puts the defaults back.
   */
  private applyPresetSettings(preset: Preset): void {
    const s = this.settings as Record<SettingKey, number | string>;
    for (const k of this.presetKeys) if (!(k in this.linkSettings)) s[k] = SETTINGS[k].default;
    const { settings, applied, ignored } = presetSettings(preset);
    for (const k of ignored) {
      this.say(
        t('notice.presetSettingIgnored', { key: k, value: String(preset.settings?.[k]) }),
        'problem',
      );
    }
    this.presetKeys = applied;
    for (const k of applied) if (!(k in this.linkSettings)) s[k] = settings[k];
  }

  /** The model's limits for the text a person writes. */
  get limits(): TextLimits {
    if (!this.model) return DEFAULT_LIMITS;
    return { contextLength: this.model.config.blockSize, vocabulary: this.model.vocabulary };
  }

  private settingsContext() {
    const preset = this.preset;
    if (!preset) return undefined;
    const prompts = [...preset.prompts, ...preset.heldoutPrompts];
    return {
      contextLength: this.model?.config.blockSize ?? DEFAULT_LIMITS.contextLength,
      longestPrompt: Math.max(...prompts.map(promptTokens)),
    };
  }

  // ---------------------------------------------------------------------------
  // Settings

  /**
   * Sets a setting from what was typed; returns the problem, or null when it
   * was taken. A refused value stays as a draft and blocks the stages that
   * use it, so nothing starts with a value other than the one on screen.
   */
  setSetting(key: SettingKey, raw: string): string | null {
    const r = parseValue(key, raw, t);
    if (!r.ok) {
      this.drafts[key] = { raw, problem: r.problem };
      return r.problem;
    }
    delete this.drafts[key];
    (this.settings as Record<SettingKey, number | string>)[key] = r.value;
    this.forwardToRunningLoop(key, r.value);
    if (key.startsWith('sample.')) this.ranking.onSamplingChanged();
    return null;
  }

  /** Settings a paused (or running) loop takes between steps. */
  private forwardToRunningLoop(key: SettingKey, value: number | string): void {
    const { ppo, rrhf } = this.optimise;
    const runs: Record<LiveRun, TrainingRun> = { sft: this.sft.run, rm: this.rm.run, ppo, rrhf };
    const { live }: SettingSpec = SETTINGS[key];
    if (!live) {
      const group = key.split('.')[0];
      const paused = this.runs.find((r) => r.active && r.name === group);
      if (paused) this.say(t('notice.appliesNextRun', { key, group: group.toUpperCase() }));
      return;
    }
    const run = runs[live.run];
    if (!run.active) return;
    void run.update({ [live.field]: value }).then((p) => {
      if (p) this.say(t('notice.notAppliedLive', { key, problem: p }), 'problem');
    });
  }

  /** Problems that stop a stage from starting, as sentences. */
  blockers(stage: keyof typeof STAGE_GROUPS): string[] {
    return problemsFor(
      STAGE_GROUPS[stage],
      this.problems,
      (k) => `${groupTitle(SETTINGS[k].group)} · ${settingLabel(k)}`,
    );
  }

  /** The sampling settings, with a fresh seed each call (so every prompt gets new samples). */
  samplingOptions(k = this.settings['sample.k']): SamplingOptions {
    return { ...rankSampling(this.settings, k), seed: this.sampleSeed++ };
  }

  /** Scores texts with the reward model and with the preset's gold labeler. */
  async scoreTexts(prompts: string[], texts: string[]): Promise<ScoredText[]> {
    if (!this.workers) throw new Error('The workers are not running.');
    const items = prompts.map((prompt, i) => ({ prompt, response: texts[i] }));
    const rm = await (await this.workers.rewardModel()).api.score(items);
    return texts.map((text, i) => ({
      text,
      rm: rm[i],
      gold: this.labeler ? this.labeler.score(text, prompts[i]) : NaN,
    }));
  }

  // ---------------------------------------------------------------------------
  // Stage state, for the navigation

  stageDone(id: StageId): boolean {
    switch (id) {
      case 'start':
        return this.ready;
      case 'demonstrate':
        // Trained: a reference fixed without a step of SFT (the base model) is not a demonstration stage done.
        return this.sft.run.step > 0;
      case 'rank':
        return this.ranking.comparisons > 0;
      case 'reward':
        return this.rm.ready;
      case 'optimise':
        return this.optimise.ppo.step > 0 || this.optimise.rrhf.step > 0;
      case 'evaluate':
        return this.evaluation.results.length > 0;
    }
  }

  dispose(): void {
    this.workers?.dispose();
  }
}
