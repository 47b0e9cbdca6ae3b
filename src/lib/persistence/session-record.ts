// The session record as the page is now, what the keeper reads of the page
// to make it, and the record of the last visit read back from IndexedDB.
import type { ModelInfo } from '../../../workers/model-setup';
import type { ModelLanes, OptimiseMode, OptimiserKind } from '../bridge/lanes';
import type { MetricLog } from '../measures/metrics';
import type { PageEvents } from '../page-events';
import { SETTINGS, SETTING_KEYS, type SettingKey, type Settings } from '../settings/settings';
import type { StageId } from '../stages/stages';
import type { TrainingRun } from '../stages/training-run.svelte';
import type { NamedErrorStore } from './storage-errors';
import {
  RUN_NAMES,
  type ModelChoice,
  type RunName,
  type SessionRecord,
  type SessionStore,
  type StoredCheckpoint,
  type StoredMetrics,
} from './session-store';

/** Rankings made in an embedded playground go to a session of their own. */
export const EMBED_SESSION = 'embed';

/**
 * What the keeper uses of the page: what a session record holds, the trained
 * runs it keeps, and the stages a restore puts models back into.
 */
export interface SessionKeeperPage {
  readonly workers: ModelLanes | null;
  readonly store: NamedErrorStore;
  readonly metrics: MetricLog;
  readonly notices: readonly { readonly text: string }[];
  readonly presetId: string;
  readonly modelChoice: ModelChoice;
  readonly model: ModelInfo | null;
  readonly modelSource: string;
  readonly stage: StageId;
  readonly seed: number;
  readonly settings: Settings;
  readonly sft: { fixed: boolean; readonly run: TrainingRun };
  readonly rm: { ready: boolean; readonly run: TrainingRun };
  readonly optimise: {
    readonly mode: OptimiseMode;
    readonly runs: Readonly<Record<OptimiserKind, TrainingRun>>;
    readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>>;
  };
  readonly events: PageEvents;
  say(text: string, kind?: 'info' | 'problem'): void;
}

/** Which base model checkpoints grew from: source and shape. */
export function modelKeyOf(pg: Pick<SessionKeeperPage, 'model' | 'modelSource'>): string | null {
  if (!pg.model) return null;
  const c = pg.model.config;
  return `${pg.modelSource}|${c.nLayer}x${c.nHead}x${c.nEmbd}x${c.vocabSize}`;
}

/** The runs of the page that the stored runs are. */
export interface PageRuns {
  readonly sft: { readonly run: TrainingRun };
  readonly rm: { readonly run: TrainingRun };
  readonly optimise: { readonly runs: Readonly<Record<OptimiserKind, TrainingRun>> };
}

/** The run of the page that a stored run name names. */
export function runOf(pg: PageRuns, name: RunName): TrainingRun {
  return name === 'sft' ? pg.sft.run : name === 'rm' ? pg.rm.run : pg.optimise.runs[name];
}

/** `record` as the page is now (reads reactive state: an effect re-runs on change). */
export function recordOf(pg: SessionKeeperPage, record: SessionRecord): SessionRecord {
  const settings: Partial<Settings> = {};
  for (const key of SETTING_KEYS) {
    const v = pg.settings[key];
    if (v !== SETTINGS[key].default) (settings as Record<SettingKey, unknown>)[key] = v;
  }
  const runs = Object.fromEntries(
    RUN_NAMES.map((n) => [n, { step: runOf(pg, n).step, total: runOf(pg, n).total }]),
  ) as SessionRecord['runs'];
  return {
    ...record,
    presetId: pg.presetId || null,
    modelChoice: pg.modelChoice,
    modelKey: modelKeyOf(pg),
    stage: pg.stage,
    seed: pg.seed,
    settings,
    optimiseMode: pg.optimise.mode,
    sftFixed: pg.sft.fixed,
    rmReady: pg.rm.ready,
    runs,
  };
}

/** The session of the last visit (the one marked current, else the newest), with what it keeps. */
export async function readLastSession(s: SessionStore): Promise<{
  rec: SessionRecord | null;
  all: SessionRecord[];
  checkpoints: StoredCheckpoint[];
  histories: StoredMetrics[];
}> {
  const current = await s.currentId();
  let rec = current ? await s.session(current) : null;
  const all = await s.sessions();
  rec ??= all.filter((r) => r.id !== EMBED_SESSION).at(-1) ?? null;
  if (!rec) return { rec, all, checkpoints: [], histories: [] };
  return {
    rec,
    all,
    checkpoints: await s.checkpoints.of(rec.id),
    histories: await s.metrics.of(rec.id),
  };
}

/** "Session 3": one more than the sessions there are. */
export function nextName(existing: readonly { name: string }[]): string {
  const names = new Set(existing.map((s) => s.name));
  let n = existing.length + 1;
  while (names.has(`Session ${n}`)) n++;
  return `Session ${n}`;
}
