// Keeps the open session in IndexedDB as it happens, and brings it back on
// the next visit. What is kept: the session record (preset, model, stage,
// settings, how far each run got), every checkpoint a worker makes while a
// run trains (safetensors bytes: SFT, reward model, PPO, RRHF), the fixed SFT
// model and the normalised reward model, and the metric histories.
// Rankings and demonstrations are saved by their stages (storage.ts).
//
// A reload mid-run restores each run from its last checkpoint, with its
// curve cut back to that step, so "Continue" carries on from there.
import { metricsOf } from './export-formats';
import type { SettingKey, Settings } from './settings';
import { SETTINGS, SETTING_KEYS } from './settings';
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
import type { Playground } from './state.svelte';
import { FIRST_SESSION } from './storage';
import type { TrainingRun } from './training-run.svelte';
import type { UrlState } from './url-state';

/** Rankings made in an embedded playground go to a session of their own. */
export const EMBED_SESSION = 'embed';

const message = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** Which base model checkpoints grew from: source and shape. */
export function modelKeyOf(pg: Playground): string | null {
  if (!pg.model) return null;
  const c = pg.model.config;
  return `${pg.modelSource}|${c.nLayer}x${c.nHead}x${c.nEmbd}x${c.vocabSize}`;
}

/** The series of a run up to `step` (a restored run continues from its checkpoint). */
export function cutSeries(series: StoredMetrics['series'], step: number): StoredMetrics['series'] {
  const out: StoredMetrics['series'] = {};
  for (const [name, s] of Object.entries(series)) {
    const n = s.x.findIndex((x) => x > step);
    const end = n === -1 ? s.x.length : n;
    if (end > 0) out[name] = { x: s.x.slice(0, end), y: s.y.slice(0, end) };
  }
  return out;
}

export class SessionKeeper {
  readonly sessions: SessionStore;
  /** The open session. */
  record: SessionRecord = $state(newSessionRecord(FIRST_SESSION, 'Session 1'));
  /** Run → the run step of the checkpoint last written (shown, and read by tests). */
  saved: Partial<Record<RunName, number>> = $state({});
  /** False in an embed: nothing but rankings and demonstrations is kept. */
  active = false;
  private checkpoints: StoredCheckpoint[] = [];
  private histories: StoredMetrics[] = [];
  private restorePending = false;
  private attached = false;
  private recordTimer: ReturnType<typeof setTimeout> | null = null;
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private metricTimers = new Map<string, ReturnType<typeof setTimeout>>();

  constructor(private readonly pg: Playground) {
    this.sessions = new SessionStore(pg.store);
  }

  get id(): string {
    return this.record.id;
  }

