// Storage failures in words: a full store is named as such, and no failure
// is left without a reason (IndexedDB's QuotaExceededError often has an
// empty message, and an aborted transaction may carry no error at all).
import { describe, expect, it } from 'vitest';
import {
  StorageProblem,
  describeStorageError,
  isQuotaError,
} from '../../../src/lib/persistence/storage-errors';
import { isSessionLike, newerSessionFormat } from '../../../src/lib/persistence/session-version';

const domError = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('describeStorageError', () => {
  it('names a quota error whose message is empty', () => {
    const e = domError('QuotaExceededError');
    expect(isQuotaError(e)).toBe(true);
    expect(describeStorageError(e)).toMatch(/storage for this site is full \(QuotaExceededError\)/);
  });

  it('recognises a quota error by its message, or as the cause of another', () => {
    expect(isQuotaError(new Error('Quota exceeded while writing'))).toBe(true);
    expect(isQuotaError(new Error('wrapped', { cause: domError('QuotaExceededError') }))).toBe(
      true,
    );
    expect(isQuotaError(domError('AbortError', 'The transaction was aborted'))).toBe(false);
  });

  it('gives every other failure a reason', () => {
    expect(describeStorageError(domError('UnknownError'))).toMatch(/UnknownError/);
    expect(describeStorageError(domError('AbortError', 'aborted'))).toBe('aborted (AbortError)');
    expect(describeStorageError(new Error('disk I/O'))).toBe('disk I/O');
    expect(describeStorageError(null)).not.toBe('');
    expect(describeStorageError(new Error(''))).not.toBe('');
  });

  it('keeps the reason and the quota flag in a StorageProblem', () => {
    const p = new StorageProblem(domError('QuotaExceededError'));
    expect(p.quota).toBe(true);
    expect(p.message).toMatch(/full/);
    expect(describeStorageError(p)).toBe(p.message);
    expect(isQuotaError(p)).toBe(true);
  });
});

describe('session file versions', () => {
  const file = (format: string) => JSON.stringify({ format, session: {}, rankings: [] });

  it('recognises a session file of any version', () => {
    expect(isSessionLike(file('rlhf-playground/session-v1'))).toBe(true);
    expect(isSessionLike(file('rlhf-playground/session-v7'))).toBe(true);
    expect(isSessionLike('{"prompt": "a", "chosen": "b", "rejected": "c"}')).toBe(false);
    expect(isSessionLike('not json')).toBe(false);
  });

  it('names a newer version, and only a newer one', () => {
    expect(newerSessionFormat(file('rlhf-playground/session-v2'))).toBe(
      'rlhf-playground/session-v2',
    );
    expect(newerSessionFormat(file('rlhf-playground/session-v1'))).toBeNull();
    expect(newerSessionFormat(`  ${file('rlhf-playground/session-v12')}`)).toBe(
      'rlhf-playground/session-v12',
    );
  });
});
