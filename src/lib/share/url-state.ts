// The playground's state in a URL, derived from the settings table (as
// tensorflow/playground's state.ts does): every hyperparameter of
// src/lib/settings/settings.ts plus the keys of url-params.ts. A share link carries it in the
// hash (`#preset=happy-endings&stage=rank&ppo.lr=3e-4`); the query is read too
// (`?embed=1`, `?backend=wasm`), the hash winning where both give a key.
//
// A link is untrusted text. Decoding never throws and never runs anything: a
// number out of range is clamped, a whole number is rounded, a value that is
// not one is dropped for the default, an unknown key is ignored, and each of
// those becomes a sentence the page shows.
import {
  SETTINGS,
  SETTING_KEYS,
  NUMBER_TEXT,
  rangeText,
  formatValue,
  type NumberSpec,
  type SettingKey,
  type Settings,
} from '../settings/settings';
import { english, type Translate } from '../i18n/format';
import {
  URL_PARAMS,
  type ParamSpec,
  type ShareState,
  type UrlParam,
  type UrlState,
} from './url-params';

export interface Decoded {
  state: UrlState;
  /** Sentences: what was clamped, dropped or ignored. Empty for a clean link. */
  problems: string[];
}

/** Longer URLs are cut here (a link is a few hundred characters; this is not a data channel). */
export const MAX_URL_CHARS = 8192;
const MAX_VALUE_CHARS = 256;

/** Text from the URL, made safe to quote in a sentence: no control characters, bounded. */
export function quote(raw: string, max = 40): string {
  // eslint-disable-next-line no-control-regex -- stripping control characters is the point
  const clean = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028-\u202e]/g, '');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

const ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The smallest value above an exclusive minimum that a person could type (e.g. top-p 0.05). */
function lowest(spec: NumberSpec): number {
  return spec.minExclusive ? spec.min + (spec.step ?? 1e-3) : spec.min;
}

/** A number for a setting: rounded if it must be whole, clamped into range; with what was done. */
export function clampSetting(
  key: SettingKey,
  value: number,
  tr: Translate = english,
): { value: number; note?: string } {
  const spec = SETTINGS[key] as NumberSpec;
  let v = value;
  const notes: string[] = [];
  if (spec.kind === 'int' && !Number.isInteger(v)) {
    v = Math.round(v);
    notes.push(tr('link.rounded', { value: v }));
  }
  const lo = lowest(spec);
  const tooLow = spec.minExclusive ? v <= spec.min : v < spec.min;
  if (tooLow || v > spec.max) {
    v = tooLow ? lo : spec.max;
    notes.length = 0;
    notes.push(tr('link.clampedRange', { range: rangeText(spec, tr), value: formatValue(key, v) }));
  }
  return notes.length ? { value: v, note: notes.join(', ') } : { value: v };
}

function isSettingKey(k: string): k is SettingKey {
  return Object.prototype.hasOwnProperty.call(SETTINGS, k);
}

function isParam(k: string): k is UrlParam {
  return Object.prototype.hasOwnProperty.call(URL_PARAMS, k);
}

/** A browser origin (`https://blog.example`), or null if `raw` is not exactly one. */
export function parseOrigin(raw: string): string | null {
  try {
    const u = new URL(raw);
    if (u.protocol !== 'https:' && u.protocol !== 'http:') return null;
    return u.origin === raw.replace(/\/$/, '') ? u.origin : null;
  } catch {
    return null;
  }
}

