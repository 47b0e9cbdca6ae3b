// Keeps the open session in IndexedDB as it happens, and brings it back on
// the next visit. What is kept: the session record (preset, model, stage,
// settings, how far each run got), every checkpoint a worker makes while a
// run trains (safetensors bytes: SFT, reward model, PPO, RRHF), the fixed SFT
// model and the normalised reward model, and the metric histories.
// Rankings and demonstrations are saved by their stages (storage.ts).
//
// A reload mid-run restores each run from its last checkpoint, with its
// curve cut back to that step, so "Continue" carries on from there.
//
// Nothing kept is thrown away behind the person's back: a second tab on the
// same session saves no progress over the first (session-tab-lock.ts);
// models that do not fit the base model loaded now are set aside in a
// session of their own rather than deleted; a store that cannot be read or
// written says why, and the page stays on the session it opened.
import { metricsOf } from '../share/export-formats';
import { t, type MessageKey } from '../i18n/index.svelte';
import { modelPath } from '../settings/preset-catalog';
import type { SettingKey, Settings } from '../settings/settings';
import { SETTINGS, SETTING_KEYS } from '../settings/settings';
import {
  RUN_NAMES,
  SessionStore,
  newSessionRecord,
  sessionId,
  type ModelChoice,
  type RunName,
  type SessionRecord,
  type StoredCheckpoint,
  type StoredMetrics,
} from './session-store';
import {
  isVariantRun,
  restoreModels,
  savedVocabulary,
  setAside,
  type RestoreTarget,
} from './session-restore';
import { SessionTabLock } from './session-tab-lock';
import type { ModelInfo } from '../../../workers/model-setup';
import type { ModelLanes, OptimiseMode, OptimiserKind } from '../bridge/lanes';
import type { MetricLog } from '../measures/metrics';
import type { StageId } from '../stages/stages';
import { FIRST_SESSION } from './database';
import { describeStorageError, type NamedErrorStore } from './storage-errors';
import type { TrainingRun } from '../stages/training-run.svelte';
import type { UrlState } from '../share/url-params';

/** Rankings made in an embedded playground go to a session of their own. */
export const EMBED_SESSION = 'embed';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

const keptHistory = (run: string) => RUN_NAMES.includes(run as RunName) || isVariantRun(run);

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
    readonly ppo: TrainingRun;
    readonly rrhf: TrainingRun;
    readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>>;
    onNewSft(): void;
  };
  readonly ranking: { onNewPolicy(): void };
  say(text: string, kind?: 'info' | 'problem'): void;
}

/** Which base model checkpoints grew from: source and shape. */
export function modelKeyOf(pg: Pick<SessionKeeperPage, 'model' | 'modelSource'>): string | null {
  if (!pg.model) return null;
  const c = pg.model.config;
  return `${pg.modelSource}|${c.nLayer}x${c.nHead}x${c.nEmbd}x${c.vocabSize}`;
}

/** Why this tab keeps no progress of its session: another tab holds it, or took it over. */
export type HeldElsewhere = 'other-tab' | 'taken';

