// A whole session as one JSON file: its record, rankings, demonstrations,
// labels, metric histories and checkpoints (safetensors bytes in base64).
// Reading one back checks every field before anything is stored; rows with
// problems are listed by their place in the file ("rankings[3]: …").
import { checkpointProblem } from './checkpoint-check';
import { MAX_RESPONSE_CHARS } from '../stages/demonstrations';
import type { RunMetrics } from '../share/export-formats';
import { en, type MessageKey } from '../i18n/en';
import { fill } from '../i18n/format';
import { MAX_RANKINGS } from '../stages/reward-data';
import { checkValue, SETTING_KEYS, type SettingKey, type Settings } from '../settings/settings';
import {
  RUN_NAMES,
  newSessionRecord,
  type RunName,
  type SessionRecord,
  type SessionStore,
  type StoredCheckpoint,
  type StoredMetrics,
} from './session-store';
import { isStageId } from '../stages/stages';
import type { StoredDemonstration, StoredLabel, StoredRanking } from './storage';

export const SESSION_FORMAT = 'rlhf-playground/session-v1';
/** Checkpoints make sessions large (a nano model is ~3 MB, in base64 ~4 MB each). */
export const SESSION_MAX_BYTES = 256 * 1024 * 1024;

type Row<T> = Omit<T, 'id' | 'sessionId'>;

