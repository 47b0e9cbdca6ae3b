// Named sessions in IndexedDB, beside the rankings and demonstrations that
// storage.ts keeps: one record per session (preset, settings, stage, how far
// each run got), the checkpoints the workers produce (safetensors bytes, as
// the shipped models), the metric histories, and which session is open.
// Without IndexedDB the same calls work on Maps for the length of the visit.
import type { RunMetrics } from '../share/export-formats';
import { OPTIMISERS, type OptimiseMode, type OptimiserKind } from '../optimisers';
import type { Settings } from '../settings/settings';
import type { StageId } from '../stages/stages';
import { FIRST_SESSION } from './database';
import type { PlaygroundStore } from './storage';
import { ReplayStore } from './replay-store';

export type RunName = 'sft' | 'rm' | OptimiserKind;
export const RUN_NAMES: readonly RunName[] = ['sft', 'rm', ...OPTIMISERS];

export type ModelChoice = 'auto' | 'nano' | 'micro' | 'tiny';

export interface SessionRecord {
  id: string;
  name: string;
  createdAt: number;
  updatedAt: number;
  presetId: string | null;
  modelChoice: ModelChoice;
  /** Which base model the checkpoints grew from; they are restored only onto the same. */
  modelKey: string | null;
  stage: StageId;
  seed: number;
  settings: Partial<Settings>;
  optimiseMode: OptimiseMode;
  sftFixed: boolean;
  rmReady: boolean;
  /** How far each run got (sessions saved before DPO and GRPO lack theirs). */
  runs: Record<RunName, { step: number; total: number }>;
}

export interface StoredCheckpoint {
  sessionId: string;
  name: RunName;
  bytes: Uint8Array;
  /** The run's step when the worker kept these weights. */
  step: number;
  /** SFT only: the weights were fixed as the reference (else SFT was still training). */
  fixed?: boolean;
  savedAt: number;
}

export interface StoredMetrics {
  sessionId: string;
  run: string;
  series: RunMetrics;
  savedAt: number;
}

export function newSessionRecord(id: string, name: string, now = Date.now()): SessionRecord {
  return {
    id,
    name,
    createdAt: now,
    updatedAt: now,
    presetId: null,
    modelChoice: 'auto',
    modelKey: null,
    stage: 'start',
    seed: 1,
    settings: {},
    optimiseMode: 'both',
    sftFixed: false,
    rmReady: false,
    runs: Object.fromEntries(RUN_NAMES.map((n) => [n, { step: 0, total: 0 }])) as Record<
      RunName,
      { step: number; total: number }
    >,
  };
}

