// Plural forms and ordinals of the message files, against what a reader of
// each language expects to see written.
import { describe, expect, it } from 'vitest';
import { en } from '../../../src/lib/i18n/en';
import { zh } from '../../../src/lib/i18n/zh';
import { ordinalIn, pickMessage } from '../../../src/lib/i18n/format';

describe('pickMessage', () => {
  it('takes the singular form for one in English, the plain message otherwise', () => {
    const counter = (n: number) => pickMessage(en, 'rank.counter', { n, c: 6 }, 'en');
    expect(counter(1)).toBe('1 ranking · 6 comparisons');
    expect(counter(0)).toBe('0 rankings · 6 comparisons');
    expect(counter(2)).toBe('2 rankings · 6 comparisons');
    expect(pickMessage(en, 'transfer.imported.rankings', { n: 1, kind: 'TRL' }, 'en')).toBe(
      'Imported 1 ranking (TRL)',
    );
  });

  it('has no singular in Chinese, and leaves messages without n alone', () => {
    expect(pickMessage(zh, 'rank.counter', { n: 1, c: 6 }, 'zh')).toBe('1 次排序 · 6 个比较');
    expect(pickMessage(en, 'problem.noModel', undefined, 'en')).toBe(en['problem.noModel']);
  });

  it('gives every English singular a plural to fall back on', () => {
    for (const key of Object.keys(en).filter((k) => k.endsWith('.one'))) {
      expect(key.slice(0, -'.one'.length) in en, key).toBe(true);
    }
  });
});

describe('ordinalIn', () => {
  it('writes places as each language does', () => {
    const places = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111].map((n) => ordinalIn('en', n));
    expect(places).toEqual([
      '1st',
      '2nd',
      '3rd',
      '4th',
      '11th',
      '12th',
      '13th',
      '21st',
      '22nd',
      '23rd',
      '101st',
      '111th',
    ]);
    expect(ordinalIn('zh', 2)).toBe('第2');
  });
});
