// The person's work, kept in IndexedDB the moment it is made: rankings (each
// becomes C(K,2) comparisons for the reward model) and demonstrations they
// wrote. Plain `indexedDB`, no wrapper library. When IndexedDB is missing
// (some private modes) everything still works for the session, in memory,
// and `persistent` says so, so the page can tell the person.
import type { PreferenceRow } from '../../core/preferences';
import {
  FIRST_SESSION,
  committed,
  openDb,
  removeOrphans,
  request,
  type KeyedStoreName,
  type RowStoreName,
  type StoreName,
} from './database';

/** A saved ranking: the preference row (src/core/preferences.ts) and who made it, when, where. */
export interface StoredRanking extends PreferenceRow {
  id?: number;
  presetId: string;
  /** 'person', or 'labeler' when the preset's simulated labeler ranked. */
  by: 'person' | 'labeler';
  createdAt: number;
  /** The named session it belongs to (src/lib/persistence/session-store.ts); none: the first session. */
  sessionId?: string;
}

/**
 * Any other judgement a person makes (e.g. a blind A/B choice in Evaluate),
 * kept as it happens; `kind` says what it is and `data` holds it.
 */
export interface StoredLabel {
  id?: number;
  presetId: string;
  kind: string;
  prompt: string;
  data: Record<string, unknown>;
  createdAt: number;
  sessionId?: string;
}

export interface StoredDemonstration {
  id?: number;
  presetId: string;
  prompt: string;
  response: string;
  createdAt: number;
  sessionId?: string;
}

/**
 * Writes that land together or not at all (one IndexedDB transaction):
 * rows added to the row stores (new ids), records put into the keyed ones.
 */
export interface WriteSet {
  add?: Partial<Record<RowStoreName, object[]>>;
  put?: Partial<Record<KeyedStoreName, object[]>>;
}

/** Records by preset; IndexedDB when it is there, else a Map for this session. */
export class PlaygroundStore {
  private db: Promise<IDBDatabase> | null;
  private readonly memory = new Map<StoreName, Map<number, { presetId: string }>>();
  private nextId = 1;
  persistent: boolean;
  /** Records are added to, and listed from, this session only. */
  sessionId = FIRST_SESSION;

  /** Rows of earlier interrupted imports removed when the page opened (see `removeOrphans`). */
  readonly orphansRemoved: Promise<number>;

  constructor() {
    this.persistent = typeof indexedDB !== 'undefined';
    this.db = this.persistent ? openDb() : null;
    this.db?.catch(() => {
      this.persistent = false;
      this.db = null;
    });
    // Its transaction is the first one asked for, so every later one waits for it.
    this.orphansRemoved = this.db
      ? this.db.then((db) => removeOrphans(db)).catch(() => 0)
      : Promise.resolve(0);
  }

