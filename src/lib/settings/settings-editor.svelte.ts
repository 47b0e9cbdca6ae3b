// Changing the settings: what was typed (kept, and shown, until it passes),
// the problems that stop a stage from starting, a preset's own values, and
// the settings a running loop takes between its steps. The values themselves
// are the page's `settings`.
import type { Preset } from '../../core/presets';
import type { ModelInfo } from '../../../workers/model-setup';
import type { PageEvents } from '../page-events';
import { DEFAULT_LIMITS, promptTokens } from '../stages/demonstrations';
import type { TrainingRun } from '../stages/training-run.svelte';
import { t } from '../i18n/index.svelte';
import { groupTitle, settingLabel } from '../i18n/settings-text';
import { presetSettings } from './run-settings';
import {
  SETTINGS,
  SETTING_KEYS,
  STAGE_GROUPS,
  parseValue,
  problemsFor,
  validateSettings,
  type SettingKey,
  type SettingSpec,
  type Settings,
} from './settings';

/** What the editor uses of the page: the values, what bounds them, the runs that take them live. */
export interface SettingsEditorPage {
  settings: Settings;
  readonly preset: Preset | null;
  readonly model: ModelInfo | null;
  readonly runs: readonly TrainingRun[];
  readonly events: PageEvents;
  say(text: string, kind?: 'info' | 'problem'): void;
}

export class SettingsEditor {
  /** What was typed into a setting that did not pass validation (kept, and shown, until fixed). */
  drafts: Partial<Record<SettingKey, { raw: string; problem: string }>> = $state({});
  /** Problems by setting: refused typed values, then the values themselves. */
  problems = $derived.by(
    () =>
      ({
        ...validateSettings(this.pg.settings, this.context(), t),
        ...Object.fromEntries(Object.entries(this.drafts).map(([k, d]) => [k, d?.problem])),
      }) as Partial<Record<SettingKey, string>>,
  );
  /** Settings the link gave (they win over a preset's own). */
  linkSettings: Partial<Settings> = {};
  /** Settings the current preset set (back to their defaults when it is left). */
  private presetKeys: SettingKey[] = [];

  constructor(private readonly pg: SettingsEditorPage) {}

  /**
   * Sets a setting from what was typed; returns the problem, or null when it
   * was taken. A refused value stays as a draft and blocks the stages that
   * use it, so nothing starts with a value other than the one on screen.
   */
  set(key: SettingKey, raw: string): string | null {
    const r = parseValue(key, raw, t);
    if (!r.ok) {
      this.drafts[key] = { raw, problem: r.problem };
      return r.problem;
    }
    delete this.drafts[key];
    (this.pg.settings as Record<SettingKey, number | string>)[key] = r.value;
    this.forwardToRunningLoop(key, r.value);
    if (key.startsWith('sample.')) void this.pg.events.emit('sampling');
    return null;
  }

  /** Problems that stop a stage from starting, as sentences. */
  blockers(stage: keyof typeof STAGE_GROUPS): string[] {
    return problemsFor(
      STAGE_GROUPS[stage],
      this.problems,
      (k) => `${groupTitle(SETTINGS[k].group)} · ${settingLabel(k)}`,
    );
  }

  /** The settings the person or the link chose (not the preset's own), for a new session. */
  ownSettings(): Partial<Settings> {
    const out: Partial<Record<SettingKey, number | string>> = {};
    for (const key of SETTING_KEYS) {
      const v = this.pg.settings[key];
      const presets = this.presetKeys.includes(key) && !(key in this.linkSettings);
      if (v !== SETTINGS[key].default && !presets) out[key] = v;
    }
    return out as Partial<Settings>;
  }

  /**
   * A preset's own settings (the reward-hacking lesson's low β, longer
   * answers). What a link set wins; leaving the preset puts the defaults back.
   */
  applyPreset(preset: Preset): void {
    const s = this.pg.settings as Record<SettingKey, number | string>;
    for (const k of this.presetKeys) if (!(k in this.linkSettings)) s[k] = SETTINGS[k].default;
    const { settings, applied, ignored } = presetSettings(preset);
    for (const k of ignored) {
      this.pg.say(
        t('notice.presetSettingIgnored', { key: k, value: String(preset.settings?.[k]) }),
        'problem',
      );
    }
    this.presetKeys = applied;
    for (const k of applied) if (!(k in this.linkSettings)) s[k] = settings[k];
  }

  /** Settings a paused (or running) loop takes between steps. */
  private forwardToRunningLoop(key: SettingKey, value: number | string): void {
    const { live }: SettingSpec = SETTINGS[key];
    const group = live?.run ?? key.split('.')[0];
    const run = this.pg.runs.find((r) => r.active && r.name === group);
    if (!run) return;
    if (!live) {
      this.pg.say(t('notice.appliesNextRun', { key, group: group.toUpperCase() }));
      return;
    }
    void run.update({ [live.field]: value }).then((p) => {
      if (p) this.pg.say(t('notice.notAppliedLive', { key, problem: p }), 'problem');
    });
  }

  /** What bounds the values: the model's context and the preset's longest prompt. */
  private context() {
    const preset = this.pg.preset;
    if (!preset) return undefined;
    const prompts = [...preset.prompts, ...preset.heldoutPrompts];
    return {
      contextLength: this.pg.model?.config.blockSize ?? DEFAULT_LIMITS.contextLength,
      longestPrompt: Math.max(...prompts.map(promptTokens)),
    };
  }
}
