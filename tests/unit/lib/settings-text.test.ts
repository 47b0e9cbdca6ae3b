// The settings panel's text in Chinese: every label's default comes with its
// source in Chinese too, not in English (a reader in zh mode reads the panel).
import { describe, expect, it } from 'vitest';
import { SETTING_KEYS, SETTINGS } from '../../../src/lib/settings/settings';
import { ZH_SOURCES } from '../../../src/lib/i18n/settings-sources-zh';

// Two English words of four letters or more in a row: a sentence left untranslated.
const ENGLISH = /\b[A-Za-z]{4,} [A-Za-z]{4,}\b/;

describe('sources of the defaults, in Chinese', () => {
  it('has no English sentence (the check does find the English ones)', () => {
    expect(SETTING_KEYS.filter((k) => ENGLISH.test(SETTINGS[k].source)).length).toBeGreaterThan(15);
    expect(SETTING_KEYS.filter((k) => ENGLISH.test(ZH_SOURCES[k]))).toEqual([]);
  });

  it('keeps the numbers of the English source', () => {
    const numbers = (s: string) => (s.match(/\d+(\.\d+)?(e-\d+)?/g) ?? []).sort();
    for (const key of SETTING_KEYS) {
      expect(numbers(ZH_SOURCES[key]), key).toEqual(numbers(SETTINGS[key].source));
    }
  });
});