export interface SessionFile {
  format: typeof SESSION_FORMAT;
  exportedAt: string;
  session: Omit<SessionRecord, 'id'>;
  rankings: Row<StoredRanking>[];
  demonstrations: Row<StoredDemonstration>[];
  labels: Row<StoredLabel>[];
  metrics: Record<string, RunMetrics>;
  checkpoints: Partial<Record<RunName, { step: number; fixed?: boolean; data: string }>>;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  const chunk = 0x8000;
  for (let i = 0; i < bytes.length; i += chunk) {
    binary += String.fromCharCode(...bytes.subarray(i, i + chunk));
  }
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

const strip = <T extends { id?: number; sessionId?: string }>(r: T): Row<T> => {
  const { id: _id, sessionId: _s, ...rest } = r;
  return rest;
};

export function buildSessionFile(parts: {
  session: SessionRecord;
  rankings: StoredRanking[];
  demonstrations: StoredDemonstration[];
  labels: StoredLabel[];
  metrics: StoredMetrics[];
  checkpoints: StoredCheckpoint[];
}): SessionFile {
  const { id: _id, ...session } = parts.session;
  const checkpoints: SessionFile['checkpoints'] = {};
  for (const c of parts.checkpoints) {
    checkpoints[c.name] = { step: c.step, fixed: c.fixed, data: toBase64(c.bytes) };
  }
  return {
    format: SESSION_FORMAT,
    exportedAt: new Date().toISOString(),
    session,
    rankings: parts.rankings.map(strip),
    demonstrations: parts.demonstrations.map(strip),
    labels: parts.labels.map(strip),
    metrics: Object.fromEntries(parts.metrics.map((m) => [m.run, m.series])),
    checkpoints,
  };
}

export interface ParsedSession {
  file: SessionFile;
  /** Rows (by their place in the file) that were left out, and why. */
  problems: string[];
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
const isText = (x: unknown, max = MAX_RESPONSE_CHARS * 4): x is string =>
  typeof x === 'string' && x.length <= max;
const isCount = (x: unknown): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1e9;
const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
const PRESET_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

function rankingProblem(r: unknown): string | null {
  if (!isRecord(r)) return 'is not an object';
  if (!isText(r.presetId, 64) || !PRESET_ID.test(r.presetId)) return 'has no valid presetId';
  if (!isText(r.prompt) || r.prompt === '') return 'needs a prompt (a string)';
  const { samples, ranks } = r;
  if (!Array.isArray(samples) || samples.length < 2 || samples.length > 9) {
    return 'needs 2 to 9 samples';
  }
  if (!samples.every((s) => isText(s))) return 'has a sample that is not a string';
  if (!Array.isArray(ranks) || ranks.length !== samples.length) return 'needs one rank per sample';
  if (!ranks.every((x) => isCount(x) && x < samples.length)) return 'has a rank out of range';
  if (r.by !== 'person' && r.by !== 'labeler') return 'has “by” other than person or labeler';
  const { grades } = r;
  if (grades !== undefined) {
    const ok =
      Array.isArray(grades) &&
      grades.length === samples.length &&
      grades.every((g) => isCount(g) && g >= 1 && g <= 7);
    if (!ok) return 'has grades that are not one 1–7 grade per sample';
  }
  if (!isTime(r.createdAt)) return 'has no createdAt time';
  return null;
}

function demonstrationProblem(d: unknown): string | null {
  if (!isRecord(d)) return 'is not an object';
  if (!isText(d.presetId, 64) || !PRESET_ID.test(d.presetId)) return 'has no valid presetId';
  if (!isText(d.prompt) || d.prompt === '') return 'needs a prompt (a string)';
  if (!isText(d.response) || d.response === '') return 'needs a response (a string)';
  if (!isTime(d.createdAt)) return 'has no createdAt time';
  return null;
}

function labelProblem(l: unknown): string | null {
  if (!isRecord(l)) return 'is not an object';
  if (!isText(l.presetId, 64) || !PRESET_ID.test(l.presetId)) return 'has no valid presetId';
  if (!isText(l.kind, 64) || !isText(l.prompt)) return 'needs a kind and a prompt (strings)';
  if (!isRecord(l.data)) return 'needs data (an object)';
  if (!isTime(l.createdAt)) return 'has no createdAt time';
  return null;
}

function seriesOk(s: unknown): s is { x: number[]; y: (number | null)[] } {
  return (
    isRecord(s) &&
    Array.isArray(s.x) &&
    Array.isArray(s.y) &&
    s.x.length === s.y.length &&
    s.x.every(isCount) &&
    s.y.every((v) => v === null || typeof v === 'number')
  );
}

/** The record's fields, each checked; what is wrong takes the default and is reported. */
function checkSession(raw: unknown, problems: string[]): Omit<SessionRecord, 'id'> {
  const { id: _id, ...fresh } = newSessionRecord('', 'Imported session');
  if (!isRecord(raw)) {
    problems.push('session: missing; defaults used');
    return fresh;
  }
  const s = { ...fresh };
  if (isText(raw.name, 120) && raw.name.trim() !== '') s.name = raw.name.trim();
  if (raw.presetId === null || (isText(raw.presetId, 64) && PRESET_ID.test(raw.presetId))) {
    s.presetId = raw.presetId as string | null;
  }
  if (['auto', 'nano', 'micro', 'tiny'].includes(raw.modelChoice as string)) {
    s.modelChoice = raw.modelChoice as SessionRecord['modelChoice'];
  }
  if (raw.modelKey === null || isText(raw.modelKey, 300))
    s.modelKey = raw.modelKey as string | null;
  if (isStageId(raw.stage as string)) s.stage = raw.stage as SessionRecord['stage'];
  if (isCount(raw.seed)) s.seed = raw.seed;
  if (['ppo', 'rrhf', 'both'].includes(raw.optimiseMode as string)) {
    s.optimiseMode = raw.optimiseMode as SessionRecord['optimiseMode'];
  }
  s.sftFixed = raw.sftFixed === true;
  s.rmReady = raw.rmReady === true;
  if (isTime(raw.createdAt)) s.createdAt = raw.createdAt;
  const settings: Partial<Settings> = {};
  if (isRecord(raw.settings)) {
    for (const [k, v] of Object.entries(raw.settings)) {
      if (!SETTING_KEYS.includes(k as SettingKey)) {
        problems.push(`session.settings.${k}: unknown setting ignored`);
        continue;
      }
      const r = checkValue(k as SettingKey, v);
      if (r.ok) (settings as Record<string, unknown>)[k] = r.value;
      else problems.push(`session.settings.${k}: ${r.problem} Default used.`);
    }
  }
  s.settings = settings;
  if (isRecord(raw.runs)) {
    for (const run of RUN_NAMES) {
      const r = raw.runs[run];
      if (isRecord(r) && isCount(r.step) && isCount(r.total))
        s.runs[run] = { step: r.step, total: r.total };
    }
  }
  return s;
}

export type Translate = (key: MessageKey, params?: Record<string, string | number>) => string;
const english: Translate = (key, params) => fill(en[key], params);

/** The version a session file format names ("rlhf-playground/session-v3" → 3), or null. */
export function sessionFormatVersion(format: string): number | null {
  const m = /^rlhf-playground\/session-v(\d+)$/.exec(format);
  return m ? Number(m[1]) : null;
}

/**
 * Parses a session file. Throws an Error when it is not one at all, or when
 * it holds more rankings for a preset than a session may (MAX_RANKINGS);
 * otherwise returns the valid parts and a list of what was left out.
 */
export function parseSessionFile(text: string, tr: Translate = english): ParsedSession {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`The file is not valid JSON (${(e as Error).message}).`, { cause: e });
  }
  if (!isRecord(raw) || raw.format !== SESSION_FORMAT) {
    const format = isRecord(raw) ? raw.format : undefined;
    const ours = sessionFormatVersion(SESSION_FORMAT)!;
    if (typeof format === 'string' && (sessionFormatVersion(format) ?? 0) > ours) {
      throw new Error(tr('session.newerFile', { format, ours: SESSION_FORMAT }));
    }
    throw new Error(
      `The file is not a playground session (expected "format": "${SESSION_FORMAT}").`,
    );
  }
  const problems: string[] = [];
  const rows = <T>(name: string, check: (x: unknown) => string | null): T[] => {
    const list = raw[name];
    if (list === undefined) return [];
    if (!Array.isArray(list)) {
      problems.push(`${name}: not a list; none imported`);
      return [];
    }
    return list.filter((x, i) => {
      const p = check(x);
      if (p) problems.push(`${name}[${i}] ${p}`);
      return !p;
    }) as T[];
  };
  // Only the known fields travel on (absent optional ones stay absent).
  const pick = <T extends Record<string, unknown>>(x: T, keys: readonly string[]) =>
    Object.fromEntries(keys.filter((k) => x[k] !== undefined).map((k) => [k, x[k]]));
  const rankings = rows<Record<string, unknown>>('rankings', rankingProblem).map(
    (r) =>
      pick(r, [
        'presetId',
        'prompt',
        'samples',
        'ranks',
        'grades',
        'by',
        'createdAt',
      ]) as Row<StoredRanking>,
  );
  const perPreset = new Map<string, number>();
  for (const r of rankings) perPreset.set(r.presetId, (perPreset.get(r.presetId) ?? 0) + 1);
  for (const [preset, n] of perPreset) {
    if (n > MAX_RANKINGS) {
      const number = (x: number) => x.toLocaleString('en');
      throw new Error(
        tr('import.sessionTooManyRankings', { n: number(n), preset, limit: number(MAX_RANKINGS) }),
      );
    }
  }
  const demonstrations = rows<Record<string, unknown>>('demonstrations', demonstrationProblem).map(
    (d) => pick(d, ['presetId', 'prompt', 'response', 'createdAt']) as Row<StoredDemonstration>,
  );
  const labels = rows<Record<string, unknown>>('labels', labelProblem).map(
    (l) => pick(l, ['presetId', 'kind', 'prompt', 'data', 'createdAt']) as Row<StoredLabel>,
  );
  const metrics: Record<string, RunMetrics> = {};
  if (isRecord(raw.metrics)) {
    for (const [run, byName] of Object.entries(raw.metrics)) {
      if (!RUN_NAMES.includes(run as RunName) || !isRecord(byName)) {
        problems.push(`metrics.${run}: not a run of this playground; left out`);
        continue;
      }
      metrics[run] = {};
      for (const [name, s] of Object.entries(byName)) {
        if (seriesOk(s)) metrics[run][name] = { x: s.x, y: s.y.map((v) => v ?? NaN) };
        else problems.push(`metrics.${run}.${name}: malformed series; left out`);
      }
    }
  }
  const checkpoints: SessionFile['checkpoints'] = {};
  if (isRecord(raw.checkpoints)) {
    for (const [name, c] of Object.entries(raw.checkpoints)) {
      if (
        !RUN_NAMES.includes(name as RunName) ||
        !isRecord(c) ||
        !isCount(c.step) ||
        typeof c.data !== 'string'
      ) {
        problems.push(`checkpoints.${name}: malformed; left out`);
        continue;
      }
      let problem: string | null;
      try {
        problem = checkpointProblem(fromBase64(c.data));
      } catch {
        problem = 'The checkpoint is not valid base64.';
      }
      if (problem) {
        problems.push(`checkpoints.${name}: ${problem} Left out.`);
        continue;
      }
      checkpoints[name as RunName] = { step: c.step, fixed: c.fixed === true, data: c.data };
    }
  }
  const file: SessionFile = {
    format: SESSION_FORMAT,
    exportedAt: typeof raw.exportedAt === 'string' ? raw.exportedAt.slice(0, 40) : '',
    session: checkSession(raw.session, problems),
    rankings,
    demonstrations,
    labels,
    metrics,
    checkpoints,
  };
  return { file, problems };
}

