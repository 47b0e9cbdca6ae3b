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
  createdAt: number;
}

export interface StoredDemonstration {
  id?: number;
  presetId: string;
  prompt: string;
  response: string;
  createdAt: number;
}

const DB_NAME = 'rlhf-playground';
const VERSION = 1;
type StoreName = 'rankings' | 'demonstrations';

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
      for (const name of ['rankings', 'demonstrations'] as const) {
        if (!db.objectStoreNames.contains(name)) {
          const store = db.createObjectStore(name, { keyPath: 'id', autoIncrement: true });
          store.createIndex('presetId', 'presetId');
        }
      }
    };
    req.onsuccess = () => resolve(req.result);
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

  constructor() {
    this.persistent = typeof indexedDB !== 'undefined';
    this.db = this.persistent ? openDb() : null;
    this.db?.catch(() => {
      this.persistent = false;
      this.db = null;
    });
  }

  private async withStore<T>(
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
    const copy = structuredClone({ ...record });
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
    if (rows !== undefined) return rows as T[];
    return [...this.mem(name).values()].filter((r) => r.presetId === presetId) as T[];
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
}
