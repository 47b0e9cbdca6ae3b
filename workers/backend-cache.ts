// The backend choice per device, kept in IndexedDB so that the next load does
// not measure again (measuring a software WebGPU adapter costs seconds).
// A database of its own: the app's persistence can version its schema freely.
import type { BackendReport } from './backend-decision';

const DB = 'rlhf-playground-backend';
const STORE = 'choices';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('indexedDB.open failed'));
  });
}

async function run<T>(
  mode: IDBTransactionMode,
  fn: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = fn(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error ?? new Error('IndexedDB request failed'));
    });
  } finally {
    db.close();
  }
}

/** The cached report for `key`, or null (also when IndexedDB is unavailable: private mode). */
export async function readChoice(key: string): Promise<BackendReport | null> {
  if (typeof indexedDB === 'undefined') return null;
  try {
    return ((await run('readonly', (s) => s.get(key))) as BackendReport | undefined) ?? null;
  } catch {
    return null;
  }
}

export async function writeChoice(key: string, report: BackendReport): Promise<void> {
  if (typeof indexedDB === 'undefined') return;
  try {
    await run('readwrite', (s) => s.put(report, key));
  } catch {
    // A cache that cannot be written only costs a measurement next time.
  }
}