  /** One request in its own transaction; undefined when there is no IndexedDB (use memory). */
  async withStore<T>(
    name: StoreName,
    mode: IDBTransactionMode,
    fn: (s: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T | undefined> {
    const db = this.db ? await this.db.catch(() => null) : null;
    if (!db) return undefined;
    const tx = db.transaction(name, mode);
    // A write counts as saved only once its transaction has committed.
    const done = committed(tx);
    done.catch(() => undefined); // observed below; a failed request rejects first
    const result = await request(fn(tx.objectStore(name)));
    await done;
    return result;
  }

  /**
   * Writes everything in `w` in one transaction: all of it is stored, or
   * (the page closed, the disk full) none of it. Returns the new rows' ids
   * per store, or null when there is no IndexedDB (the caller keeps them in memory).
   */
  async writeTogether(w: WriteSet): Promise<Partial<Record<RowStoreName, number[]>> | null> {
    const db = this.db ? await this.db.catch(() => null) : null;
    if (!db) return null;
    const filled = <N>(x: [N, object[]][]) => x.filter(([, rows]) => rows.length > 0);
    const adds = filled(Object.entries(w.add ?? {}) as [RowStoreName, object[]][]);
    const puts = filled(Object.entries(w.put ?? {}) as [KeyedStoreName, object[]][]);
    const names = [...adds, ...puts].map(([n]) => n);
    if (names.length === 0) return {};
    const tx = db.transaction(names, 'readwrite');
    const done = committed(tx);
    done.catch(() => undefined); // observed below
    const ids: Partial<Record<RowStoreName, number[]>> = {};
    const requests: Promise<unknown>[] = [];
    for (const [name, rows] of adds) {
      const store = tx.objectStore(name);
      const out: number[] = (ids[name] = new Array<number>(rows.length));
      rows.forEach((row, i) => {
        const req = store.add(row);
        requests.push(request(req).then((k) => (out[i] = Number(k))));
      });
    }
    for (const [name, rows] of puts) {
      const store = tx.objectStore(name);
      for (const row of rows) requests.push(request(store.put(row)));
    }
    // A failed request aborts the transaction: `done` then rejects with the reason.
    await Promise.all(requests).catch(() => undefined);
    await done;
    return ids;
  }

  private mem(name: StoreName): Map<number, { presetId: string }> {
    let m = this.memory.get(name);
    if (!m) this.memory.set(name, (m = new Map()));
    return m;
  }

  private async add<T extends { id?: number; presetId: string }>(
    name: StoreName,
    record: T,
  ): Promise<T & { id: number }> {
    const copy = structuredClone({ sessionId: this.sessionId, ...record });
    delete copy.id;
    const key = await this.withStore(name, 'readwrite', (s) => s.add(copy));
    if (key !== undefined) return { ...copy, id: Number(key) };
    const id = this.nextId++;
    this.mem(name).set(id, { ...copy, id } as T & { id: number });
    return { ...copy, id };
  }

  private async list<T>(name: StoreName, presetId: string): Promise<T[]> {
    const rows = await this.withStore(name, 'readonly', (s) =>
      s.index('presetId').getAll(IDBKeyRange.only(presetId)),
    );
    const mine = (r: { sessionId?: string }) => (r.sessionId ?? FIRST_SESSION) === this.sessionId;
    if (rows !== undefined) return (rows as { sessionId?: string }[]).filter(mine) as T[];
    const all = [...this.mem(name).values()] as { presetId: string; sessionId?: string }[];
    return all.filter((r) => r.presetId === presetId && mine(r)) as T[];
  }

  private async remove(name: StoreName, id: number): Promise<void> {
    const done = await this.withStore(name, 'readwrite', (s) => s.delete(id));
    if (done === undefined) this.mem(name).delete(id);
  }

  private async clearPreset(name: StoreName, presetId: string): Promise<void> {
    const rows = await this.list<{ id: number }>(name, presetId);
    for (const r of rows) await this.remove(name, r.id);
  }

  saveRanking(r: StoredRanking): Promise<StoredRanking & { id: number }> {
    return this.add('rankings', r);
  }
  rankings(presetId: string): Promise<StoredRanking[]> {
    return this.list('rankings', presetId);
  }
  deleteRanking(id: number): Promise<void> {
    return this.remove('rankings', id);
  }
  clearRankings(presetId: string): Promise<void> {
    return this.clearPreset('rankings', presetId);
  }

  saveDemonstration(d: StoredDemonstration): Promise<StoredDemonstration & { id: number }> {
    return this.add('demonstrations', d);
  }
  demonstrations(presetId: string): Promise<StoredDemonstration[]> {
    return this.list('demonstrations', presetId);
  }
  async updateDemonstration(d: StoredDemonstration & { id: number }): Promise<void> {
    const copy = structuredClone({ ...d });
    const done = await this.withStore('demonstrations', 'readwrite', (s) => s.put(copy));
    if (done === undefined) this.mem('demonstrations').set(d.id, copy);
  }
  deleteDemonstration(id: number): Promise<void> {
    return this.remove('demonstrations', id);
  }

  saveLabel(l: StoredLabel): Promise<StoredLabel & { id: number }> {
    return this.add('labels', l);
  }
  labels(presetId: string): Promise<StoredLabel[]> {
    return this.list('labels', presetId);
  }

  /** Every row of a kind, of every preset and session (for export, merge and deletion). */
  async all<T>(name: 'rankings' | 'demonstrations' | 'labels'): Promise<T[]> {
    const rows = await this.withStore(name, 'readonly', (s) => s.getAll());
    return (rows ?? [...this.mem(name).values()]) as T[];
  }

  /**
   * Adds many rows (to the open session unless they name one) in one
   * transaction: all are saved or none is. Returns them with their ids.
   */
  async addMany<T extends { id?: number; presetId: string; sessionId?: string }>(
    name: RowStoreName,
    rows: readonly T[],
  ): Promise<(T & { id: number })[]> {
    const copies = rows.map((r) => {
      const copy = structuredClone({ sessionId: this.sessionId, ...r });
      delete copy.id;
      return copy;
    });
    if (copies.length === 0) return [];
    const ids = await this.writeTogether({ add: { [name]: copies } });
    if (ids) return copies.map((c, i) => ({ ...c, id: ids[name]![i] }));
    return copies.map((c) => {
      const id = this.nextId++;
      this.mem(name).set(id, { ...c, id });
      return { ...c, id };
    });
  }

  /** Adds rows as they are (their sessionId included). */
  async addRaw<T extends { id?: number; presetId: string }>(
    name: 'rankings' | 'demonstrations' | 'labels',
    row: T,
  ): Promise<T & { id: number }> {
    return this.add(name, row);
  }

  deleteRow(name: 'rankings' | 'demonstrations' | 'labels', id: number): Promise<void> {
    return this.remove(name, id);
  }
}
