// The IndexedDB database behind storage.ts: its name, version and object
// stores (created or upgraded in openDb), promises for its requests and
// transactions, and the clean-up at open of rows whose session has no record.

const DB_NAME = 'rlhf-playground';
// 2: named sessions, with their checkpoints, metric histories and labels (session-store.ts).
// 3: rows indexed by session, so that rows whose session record is missing are found.
// 4: what the runs' policies wrote, iteration by iteration, for replaying training.
const VERSION = 4;
/** Rows from before sessions existed belong to this one. */
export const FIRST_SESSION = 'default';
/**
 * Sessions that own rows without a record of their own: the first session
 * (rows from before sessions existed; its record is made when it opens) and
 * an embedded playground's ('embed', session-keeper.svelte.ts).
 */
const RECORDLESS_SESSIONS: readonly string[] = [FIRST_SESSION, 'embed'];
export type RowStoreName = 'rankings' | 'demonstrations' | 'labels';
const ROW_STORES: readonly RowStoreName[] = ['rankings', 'demonstrations', 'labels'];
export type KeyedStoreName = 'sessions' | 'checkpoints' | 'metrics' | 'samples' | 'meta';
export type StoreName = RowStoreName | KeyedStoreName;

/** Resolves when a transaction commits; rejects when it fails or aborts. */
export function committed(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}

/** Orphans younger than this may be a copy another tab is still writing: left for a later visit. */
const ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;

/**
 * When a session id says it was made (session-store.ts `sessionId`: "s", then
 * Date.now() in base 36, eight digits until the year 2059, then a random part).
 */
export function sessionIdTime(id: unknown): number | null {
  const m = typeof id === 'string' ? /^s([0-9a-z]{8})/.exec(id) : null;
  return m ? parseInt(m[1], 36) : null;
}

/**
 * Deletes rows and checkpoints whose session has no record: what an import
 * interrupted by an earlier version (which wrote row by row, the record
 * last) left behind, never shown and never deleted. One transaction, so it
 * sees a consistent state: an import writes its record and rows together.
 * A session id made within the last hour is spared (another tab may be
 * writing a session record-last right now). Returns how many were removed.
 */
export async function removeOrphans(db: IDBDatabase, now = Date.now()): Promise<number> {
  const keyed = ['checkpoints', 'metrics', 'samples'] as const;
  const tx = db.transaction(['sessions', ...ROW_STORES, ...keyed], 'readwrite');
  const done = committed(tx);
  let removed = 0;
  const known = new Set<unknown>([
    ...RECORDLESS_SESSIONS,
    ...(await request(tx.objectStore('sessions').getAllKeys())),
  ]);
  const orphan = (id: unknown) => {
    if (known.has(id)) return false;
    const made = sessionIdTime(id);
    return made === null || now - made > ORPHAN_MIN_AGE_MS;
  };
  const deletions: Promise<unknown>[] = [];
  for (const name of ROW_STORES) {
    const index = tx.objectStore(name).index('sessionId');
    // One key per session (nextunique), then every row of an orphaned one.
    const ids = await new Promise<IDBValidKey[]>((resolve, reject) => {
      const out: IDBValidKey[] = [];
      const cursor = index.openKeyCursor(null, 'nextunique');
      cursor.onsuccess = () => {
        const c = cursor.result;
        if (!c) return resolve(out);
        out.push(c.key);
        c.continue();
      };
      cursor.onerror = () => reject(cursor.error ?? new Error('IndexedDB cursor failed'));
    });
    for (const id of ids.filter(orphan)) {
      const keys = await request(index.getAllKeys(IDBKeyRange.only(id)));
      removed += keys.length;
      for (const k of keys) deletions.push(request(tx.objectStore(name).delete(k)));
    }
  }
  for (const name of keyed) {
    const keys = (await request(tx.objectStore(name).getAllKeys())) as IDBValidKey[][];
    for (const k of keys.filter((k) => orphan(k[0]))) {
      removed++;
      deletions.push(request(tx.objectStore(name).delete(k)));
    }
  }
  await Promise.all(deletions);
  await done;
  return removed;
}

export function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
  });
}

export function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, VERSION);
    req.onupgradeneeded = () => {
      const db = req.result;
      for (const name of ROW_STORES) {
        const store = db.objectStoreNames.contains(name)
          ? req.transaction!.objectStore(name)
          : db.createObjectStore(name, { keyPath: 'id', autoIncrement: true });
        if (!store.indexNames.contains('presetId')) store.createIndex('presetId', 'presetId');
        // Rows from before sessions existed have no sessionId and stay out of this index.
        if (!store.indexNames.contains('sessionId')) store.createIndex('sessionId', 'sessionId');
      }
      // One row per session, per (session, model) checkpoint, per (session, run) history
      // and per (session, run, step) iteration's answers.
      const keyed = {
        sessions: 'id',
        checkpoints: ['sessionId', 'name'],
        metrics: ['sessionId', 'run'],
        samples: ['sessionId', 'run', 'step'],
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
