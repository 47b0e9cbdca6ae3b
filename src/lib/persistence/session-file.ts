// A whole session as one JSON file: its record, rankings, demonstrations,
// labels, metric histories and checkpoints (safetensors bytes in base64).
// Reading one back checks every field before anything is stored; rows with
// problems are listed by their place in the file ("rankings[3]: …").
import { fromBase64, toBase64 } from './base64';
import { checkpointProblem } from './checkpoint-check';
import { SESSION_FORMAT, sessionFormatVersion } from './session-version';
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
import {
  PRESET_ID,
  demonstrationProblem,
  isCount,
  isRecord,
  isText,
  isTime,
  labelProblem,
  rankingProblem,
  seriesOk,
} from './session-rows';
import type { StoredDemonstration, StoredLabel, StoredRanking } from './storage';
import { OPTIMISE_MODES } from '../optimisers';

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
  if (OPTIMISE_MODES.includes(raw.optimiseMode as string)) {
    s.optimiseMode = raw.optimiseMode as string;
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
