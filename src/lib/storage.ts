// The person's work, kept in IndexedDB the moment it is made: rankings (each
// becomes C(K,2) comparisons for the reward model) and demonstrations they
// wrote. Plain `indexedDB`, no wrapper library. When IndexedDB is missing
// (some private modes) everything still works for the session, in memory,
// and `persistent` says so, so the page can tell the person.

export interface StoredRanking {
  id?: number;
  presetId: string;
  prompt: string;
  /** The K completions in the order they were shown. */
  samples: string[];
  /** ranks[i] = place of samples[i], 0 = best; equal places are ties. */
  ranks: number[];
  /** 'person', or 'labeler' when the preset's simulated labeler ranked. */
  by: 'person' | 'labeler';
  /** 1–7 grades, when the samples were graded rather than ranked (`ranks` then follows them). */
  grades?: number[];
  createdAt: number;
  /** The named session it belongs to (src/lib/session-store.ts); none: the first session. */
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

const DB_NAME = 'rlhf-playground';
// 2: named sessions, with their checkpoints, metric histories and labels (session-store.ts).
const VERSION = 2;
/** Rows from before sessions existed belong to this one. */
export const FIRST_SESSION = 'default';
type StoreName =
  'rankings' | 'demonstrations' | 'labels' | 'sessions' | 'checkpoints' | 'metrics' | 'meta';

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of ['rankings', 'demonstrations', 'labels'] as const) {
        if (!db.objectStoreNames.contains(name)) {
          const store = db.createObjectStore(name, { keyPath: 'id', autoIncrement: true });
          store.createIndex('presetId', 'presetId');
        }
      }
      // One row per session, per (session, model) checkpoint and per (session, run) history.
      const keyed = {
        sessions: 'id',
        checkpoints: ['sessionId', 'name'],
        metrics: ['sessionId', 'run'],
        meta: 'key',
      };
      for (const [name, keyPath] of Object.entries(keyed)) {
        if (!db.objectStoreNames.contains(name)) db.createObjectStore(name, { keyPath });
      }
    };
    req.onsuccess = () => {
      // Another tab opening a newer version must not wait for this one to close.
      req.result.onversionchange = () => req.result.close();
      resolve(req.result);
    };
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
    req.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
  });
}

/** Records by preset; IndexedDB when it is there, else a Map for this session. */
export class PlaygroundStore {
  private db: Promise<IDBDatabase> | null;
  private readonly memory = new Map<StoreName, Map<number, { presetId: string }>>();
  private nextId = 1;
  persistent: boolean;
  /** Records are added to, and listed from, this session only. */
  sessionId = FIRST_SESSION;

  constructor() {
    this.persistent = typeof indexedDB !== 'undefined';
    this.db = this.persistent ? openDb() : null;
    this.db?.catch(() => {
      this.persistent = false;
      this.db = null;
    });
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
    const committed = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
    });
    committed.catch(() => undefined); // observed below; a failed request rejects first
    const result = await request(fn(tx.objectStore(name)));
    await committed;
    return result;
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