  /**
   * Opens the session of the last visit (or the first one). A link naming
   * another preset or model does not overwrite trained work: it opens in a
   * new session, and says so.
   */
  async open(url: UrlState): Promise<SessionRecord> {
    if (url.embed) {
      this.record = newSessionRecord(EMBED_SESSION, 'Embedded playground');
      this.pg.store.sessionId = EMBED_SESSION;
      return this.record;
    }
    this.active = true;
    const s = this.sessions;
    try {
      const current = await s.currentId();
      let rec = current ? await s.session(current) : null;
      const all = await s.sessions();
      rec ??= all.filter((r) => r.id !== EMBED_SESSION).at(-1) ?? null;
      if (!rec) {
        rec = newSessionRecord(FIRST_SESSION, 'Session 1');
        await s.putSession(rec);
      }
      let checkpoints = await s.checkpoints(rec.id);
      const differs =
        (url.preset !== undefined && rec.presetId !== null && url.preset !== rec.presetId) ||
        (url.model !== undefined && url.model !== rec.modelChoice);
      if (differs && checkpoints.length > 0) {
        const was = rec.name;
        rec = newSessionRecord(sessionId(), nextName(all));
        await s.putSession(rec);
        checkpoints = [];
        this.pg.say(
          `This link opened in a new session, “${rec.name}”; “${was}” is kept (Sessions).`,
        );
      }
      await s.setCurrentId(rec.id);
      this.record = rec;
      this.checkpoints = checkpoints;
      this.histories = await s.metrics(rec.id);
      this.restorePending = checkpoints.length > 0 || this.histories.length > 0;
    } catch (e) {
      this.pg.say(`The saved session could not be read: ${message(e)}`, 'problem');
    }
    this.pg.store.sessionId = this.record.id;
    return this.record;
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
      if (this.checkpoints.length > 0) {
        this.pg.say('The saved models were trained on another preset or base model: not restored.');
      }
      await this.forget(RUN_NAMES);
      return;
    }
    try {
      await this.restore();
    } catch (e) {
      this.pg.say(`The saved session could not be fully restored: ${message(e)}`, 'problem');
    }
  }

  private async restore(): Promise<void> {
    const { pg } = this;
    const engine = pg.engine;
    if (!engine) return;
    // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
    const byName = new Map(this.checkpoints.map((c) => [c.name, c]));
    const done: string[] = [];
    const sft = byName.get('sft');
    if (sft?.fixed) {
      await engine.restoreSft(sft.bytes);
      pg.sft.fixed = true;
      pg.optimise.onNewSft();
      pg.ranking.onNewPolicy();
      done.push('the SFT model');
    } else if (sft) {
      await engine.restorePolicy(sft.bytes);
      done.push(`SFT at step ${sft.step}`);
    }
    const rm = byName.get('rm');
    if (rm) {
      await engine.restoreRewardModel(rm.bytes);
      pg.rm.ready = this.record.rmReady;
      done.push(pg.rm.ready ? 'the reward model' : `the reward model at step ${rm.step}`);
    }
    for (const kind of ['ppo', 'rrhf'] as const) {
      const c = byName.get(kind);
      if (!c || !pg.sft.fixed) continue;
      pg.optimise.checkpoints[kind] = c.bytes;
      const total = this.record.runs[kind].total;
      done.push(`${kind.toUpperCase()} at step ${c.step}${total > c.step ? ` of ${total}` : ''}`);
    }
    for (const name of RUN_NAMES) {
      const c = byName.get(name);
      const run = this.runOf(name);
      if (!c || ((name === 'ppo' || name === 'rrhf') && !pg.sft.fixed)) continue;
      run.step = c.step;
      run.total = Math.max(c.step, this.record.runs[name].total);
      const history = this.histories.find((h) => h.run === name);
      if (history) this.pushSeries(name, cutSeries(history.series, c.step));
      this.saved[name] = c.step;
    }
    if (done.length > 0) {
      pg.say(`Restored “${this.record.name}”: ${done.join(', ')}. Continue where you left off.`);
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
    const bytes = this.pg.engine?.sftCheckpoint();
    if (bytes) await this.keep('sft', bytes, this.pg.sft.run.step, true);
  }

  private async keepRewardModel(): Promise<void> {
    try {
      const bytes = await this.pg.engine?.rewardCheckpoint();
      if (bytes) await this.keep('rm', bytes, this.pg.rm.run.step, false);
    } catch (e) {
      this.pg.say(`The reward model could not be saved: ${message(e)}`, 'problem');
    }
  }

  private async keep(name: RunName, bytes: Uint8Array, step: number, fixed: boolean) {
    const c: StoredCheckpoint = { sessionId: this.id, name, bytes, step, savedAt: Date.now() };
    if (name === 'sft') c.fixed = fixed;
    try {
      // The curve goes with the weights, and first: if the page is closed between
      // the two writes, the stored curve reaches past the stored weights and a
      // restore cuts it at their step. (Weights first could leave them past the
      // end of the stored curve, and the restored chart with a gap.)
      await this.writeMetrics(name);
      await this.sessions.putCheckpoint(c);
      this.saved[name] = step;
    } catch (e) {
      this.pg.say(
        `The ${name.toUpperCase()} checkpoint could not be saved: ${message(e)}`,
        'problem',
      );
    }
  }

  /** Metrics arrive every step: a run's history is written at most once a second. */
  private onMetrics(run: string): void {
    if (!RUN_NAMES.includes(run as RunName)) return;
    if (this.pg.metrics.metricsOf(run).length === 0) {
      // The run was reset: its history and weights are gone from the page, so from here too.
      clearTimeout(this.metricTimers.get(run));
      this.metricTimers.delete(run);
      void this.forget([run as RunName]);
      return;
    }
    if (this.metricTimers.has(run)) return;
    this.metricTimers.set(
      run,
      setTimeout(() => {
        this.metricTimers.delete(run);
        void this.writeMetrics(run);
      }, 1000),
    );
  }

  private async writeMetrics(run: string): Promise<void> {
    const series = metricsOf(this.pg.metrics, [run])[run];
    if (!series) return;
    await this.sessions
      .putMetrics({ sessionId: this.id, run, series, savedAt: Date.now() })
      .catch(() => undefined);
  }

  private async forget(names: readonly RunName[]): Promise<void> {
    for (const name of names) {
      delete this.saved[name];
      await this.sessions.deleteCheckpoint(this.id, name).catch(() => undefined);
      await this.sessions.deleteMetrics(this.id, name).catch(() => undefined);
    }
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
    if (!rec) return;
    this.pendingRecord = null;
    rec.updatedAt = Date.now();
    try {
      await this.sessions.putSession(rec);
    } catch (e) {
      this.pg.say(`The session could not be saved: ${message(e)}`, 'problem');
    }
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
