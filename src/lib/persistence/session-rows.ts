// Checks of the rows a session file brings (rankings, demonstrations, labels,
// metric series) and the field tests they share: each check says what is wrong
// with a row, or null when it may be stored.
import { MAX_RESPONSE_CHARS } from '../stages/demonstrations';

export const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === 'object' && x !== null && !Array.isArray(x);
export const isText = (x: unknown, max = MAX_RESPONSE_CHARS * 4): x is string =>
  typeof x === 'string' && x.length <= max;
export const isCount = (x: unknown): x is number =>
  typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= 1e9;
export const isTime = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);
export const PRESET_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;

export function rankingProblem(r: unknown): string | null {
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

export function demonstrationProblem(d: unknown): string | null {
  if (!isRecord(d)) return 'is not an object';
  if (!isText(d.presetId, 64) || !PRESET_ID.test(d.presetId)) return 'has no valid presetId';
  if (!isText(d.prompt) || d.prompt === '') return 'needs a prompt (a string)';
  if (!isText(d.response) || d.response === '') return 'needs a response (a string)';
  if (!isTime(d.createdAt)) return 'has no createdAt time';
  return null;
}

export function labelProblem(l: unknown): string | null {
  if (!isRecord(l)) return 'is not an object';
  if (!isText(l.presetId, 64) || !PRESET_ID.test(l.presetId)) return 'has no valid presetId';
  if (!isText(l.kind, 64) || !isText(l.prompt)) return 'needs a kind and a prompt (strings)';
  if (!isRecord(l.data)) return 'needs data (an object)';
  if (!isTime(l.createdAt)) return 'has no createdAt time';
  return null;
}

export function seriesOk(s: unknown): s is { x: number[]; y: (number | null)[] } {
  return (
    isRecord(s) &&
    Array.isArray(s.x) &&
    Array.isArray(s.y) &&
    s.x.length === s.y.length &&
    s.x.every(isCount) &&
    s.y.every((v) => v === null || typeof v === 'number')
  );
}
