// Fills {name} parameters into a message. Plain TypeScript (no runes), so code
// that also runs outside Svelte, in Node tests, can format messages too.
import { en, type MessageKey } from './en';

/** A message catalogue lookup: the page passes `t` (its language); the default is English. */
export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
export const english: Translate = (key, params) => pickMessage(en, key, params, 'en');

export function fill(message: string, params?: Record<string, string | number>): string {
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

const PLURAL_RULES = new Map<string, Intl.PluralRules>();

/** One `Intl.PluralRules` per language: `t` runs on every render. */
function pluralRules(lang: string): Intl.PluralRules {
  let rules = PLURAL_RULES.get(lang);
  if (!rules) PLURAL_RULES.set(lang, (rules = new Intl.PluralRules(lang)));
  return rules;
}

/**
 * The message for `key` in a catalogue, filled. Where `params.n` is a number
 * and the catalogue has the plural form the language uses for it
 * (`Intl.PluralRules`: `key.one`, ...), that form: "1 ranking", "2 rankings".
 */
export function pickMessage(
  catalog: Readonly<Record<string, string>>,
  key: string,
  params: Record<string, string | number> | undefined,
  lang: string,
): string {
  const n = params?.n;
  if (typeof n === 'number') {
    const form = catalog[`${key}.${pluralRules(lang).select(n)}`];
    if (form !== undefined) return fill(form, params);
  }
  return fill(catalog[key], params);
}

const EN_ORDINAL: Record<string, string> = { one: 'st', two: 'nd', few: 'rd', other: 'th' };
const EN_ORDINAL_RULES = new Intl.PluralRules('en', { type: 'ordinal' });

/** A place in a ranking: "1st", "2nd", "11th" in English, "第1" in Chinese. */
export function ordinalIn(lang: string, n: number): string {
  if (lang.startsWith('zh')) return `第${n}`;
  return `${n}${EN_ORDINAL[EN_ORDINAL_RULES.select(n)]}`;
}
