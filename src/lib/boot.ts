// Opening the page: reads the URL (query and hash: share/url-state.ts),
// starts the workers, opens the saved session, shows the preset, then loads
// its model (and puts the session's trained models back). What the URL gives
// wins over the saved session.
import { errorMessage } from '../core/errors';
import type { PresetIndexEntry } from '../core/presets';
import { ModelLanes, type BackendInfo, type OptimiseMode } from './bridge/lanes';
import { locale, t } from './i18n/index.svelte';
import type { SessionRecord, ModelChoice } from './persistence/session-store';
import { loadPresetIndex, presetTitle } from './settings/preset-catalog';
import { defaultSettings, type Settings } from './settings/settings';
import type { ViewOptions } from './settings/view-options.svelte';
import type { BackendParam, UrlState } from './share/url-params';
import { decodeUrlState, describeProblems } from './share/url-state';
import type { StageId } from './stages/stages';

/** What opening the page sets. */
export interface BootPage {
  stage: StageId;
  workers: ModelLanes | null;
  workersStatus: 'starting' | 'ready' | 'failed';
  workersError: string | null;
  backend: BackendInfo | null;
  backendParam: BackendParam;
  presetIndex: PresetIndexEntry[];
  presetError: string | null;
  settings: Settings;
  modelChoice: ModelChoice;
  readonly view: ViewOptions;
  readonly settingsEditor: { linkSettings: Partial<Settings> };
  readonly optimise: { mode: OptimiseMode };
  readonly keeper: { open(url: UrlState): Promise<SessionRecord>; attach(): void };
  reseed(seed: number): void;
  say(text: string, kind?: 'info' | 'problem'): void;
  choosePreset(id: string, withModel: boolean): Promise<void>;
  presetApplying: Promise<unknown>;
  loadModel(): Promise<void>;
}

export async function bootPage(pg: BootPage, search: string, hash: string): Promise<void> {
  const { state: url, problems } = decodeUrlState(search, hash, t);
  // Synchronously, before the first render settles: the embed layout and theme show at once.
  pg.view.read(url, url.stage ?? 'start');
  if (url.stage) pg.stage = url.stage;
  if (problems.length > 0) pg.say(describeProblems(problems, t), 'problem');
  pg.backendParam = url.backend ?? 'auto';

  const workers = ModelLanes.start({
    backend: pg.backendParam === 'auto' ? null : pg.backendParam,
    testHooks: new URLSearchParams(search).get('testHooks') === '1',
    onNotice: (n) => pg.say(n.message, n.kind === 'info' ? 'info' : 'problem'),
  })
    .then((lanes) => {
      pg.workers = lanes;
      pg.backend = lanes.info;
      pg.workersStatus = 'ready';
    })
    .catch((e: unknown) => {
      pg.workersStatus = 'failed';
      pg.workersError = errorMessage(e);
    });
  // The session, the link's settings and the preset: what a share link is made of, so Share waits on it.
  const opening = (async (): Promise<boolean> => {
    const saved = await pg.keeper.open(url);
    pg.settings = { ...defaultSettings(), ...saved.settings, ...url.settings };
    pg.settingsEditor.linkSettings = url.settings;
    pg.modelChoice = url.model ?? saved.modelChoice;
    pg.optimise.mode = url.optimise ?? saved.optimiseMode;
    pg.reseed(url.seed ?? saved.seed);
    const stage = url.stage ?? saved.stage;
    pg.stage = pg.view.embed && !pg.view.stages.includes(stage) ? pg.view.stages[0] : stage;
    try {
      pg.presetIndex = await loadPresetIndex();
    } catch (e) {
      pg.presetError = errorMessage(e);
      return false;
    }
    const entry = openingPreset(pg.presetIndex, url.preset ?? saved.presetId, pg.view.lang);
    if (url.preset && entry.id !== url.preset) {
      const title = presetTitle(entry, locale.current);
      pg.say(t('notice.unknownPreset', { preset: url.preset, title }), 'problem');
    }
    await pg.choosePreset(entry.id, false);
    return true;
  })();
  pg.presetApplying = opening;
  if (!(await opening)) return;
  await workers;
  await pg.loadModel();
  pg.keeper.attach();
}

/** The preset asked for; else the first in the link's language; else the first. */
function openingPreset(
  index: PresetIndexEntry[],
  wanted: string | null,
  lang: string | null,
): PresetIndexEntry {
  const inLanguage = lang ? index.find((p) => p.language === lang) : undefined;
  return index.find((p) => p.id === wanted) ?? inLanguage ?? index[0];
}
