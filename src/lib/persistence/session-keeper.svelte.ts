// Keeps the open session in IndexedDB as it happens, and brings it back on
// the next visit. What is kept: the session record (preset, model, stage,
// settings, how far each run got), every checkpoint a worker makes while a
// run trains (safetensors bytes: SFT, reward model, PPO, RRHF), the fixed SFT
// model and the normalised reward model, and the metric histories.
// Rankings and demonstrations are saved by their stages (storage.ts).
// The record is made in session-record.ts, the runs' checkpoints and curves
// are written by run-writer.ts, and put back by session-restore.ts.
//
// A reload mid-run restores each run from its last checkpoint, with its
// curve cut back to that step, so "Continue" carries on from there.
//
// Nothing kept is thrown away behind the person's back: a second tab on the
// same session saves no progress over the first (session-tab-lock.ts);
// models that do not fit the base model loaded now are set aside in a
// session of their own rather than deleted; a store that cannot be read or
// written says why, and the page stays on the session it opened.
import { errorMessage } from '../../core/errors';
import { t, type MessageKey } from '../i18n/index.svelte';
import { modelPath } from '../settings/preset-catalog';
import {
  RUN_NAMES,
  SessionStore,
  newSessionRecord,
  sessionId,
  type RunName,
  type SessionRecord,
  type StoredCheckpoint,
  type StoredMetrics,
} from './session-store';
import { restoreModels, savedVocabulary, setAside } from './session-restore';
import {
  EMBED_SESSION,
  modelKeyOf,
  nextName,
  readLastSession,
  recordOf,
  runOf,
  type SessionKeeperPage,
} from './session-record';
import { RunWriter } from './run-writer';
import { restoreIterations } from './replay-store';
import { SessionTabLock } from './session-tab-lock';
import { FIRST_SESSION } from './database';
import { describeStorageError } from './storage-errors';
import type { UrlState } from '../share/url-params';

export { EMBED_SESSION, modelKeyOf, nextName, type SessionKeeperPage };

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
  private pendingRecord: SessionRecord | null = null;
  private readonly writer: RunWriter;

  constructor(private readonly pg: SessionKeeperPage) {
    this.sessions = new SessionStore(pg.store);
    pg.store.onQuota = () => (this.storageFull = true);
    this.tabLock.onYield = () => this.saveNow();
    // The banner (SessionBanner.svelte) says so until it is resolved.
    this.tabLock.onLost = () => (this.elsewhere = 'taken');
    this.writer = new RunWriter(this, pg);
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
    let last: Awaited<ReturnType<typeof readLastSession>>;
    try {
      last = await readLastSession(s);
    } catch (e) {
      // Which session was open is unknown: open none of them over another.
      this.unreadable = describeStorageError(e, t);
      this.pg.say(t('keeper.unreadable', { reason: this.unreadable }), 'problem');
      this.pg.store.sessionId = this.record.id;
      return this.record;
    }
    let { rec, checkpoints, histories } = last;
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
      rec = newSessionRecord(sessionId(), nextName(last.all));
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
      const restored = await restoreModels(this.pg, rec, this.checkpoints, this.histories);
      Object.assign(this.saved, restored.saved);
      const runs = this.pg.optimise.runs;
      await restoreIterations(this.sessions.samples, rec.id, runs, restored.saved).catch((e) =>
        this.problem('replay.notRead', e),
      );
      const what = restored.done.join(t('session.listSeparator'));
      if (what) this.pg.say(t('keeper.restored', { name: rec.name, what }));
    } catch (e) {
      this.pg.say(t('keeper.notRestored', { reason: errorMessage(e) }), 'problem');
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

  /** Starts keeping what happens from now on. */
  attach(): void {
    if (!this.active || this.attached) return;
    this.attached = true;
    for (const name of RUN_NAMES) {
      runOf(this.pg, name).onSnapshot = (step, bytes) =>
        void this.writer.keep(name, bytes, step, false);
      runOf(this.pg, name).onSamples = (it) => void this.writer.keepSamples(name, it);
    }
    this.pg.metrics.subscribe((run) => this.writer.onMetrics(run));
    $effect.root(() => {
      $effect(() => {
        const rec = recordOf(this.pg, this.record);
        this.scheduleRecord(rec);
      });
      // The fixed SFT model and the normalised reward model are kept as soon as they exist.
      $effect(() => {
        if (this.pg.sft.fixed) void this.writer.keepSft();
      });
      $effect(() => {
        if (this.pg.rm.ready) void this.writer.keepRewardModel();
      });
    });
    addEventListener('pagehide', () => void this.flush());
  }

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
    this.pendingRecord = recordOf(this.pg, this.record);
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
  problem(key: MessageKey, e: unknown, params: Record<string, string> = {}): void {
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