/** A fresh id; sessions are few, so time plus a little randomness is enough. */
export function sessionId(): string {
  return `s${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
}

const range = (id: string) => IDBKeyRange.bound([id, ''], [id, '\uffff']);

/**
 * Rows kept per session under a name (a run's checkpoint, a run's curve),
 * keyed [sessionId, name] in IndexedDB or, without it, in memory.
 */
export class NamedRows<T extends { sessionId: string }> {
  private readonly memory = new Map<string, T>();

  constructor(
    private readonly rows: PlaygroundStore,
    private readonly store: 'checkpoints' | 'metrics',
    private readonly nameOf: (row: T) => string,
  ) {}

  async put(row: T): Promise<void> {
    const done = await this.rows.withStore(this.store, 'readwrite', (s) => s.put(row));
    if (done === undefined) this.memory.set(`${row.sessionId}/${this.nameOf(row)}`, row);
  }

  async of(id: string): Promise<T[]> {
    const rows = await this.rows.withStore(this.store, 'readonly', (s) => s.getAll(range(id)));
    if (rows !== undefined) return rows as T[];
    return [...this.memory.values()].filter((r) => r.sessionId === id);
  }

  async delete(id: string, name: string): Promise<void> {
    const done = await this.rows.withStore(this.store, 'readwrite', (s) => s.delete([id, name]));
    if (done === undefined) this.memory.delete(`${id}/${name}`);
  }
}

export class SessionStore {
  private readonly memory = {
    sessions: new Map<string, SessionRecord>(),
    meta: new Map<string, unknown>(),
  };
  /** Each run's last checkpoint, by session. */
  readonly checkpoints: NamedRows<StoredCheckpoint>;
  /** Each run's curve, by session. */
  readonly metrics: NamedRows<StoredMetrics>;
  /** What each optimiser's policy wrote, iteration by iteration, by session. */
  readonly samples: ReplayStore;

  constructor(readonly rows: PlaygroundStore) {
    this.checkpoints = new NamedRows(rows, 'checkpoints', (c) => c.name);
    this.metrics = new NamedRows(rows, 'metrics', (m) => m.run);
    this.samples = new ReplayStore(rows);
  }

  async sessions(): Promise<SessionRecord[]> {
    const all = await this.rows.withStore('sessions', 'readonly', (s) => s.getAll());
    const list = (all as SessionRecord[] | undefined) ?? [...this.memory.sessions.values()];
    return list.sort((a, b) => a.createdAt - b.createdAt);
  }

  async session(id: string): Promise<SessionRecord | null> {
    const r = await this.rows.withStore('sessions', 'readonly', (s) => s.get(id));
    if (r !== undefined) return (r as SessionRecord | undefined) ?? null;
    return this.memory.sessions.get(id) ?? null;
  }

  /**
   * A whole session (its record, rows, curves and checkpoints) in one
   * transaction: a page closed mid-way leaves all of it or none. Without
   * IndexedDB it lives in memory for this visit, record last.
   */
  async putWhole(w: {
    record: SessionRecord;
    rows: Partial<Record<'rankings' | 'demonstrations' | 'labels', { presetId: string }[]>>;
    metrics: StoredMetrics[];
    checkpoints: StoredCheckpoint[];
  }): Promise<void> {
    const record = plainCopy(w.record);
    const written = await this.rows.writeTogether({
      add: w.rows,
      put: { metrics: w.metrics, checkpoints: w.checkpoints, sessions: [record] },
    });
    if (written) return;
    for (const [kind, rows] of Object.entries(w.rows)) {
      for (const r of rows) await this.rows.addRaw(kind as keyof typeof w.rows, r);
    }
    for (const m of w.metrics) await this.metrics.put(m);
    for (const c of w.checkpoints) await this.checkpoints.put(c);
    await this.putSession(record);
  }

  async putSession(rec: SessionRecord): Promise<void> {
    const copy = plainCopy(rec);
    const done = await this.rows.withStore('sessions', 'readwrite', (s) => s.put(copy));
    if (done === undefined) this.memory.sessions.set(rec.id, copy);
  }

  /** The session the page opens, as the last visit left it. */
  async currentId(): Promise<string | null> {
    const r = await this.rows.withStore('meta', 'readonly', (s) => s.get('current'));
    const row = (r ?? this.memory.meta.get('current')) as { value?: string } | undefined;
    return row?.value ?? null;
  }

  async setCurrentId(id: string): Promise<void> {
    const row = { key: 'current', value: id };
    const done = await this.rows.withStore('meta', 'readwrite', (s) => s.put(row));
    if (done === undefined) this.memory.meta.set('current', row);
  }

  /** Rows of one session, of every preset. */
  async rowsOf<T extends { sessionId?: string }>(
    name: 'rankings' | 'demonstrations' | 'labels',
    id: string,
  ): Promise<(T & { id: number })[]> {
    const all = await this.rows.all<T & { id: number }>(name);
    return all.filter((r) => (r.sessionId ?? FIRST_SESSION) === id);
  }

  /** Deletes a session and everything in it. */
  async deleteSession(id: string): Promise<void> {
    for (const name of ['rankings', 'demonstrations', 'labels'] as const) {
      for (const r of await this.rowsOf(name, id)) await this.rows.deleteRow(name, r.id);
    }
    for (const c of await this.checkpoints.of(id)) await this.checkpoints.delete(id, c.name);
    for (const m of await this.metrics.of(id)) await this.metrics.delete(id, m.run);
    for (const run of OPTIMISERS) await this.samples.delete(id, run);
    const done = await this.rows.withStore('sessions', 'readwrite', (s) => s.delete(id));
    if (done === undefined) this.memory.sessions.delete(id);
  }

  /** Bytes the session's checkpoints take (the bulk of what it stores). */
  async checkpointBytes(id: string): Promise<number> {
    return (await this.checkpoints.of(id)).reduce((n, c) => n + c.bytes.byteLength, 0);
  }
}

/** A plain copy of a record that may hold Svelte state proxies (structuredClone refuses those). */
function plainCopy<T>(x: T): T {
  return JSON.parse(JSON.stringify(x)) as T;
}
