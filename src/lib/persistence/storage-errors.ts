// Storage failures in words. IndexedDB reports a full disk or an exhausted
// site quota as a DOMException named QuotaExceededError, often with an empty
// message, and an aborted transaction may carry no error at all: shown as
// they come, the person reads "could not be saved ()". Every failure here
// gets a sentence, and a full store is recognised as such so that the page
// can offer to make room (export, then delete old sessions).
// Plain TypeScript: the sentences come from a translation function (the
// page's `t`; English by default, as in Node tests).
import { en, type MessageKey } from '../i18n/en';
import { fill } from '../i18n/format';
import { PlaygroundStore, type WriteSet } from './storage';

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;

const english: Translate = (key, params) => fill(en[key], params);

/** Whether an error says the browser's storage for this site is full. */
export function isQuotaError(e: unknown): boolean {
  if (e instanceof StorageProblem) return e.quota;
  const name = (e as { name?: unknown } | null)?.name;
  const text = (e as { message?: unknown } | null)?.message;
  if (name === 'QuotaExceededError') return true;
  if (typeof text === 'string' && /quota|disk.*full|full.*disk/i.test(text)) return true;
  const cause = (e as { cause?: unknown } | null)?.cause;
  return cause !== undefined && cause !== e && isQuotaError(cause);
}

/** A storage failure as a sentence: never empty, the quota named as such. */
export function describeStorageError(e: unknown, t: Translate = english): string {
  if (e instanceof StorageProblem) return e.message;
  if (isQuotaError(e)) return t('storage.quota');
  const name = (e as { name?: unknown } | null)?.name;
  const text = (e as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text.trim() : e == null ? '' : String(e);
  const named = typeof name === 'string' && name !== '' && name !== 'Error' ? name : '';
  if (message !== '' && message !== '[object Object]') {
    return named && !message.includes(named) ? `${message} (${named})` : message;
  }
  return named ? t('storage.unnamed', { name: named }) : t('storage.unknown');
}

/** A storage failure with its sentence as the message; `quota` when the store is full. */
export class StorageProblem extends Error {
  readonly quota: boolean;
  constructor(cause: unknown, t: Translate = english) {
    super(describeStorageError(cause, t), { cause });
    this.name = 'StorageProblem';
    this.quota = isQuotaError(cause);
  }
}

/**
 * The playground's IndexedDB store, with every failure turned into a
 * StorageProblem (a named reason), and a full store reported once to
 * `onQuota` so the page can say what to do about it.
 */
export class NamedErrorStore extends PlaygroundStore {
  /** Called when a write fails because the store is full. */
  onQuota: (() => void) | null = null;

  constructor(private readonly t: Translate = english) {
    super();
  }

  private named(e: unknown): StorageProblem {
    const problem = e instanceof StorageProblem ? e : new StorageProblem(e, this.t);
    if (problem.quota) this.onQuota?.();
    return problem;
  }

  override async withStore<T>(
    name: Parameters<PlaygroundStore['withStore']>[0],
    mode: IDBTransactionMode,
    fn: (s: IDBObjectStore) => IDBRequest<T>,
  ): Promise<T | undefined> {
    try {
      return await super.withStore(name, mode, fn);
    } catch (e) {
      throw this.named(e);
    }
  }

  override async writeTogether(w: WriteSet): ReturnType<PlaygroundStore['writeTogether']> {
    try {
      return await super.writeTogether(w);
    } catch (e) {
      throw this.named(e);
    }
  }
}