/**
 * Stores a parsed session file as the new session `rec`: its record, rows,
 * metric histories and checkpoints in one IndexedDB transaction, so a page
 * closed mid-way leaves the whole session or nothing, never rows of a
 * session that does not exist.
 */
export async function storeSessionFile(
  sessions: SessionStore,
  rec: SessionRecord,
  file: SessionFile,
): Promise<void> {
  const id = rec.id;
  const now = Date.now();
  const metrics: StoredMetrics[] = Object.entries(file.metrics).map(([run, series]) => ({
    sessionId: id,
    run,
    series,
    savedAt: now,
  }));
  const checkpoints: StoredCheckpoint[] = [];
  for (const name of RUN_NAMES) {
    const c = file.checkpoints[name];
    if (!c) continue;
    const stored: StoredCheckpoint = {
      sessionId: id,
      name,
      step: c.step,
      bytes: fromBase64(c.data),
      savedAt: now,
    };
    if (name === 'sft') stored.fixed = c.fixed === true;
    checkpoints.push(stored);
  }
  const mine = <T extends object>(r: T) => ({ ...r, sessionId: id });
  const rankings = file.rankings.map(mine);
  const demonstrations = file.demonstrations.map(mine);
  const labels = file.labels.map(mine);
  await sessions.putWhole({
    record: rec,
    rows: { rankings, demonstrations, labels },
    metrics,
    checkpoints,
  });
}

/** Whether a file's text is a session file (one JSON object with our format) rather than JSONL. */
export function isSessionText(text: string): boolean {
  if (!/^\s*\{/.test(text)) return false;
  try {
    const v = JSON.parse(text) as { format?: unknown };
    return typeof v === 'object' && v !== null && v.format === SESSION_FORMAT;
  } catch {
    return false;
  }
}
