// UI text in English and Chinese. Every string a component shows lives in
// en.ts (the reference) and zh.ts (typed against it, so a missing translation
// is a compile error). `t` reads the current locale from a rune, so a
// template that calls it re-renders when the language changes: no store, no
// dependency. Parameters are written {name} in the messages.
import { en, type MessageKey } from './en';
import { zh } from './zh';
import { ordinalIn, pickMessage } from './format';

export type { MessageKey };
export type Locale = 'en' | 'zh';

export const LOCALES: readonly { value: Locale; label: string }[] = [
  { value: 'en', label: 'English' },
  { value: 'zh', label: '简体中文' },
];

const CATALOGS: Record<Locale, Record<MessageKey, string>> = { en, zh };

class LocaleState {
  current: Locale = $state('en');
}

export const locale = new LocaleState();

export function isLocale(x: unknown): x is Locale {
  return x === 'en' || x === 'zh';
}

/** Switches the language of the whole UI (and the document's lang, for screen readers and fonts). */
export function setLocale(l: Locale): void {
  locale.current = l;
  if (typeof document !== 'undefined') document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
}

/** The message in the current language, with {params} filled in. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const catalog = CATALOGS[locale.current];
  return pickMessage(key in catalog ? catalog : en, key, params, locale.current);
}

/** A place in a ranking in the current language: "2nd", "第2". */
export function ordinal(n: number): string {
  return ordinalIn(locale.current, n);
}

/** A number formatted for the current language (thousands separators, decimals). */
export function formatNumber(x: number, digits?: number): string {
  if (!Number.isFinite(x)) return '–';
  const opts =
    digits === undefined ? {} : { minimumFractionDigits: digits, maximumFractionDigits: digits };
  return x.toLocaleString(locale.current === 'zh' ? 'zh-CN' : 'en', opts);
}

/** A share as a whole percentage, e.g. 0.734 → "73%". */
export function percent(x: number | undefined): string {
  return x === undefined || !Number.isFinite(x) ? '–' : `${Math.round(x * 100)}%`;
}