/** The key/value pairs of the query, then of the hash (later ones win). */
function entries(search: string, hash: string): { pairs: [string, string][]; cut: boolean } {
  const q = search.replace(/^\?/, '');
  const h = hash.replace(/^#/, '');
  const total = q.length + h.length;
  const clip = (s: string, room: number) => s.slice(0, Math.max(0, room));
  const query = clip(q, MAX_URL_CHARS);
  const fragment = clip(h, MAX_URL_CHARS - query.length);
  return {
    pairs: [...new URLSearchParams(query), ...new URLSearchParams(fragment)],
    cut: total > MAX_URL_CHARS,
  };
}

/**
 * What stays in effect when a link's value for `key` is dropped: a value an
 * earlier key of the same link gave (`?ppo.lr=3e-4#ppo.lr=abc` keeps 3e-4),
 * else the session's saved value or, without one, the default.
 */
function keptValue(key: SettingKey, settings: Partial<Settings>, tr: Translate): string {
  const earlier = settings[key];
  if (earlier !== undefined) return tr('link.keptEarlier', { value: formatValue(key, earlier) });
  return tr('link.keptSaved', { value: formatValue(key, SETTINGS[key].default) });
}

function decodeSetting(
  key: SettingKey,
  raw: string,
  settings: Partial<Settings>,
  problems: string[],
  tr: Translate,
): void {
  const spec = SETTINGS[key];
  const kv = `${key}=${quote(raw)}`;
  const text = raw.trim();
  const out = settings as Record<SettingKey, number | string>;
  if (spec.kind === 'choice') {
    if (spec.options.some((o) => o.value === text)) out[key] = text;
    else {
      const options = spec.options.map((o) => o.value).join(', ');
      problems.push(tr('link.notOneOf', { kv, options, kept: keptValue(key, settings, tr) }));
    }
    return;
  }
  if (!NUMBER_TEXT.test(text) || !Number.isFinite(Number(text))) {
    problems.push(tr('link.notNumberKept', { kv, kept: keptValue(key, settings, tr) }));
    return;
  }
  const { value, note } = clampSetting(key, Number(text), tr);
  out[key] = value;
  if (note) problems.push(`${kv} ${note}`);
}

function decodeParam(
  key: UrlParam,
  raw: string,
  state: UrlState,
  problems: string[],
  tr: Translate,
): void {
  const spec: ParamSpec = URL_PARAMS[key];
  const kv = `${key}=${quote(raw)}`;
  const text = raw.trim();
  const target = state as unknown as Record<string, unknown>;
  switch (spec.kind) {
    case 'internal':
      return;
    case 'flag':
      if (text === '1' || text === 'true' || text === '') target[key] = true;
      else if (text === '0' || text === 'false') target[key] = false;
      else problems.push(tr('link.expectedFlag', { kv }));
      return;
    case 'id':
      if (ID.test(text) && text.length <= 64) target[key] = text;
      else problems.push(tr('link.notPresetName', { kv }));
      return;
    case 'origin': {
      const origin = parseOrigin(text);
      if (origin) target[key] = origin;
      else problems.push(tr('link.expectedOrigin', { kv }));
      return;
    }
    case 'choice': {
      const value = spec.normalise ? spec.normalise(text) : text;
      if (spec.options.includes(value)) target[key] = value;
      else if (spec.expected) problems.push(`${kv} ${tr(spec.expected)}`);
      else problems.push(tr('link.expectedOptions', { kv, options: spec.options.join(', ') }));
      return;
    }
    case 'int': {
      if (!NUMBER_TEXT.test(text)) {
        problems.push(tr('link.notNumber', { kv }));
        return;
      }
      const n = Math.round(Number(text));
      const v = Math.min(spec.max, Math.max(spec.min, n));
      target[key] = v;
      if (v !== Number(text)) problems.push(tr('link.clamped', { kv, value: v }));
      return;
    }
    case 'list': {
      const items = [...new Set(text.split(',').map((s) => s.trim()))].filter(Boolean);
      const known = items.filter((s) => spec.options.includes(s));
      const unknown = items.filter((s) => !spec.options.includes(s));
      target[key] = known;
      if (unknown.length > 0) {
        const list = unknown.map((u) => `“${quote(u, 24)}”`).join(', ');
        problems.push(tr('link.unknownItems', { key, items: list }));
      }
      return;
    }
  }
}

/** Reads a URL's query and hash; never throws. */
export function decodeUrlState(search: string, hash = '', tr: Translate = english): Decoded {
  const state: UrlState = { settings: {} };
  const problems: string[] = [];
  const { pairs, cut } = entries(search, hash);
  if (cut) problems.push(tr('link.tooLong', { max: MAX_URL_CHARS }));
  const unknown: string[] = [];
  for (const [key, value] of pairs) {
    if (value.length > MAX_VALUE_CHARS) {
      problems.push(tr('link.longValue', { key: quote(key), n: value.length }));
    } else if (isSettingKey(key)) decodeSetting(key, value, state.settings, problems, tr);
    else if (isParam(key)) decodeParam(key, value, state, problems, tr);
    else unknown.push(key);
  }
  const distinct = [...new Set(unknown)];
  if (distinct.length > 0) {
    const shown = distinct.slice(0, 5).map((k) => `“${quote(k, 24)}”`);
    const more = distinct.length > 5 ? tr('link.more', { n: distinct.length - 5 }) : '';
    problems.push(tr('link.unknownKeys', { n: distinct.length, keys: shown.join(', '), more }));
  }
  return { state, problems };
}

/** One sentence for the notice a link's problems make. */
export function describeProblems(problems: readonly string[], tr: Translate = english): string {
  return tr('link.adjusted', { list: problems.join('; ') });
}

/**
 * The hash (without '#') that reproduces `s`: settings only where they differ
 * from the defaults (short links), the rest only where not the default.
 */
export function encodeUrlState(s: ShareState): string {
  const p = new URLSearchParams();
  p.set('preset', s.preset);
  p.set('stage', s.stage);
  if (s.seed !== 1) p.set('seed', String(s.seed));
  if (s.lang) p.set('lang', s.lang);
  if (s.theme && s.theme !== 'auto') p.set('theme', s.theme);
  if (s.backend && s.backend !== 'auto') p.set('backend', s.backend);
  if (s.model && s.model !== 'auto') p.set('model', s.model);
  if (s.optimise && s.optimise !== 'both') p.set('optimise', s.optimise);
  if (s.hide && s.hide.length > 0) p.set('hide', s.hide.join(','));
  for (const key of SETTING_KEYS) {
    if (s.settings[key] !== SETTINGS[key].default) p.set(key, formatValue(key, s.settings[key]));
  }
  // URLSearchParams escapes ',' in lists; a link reads better without it.
  return p.toString().replace(/%2C/g, ',');
}