export class SessionKeeper {
  readonly sessions: SessionStore;
  /** The open session. */
  record: SessionRecord = $state(newSessionRecord(FIRST_SESSION, 'Session 1'));
  /** Run → the run step of the checkpoint last written (shown, and read by tests). */
  saved: Partial<Record<RunName, number>> = $state({});
  /** False in an embed: nothing but rankings and demonstrations is kept. */
  active = false;
  /** Another tab keeps this session: this one shows it and saves no progress over it. */
  elsewhere: HeldElsewhere | null = $state(null);
  /** The saved sessions could not be read (the reason): nothing is written over them. */
  unreadable: string | null = $state(null);
  /** A write failed because the browser's storage for this site is full. */
  storageFull = $state(false);
  readonly tabLock = new SessionTabLock();
  private checkpoints: StoredCheckpoint[] = [];
  private histories: StoredMetrics[] = [];
  private restorePending = false;
  private attached = false;
  private recordTimer: ReturnType<typeof setTimeout> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private metricTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly pg: SessionKeeperPage) {
    this.sessions = new SessionStore(pg.store);
    pg.store.onQuota = () => (this.storageFull = true);
    this.tabLock.onYield = () => this.saveNow();
    // The banner (SessionBanner.svelte) says so until it is resolved.
    this.tabLock.onLost = () => (this.elsewhere = 'taken');
  }

  get id(): string {
    return this.record.id;
  }

  /** This tab writes the session's record, checkpoints and curves. */
  get writable(): boolean {
    return this.active && this.elsewhere === null && this.unreadable === null;
  }

  /**
   * Opens the session of the last visit (or the first one). A link naming
   * another preset or model does not overwrite trained work: it opens in a
   * new session, and says so. A session another tab keeps opens here
   * without saving progress; one that cannot be read is not replaced.
   */
  async open(url: UrlState): Promise<SessionRecord> {
    if (url.embed) {
      this.record = newSessionRecord(EMBED_SESSION, 'Embedded playground');
      this.pg.store.sessionId = EMBED_SESSION;
      return this.record;
    }
    this.active = true;
    const s = this.sessions;
    let rec: SessionRecord | null;
    let all: SessionRecord[];
    let checkpoints: StoredCheckpoint[] = [];
    let histories: StoredMetrics[] = [];
    try {
      const current = await s.currentId();
      rec = current ? await s.session(current) : null;
      all = await s.sessions();
      rec ??= all.filter((r) => r.id !== EMBED_SESSION).at(-1) ?? null;
      if (rec) {
        checkpoints = await s.checkpoints(rec.id);
        histories = await s.metrics(rec.id);
      }
    } catch (e) {
      // Which session was open is unknown: open none of them over another.
      this.unreadable = describeStorageError(e, t);
      this.pg.say(t('keeper.unreadable', { reason: this.unreadable }), 'problem');
      this.pg.store.sessionId = this.record.id;
      return this.record;
    }
    const writes: SessionRecord[] = [];
    if (!rec) {
      rec = newSessionRecord(FIRST_SESSION, 'Session 1');
      writes.push(rec);
    }
    const differs =
      (url.preset !== undefined && rec.presetId !== null && url.preset !== rec.presetId) ||
      (url.model !== undefined && url.model !== rec.modelChoice);
    if (differs && checkpoints.length > 0) {
      const was = rec.name;
      rec = newSessionRecord(sessionId(), nextName(all));
      writes.push(rec);
      checkpoints = [];
      histories = [];
      this.pg.say(t('keeper.linkNewSession', { name: rec.name, was }));
    }
    if ((await this.tabLock.acquire(rec.id)) === 'elsewhere') this.elsewhere = 'other-tab';
    this.record = rec;
    this.checkpoints = checkpoints;
    this.histories = histories;
    this.restorePending = checkpoints.length > 0 || histories.length > 0;
    this.pg.store.sessionId = rec.id;
    if (this.writable) {
      // A write that fails (a full store) is reported; the session stays the one opened.
      try {
        for (const w of writes) await s.putSession(w);
        await s.setCurrentId(rec.id);
      } catch (e) {
        this.problem('keeper.notSaved', e);
      }
    }
    return this.record;
  }

  /**
   * The base model size the saved models grew from, when the size is left
   * to the page ('auto'): the same one again, whatever the backend suggests,
   * so that they can be restored.
   */
  savedSize(language: string): 'nano' | 'micro' | null {
    const key = this.restorePending ? this.record.modelKey : null;
    if (!key) return null;
    for (const size of ['nano', 'micro'] as const) {
      if (key.startsWith(`${modelPath(language, size)}|`)) return size;
    }
    return null;
  }

  /**
   * The characters the saved models read, for a tiny model made from text:
   * the vocabulary they were trained with, not one that a demonstration
   * written since has grown (their weights would not fit it).
   */
  savedVocabulary(): string[] | null {
    return this.restorePending ? savedVocabulary(this.checkpoints) : null;
  }

  /**
   * Called by `loadModel` once a base model is in, before the page may use
   * it (the model lock is held): the first time, puts the saved models back.
   */
  async afterBaseLoaded(): Promise<void> {
    if (!this.restorePending) return;
    this.restorePending = false;
    const key = modelKeyOf(this.pg);
    const rec = this.record;
    if (rec.presetId !== this.pg.presetId || (rec.modelKey !== null && rec.modelKey !== key)) {
      if (this.checkpoints.length > 0) await this.setAside();
      return;
    }
    try {
      await this.restore();
    } catch (e) {
      this.pg.say(t('keeper.notRestored', { reason: message(e) }), 'problem');
    }
  }

  /** Models that do not fit the base model loaded now move to a session of their own. */
  private async setAside(): Promise<void> {
    if (!this.writable) {
      this.pg.say(t('keeper.mismatchKept'), 'problem');
      return;
    }
    try {
      const name = await setAside(this.sessions, this.record, this.checkpoints, this.histories);
      this.pg.say(t('keeper.setAside', { name }));
    } catch (e) {
      this.problem('keeper.notSetAside', e);
    }
    this.checkpoints = [];
    this.histories = [];
  }

  private async restore(): Promise<void> {
    const { pg } = this;
    const target = {
      get workers() {
        return pg.workers;
      },
      sft: pg.sft,
      rm: pg.rm,
      optimise: pg.optimise,
      ranking: pg.ranking,
      runOf: (name: RunName) => this.runOf(name),
      pushSeries: (run: string, series: StoredMetrics['series']) => this.pushSeries(run, series),
    } satisfies RestoreTarget;
    const { done, saved } = await restoreModels(
      target,
      this.record,
      this.checkpoints,
      this.histories,
    );
    Object.assign(this.saved, saved);
    if (done.length > 0) {
      pg.say(
        t('keeper.restored', {
          name: this.record.name,
          what: done.join(t('session.listSeparator')),
        }),
      );
    }
  }

  private pushSeries(run: string, series: StoredMetrics['series']): void {
    for (const [name, s] of Object.entries(series)) {
      s.x.forEach((x, i) => this.pg.metrics.push(run, x, { [name]: s.y[i] ?? NaN }));
    }
  }

  private runOf(name: RunName): TrainingRun {
    const { pg } = this;
    return { sft: pg.sft.run, rm: pg.rm.run, ppo: pg.optimise.ppo, rrhf: pg.optimise.rrhf }[name];
  }

  /** Starts keeping what happens from now on. */
  attach(): void {
    if (!this.active || this.attached) return;
    this.attached = true;
    for (const name of RUN_NAMES) {
      this.runOf(name).onSnapshot = (step, bytes) => void this.keep(name, bytes, step, false);
    }
    this.pg.metrics.subscribe((run) => this.onMetrics(run));
    $effect.root(() => {
      $effect(() => {
        const rec = this.current();
        this.scheduleRecord(rec);
      });
      // The fixed SFT model and the normalised reward model are kept as soon as they exist.
      $effect(() => {
        if (this.pg.sft.fixed) void this.keepSft();
      });
      $effect(() => {
        if (this.pg.rm.ready) void this.keepRewardModel();
      });
    });
    addEventListener('pagehide', () => void this.flush());
  }

  private async keepSft(): Promise<void> {
    const bytes = this.pg.workers?.sft;
    if (bytes) await this.keep('sft', bytes, this.pg.sft.run.step, true);
  }

  private async keepRewardModel(): Promise<void> {
    if (!this.writable) return;
    try {
      const bytes = await this.pg.workers?.rewardCheckpoint();
      if (bytes) await this.keep('rm', bytes, this.pg.rm.run.step, false);
    } catch (e) {
      this.problem('keeper.rmNotSaved', e);
    }
  }

  private async keep(name: RunName, bytes: Uint8Array, step: number, fixed: boolean) {
    if (!this.writable) return;
    const c: StoredCheckpoint = { sessionId: this.id, name, bytes, step, savedAt: Date.now() };
    if (name === 'sft') c.fixed = fixed;
    try {
      // The curve goes with the weights, and first: if the page is closed between
      // the two writes, the stored curve reaches past the stored weights and a
      // restore cuts it at their step. (Weights first could leave them past the
      // end of the stored curve, and the restored chart with a gap.)
      await this.writeMetrics(name);
      // A snapshot of the SFT run that lands after the model was fixed must not replace it.
      if (name === 'sft' && !fixed && this.pg.sft.fixed) return;
      await this.sessions.putCheckpoint(c);
      this.saved[name] = step;
    } catch (e) {
      this.problem('keeper.checkpointNotSaved', e, { name: name.toUpperCase() });
    }
  }

  /** Metrics arrive every step: a run's history is written at most once a second. */
  private onMetrics(run: string): void {
    if (!keptHistory(run)) return;
    if (this.pg.metrics.metricsOf(run).length === 0) {
      // The run was reset: its history and weights are gone from the page, so from here too.
      clearTimeout(this.metricTimers.get(run));
      this.metricTimers.delete(run);
      if (isVariantRun(run)) void this.forgetHistory(run);
      else void this.forget([run as RunName]);
      return;
    }
    if (this.metricTimers.has(run)) return;
    this.metricTimers.set(
      run,
      setTimeout(() => {
        this.metricTimers.delete(run);
        void this.writeMetrics(run).catch(() => undefined);
      }, 1000),
    );
  }

  /** Writes a run's history (a full store is reported by the store: see storageFull). */
  private async writeMetrics(run: string): Promise<void> {
    if (!this.writable) return;
    const series = metricsOf(this.pg.metrics, [run])[run];
    if (!series) return;
    await this.sessions.putMetrics({ sessionId: this.id, run, series, savedAt: Date.now() });
  }

  private async forget(names: readonly RunName[]): Promise<void> {
    if (!this.writable) return;
    for (const name of names) {
      delete this.saved[name];
      await this.sessions.deleteCheckpoint(this.id, name).catch(() => undefined);
      await this.forgetHistory(name);
    }
  }

  private async forgetHistory(run: string): Promise<void> {
    if (!this.writable) return;
    await this.sessions.deleteMetrics(this.id, run).catch(() => undefined);
  }

  /** The record as the page is now (reads reactive state: the effect re-runs on change). */
  private current(): SessionRecord {
    const { pg } = this;
    const settings: Partial<Settings> = {};
    for (const key of SETTING_KEYS) {
      const v = pg.settings[key];
      if (v !== SETTINGS[key].default) (settings as Record<SettingKey, unknown>)[key] = v;
    }
    const runs = Object.fromEntries(
      RUN_NAMES.map((n) => [n, { step: this.runOf(n).step, total: this.runOf(n).total }]),
    ) as SessionRecord['runs'];
    return {
      ...this.record,
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

  private pendingRecord: SessionRecord | null = null;

  private scheduleRecord(rec: SessionRecord): void {
    this.pendingRecord = rec;
    if (this.recordTimer) return;
    this.recordTimer = setTimeout(() => void this.flush(), 300);
  }

  /** Writes the pending record now (also when the page goes away). */
  async flush(): Promise<void> {
    if (this.recordTimer) clearTimeout(this.recordTimer);
    this.recordTimer = null;
    const rec = this.pendingRecord;
    if (!rec || !this.writable) return;
    this.pendingRecord = null;
    rec.updatedAt = Date.now();
    try {
      await this.sessions.putSession(rec);
    } catch (e) {
      this.problem('keeper.notSaved', e);
    }
  }

  /** Saves the record as it is now (another tab is about to take the session over). */
  private async saveNow(): Promise<void> {
    if (!this.attached) return;
    this.pendingRecord = this.current();
    await this.flush();
  }

  /**
   * This tab takes the session over from the tab that keeps it: that one
   * saves and lets go, and this one reloads to restore what it saved.
   */
  async takeOver(): Promise<void> {
    await this.tabLock.takeOver();
    location.reload();
  }

  /** A failed write, said with its reason (a full store named as such), once in a row. */
  private problem(key: MessageKey, e: unknown, params: Record<string, string> = {}): void {
    const text = t(key, { ...params, reason: describeStorageError(e, t) });
    if (this.pg.notices.at(-1)?.text !== text) this.pg.say(text, 'problem');
  }

  /** Renames the open session. */
  rename(name: string): void {
    const clean = name.trim().slice(0, 120);
    if (clean === '') return;
    this.record = { ...this.record, name: clean };
  }
}

/** "Session 3": one more than the sessions there are. */
export function nextName(existing: readonly { name: string }[]): string {
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  const names = new Set(existing.map((s) => s.name));
  let n = existing.length + 1;
  while (names.has(`Session ${n}`)) n++;
  return `Session ${n}`;
}
