// How the page looks, as a link can set it: theme, language, controls a
// teacher hid, and the embed layout (`?embed=1`: no page chrome, a chosen set
// of stages, driven by a host page). Settings and training live elsewhere.
import type { SettingKey } from './settings';
import { SETTINGS } from './settings';
import type { StageId } from '../stages/stages';
import type { Hideable, Language, Theme, UrlState } from '../share/url-params';

export class ViewOptions {
  theme: Theme = $state('auto');
  /** The language a link asked for (null: the preset's own). */
  lang: Language | null = $state(null);
  hide: Hideable[] = $state([]);
  embed = $state(false);
  /** Embed: the stages offered (never empty once read). */
  stages: StageId[] = $state([]);
  hostOrigin: string | null = null;
  metricsEvery = $state(1);

  read(url: UrlState, opening: StageId): void {
    if (url.theme) this.theme = url.theme;
    if (url.lang) this.lang = url.lang;
    if (url.hide) this.hide = url.hide;
    this.embed = url.embed === true;
    this.stages = url.stages && url.stages.length > 0 ? url.stages : [opening];
    this.hostOrigin = url.hostOrigin ?? null;
    if (url.metricsEvery) this.metricsEvery = url.metricsEvery;
    this.apply();
  }

  /** Whether a panel, a setting group or one setting is hidden. */
  hidden(what: Hideable): boolean {
    if (this.hide.includes(what)) return true;
    if (what in SETTINGS) {
      const key = what as SettingKey;
      return this.hide.includes('settings') || this.hide.includes(SETTINGS[key].group);
    }
    return false;
  }

  /** The theme on the document, where the CSS reads it (the language: i18n's setLocale). */
  apply(): void {
    if (typeof document === 'undefined') return;
    const root = document.documentElement;
    if (this.theme === 'auto') delete root.dataset.theme;
    else root.dataset.theme = this.theme;
    if (this.embed) root.dataset.embed = '1';
  }
}
