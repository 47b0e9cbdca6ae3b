// Sessions as the person manages them: list, new, open, rename, delete; a
// whole session to and from one file; and merging other sessions' rankings
// into the open one (one reward-model training set from several people or
// classes). Opening another session reloads the page, which restores it.
import { mergeRankings } from './session-merge';
import {
  SESSION_MAX_BYTES,
  buildSessionFile,
  fromBase64,
  parseSessionFile,
  type SessionFile,
} from './session-file';
import { EMBED_SESSION, nextName } from './session-keeper.svelte';
import {
  RUN_NAMES,
  newSessionRecord,
  sessionId,
  type SessionRecord,
  type StoredCheckpoint,
} from './session-store';
import type { Playground } from './state.svelte';
import type { StoredDemonstration, StoredLabel, StoredRanking } from './storage';
import { checkSize } from './import-validate';

/** The address to reload into another session: the link's own keys are dropped (the session has them). */
export function sessionAddress(href: string): string {
  const u = new URL(href);
  const keep = new URLSearchParams();
  for (const k of ['backend', 'model', 'testHooks']) {
    const v = u.searchParams.get(k);
    if (v !== null) keep.set(k, v);
  }
  const q = keep.toString();
  return `${u.origin}${u.pathname}${q ? `?${q}` : ''}`;
}

export interface Storage {
  usage: number | null;
  quota: number | null;
}

export async function storageEstimate(): Promise<Storage> {
  try {
    const e = await navigator.storage?.estimate?.();
    return { usage: e?.usage ?? null, quota: e?.quota ?? null };
  } catch {
    return { usage: null, quota: null };
  }
}

export class SessionLibrary {
  constructor(private readonly pg: Playground) {}

  private get store() {
    return this.pg.keeper.sessions;
  }

  async list(): Promise<SessionRecord[]> {
    return (await this.store.sessions()).filter((s) => s.id !== EMBED_SESSION);
  }

  /** Reloads the page into session `id` (the keeper restores it). */
  async open(id: string): Promise<void> {
    await this.pg.keeper.flush();
    await this.store.setCurrentId(id);
    location.assign(sessionAddress(location.href));
  }

  /** A fresh session on the same preset and model; opened at once. */
  async create(): Promise<void> {
    const rec = newSessionRecord(sessionId(), nextName(await this.list()));
    rec.presetId = this.pg.presetId || null;
    rec.modelChoice = this.pg.modelChoice;
    await this.store.putSession(rec);
    await this.open(rec.id);
  }

  /** Deletes a session and all it holds; deleting the open one opens another (or a new one). */
  async remove(id: string): Promise<void> {
    await this.store.deleteSession(id);
    if (id !== this.pg.keeper.id) return;
    const rest = await this.list();
    if (rest.length > 0) return this.open(rest[rest.length - 1].id);
    const rec = newSessionRecord(sessionId(), 'Session 1');
    await this.store.putSession(rec);
    await this.open(rec.id);
  }

  /** What a session holds, for the list and the delete confirmation. */
  async contents(id: string): Promise<{ rankings: number; demonstrations: number; bytes: number }> {
    const [rankings, demonstrations, bytes] = await Promise.all([
      this.store.rowsOf('rankings', id),
      this.store.rowsOf('demonstrations', id),
      this.store.checkpointBytes(id),
    ]);
    return { rankings: rankings.length, demonstrations: demonstrations.length, bytes };
  }

  async toFile(id: string): Promise<SessionFile> {
    if (id === this.pg.keeper.id) await this.pg.keeper.flush();
    const session = await this.store.session(id);
    if (!session) throw new Error('There is no such session.');
    const [rankings, demonstrations, labels, metrics, checkpoints] = await Promise.all([
      this.store.rowsOf<StoredRanking>('rankings', id),
      this.store.rowsOf<StoredDemonstration>('demonstrations', id),
      this.store.rowsOf<StoredLabel>('labels', id),
      this.store.metrics(id),
      this.store.checkpoints(id),
    ]);
    return buildSessionFile({ session, rankings, demonstrations, labels, metrics, checkpoints });
  }

  /**
   * Reads a session file. With problems and `lenient` false nothing is
   * written and the problems are thrown; otherwise the valid parts become a
   * new session (nothing existing changes). Returns its id and what was left out.
   */
  async importFile(
    text: string,
    lenient: boolean,
  ): Promise<{ id: string; name: string; problems: string[] }> {
    checkSize(text.length, SESSION_MAX_BYTES);
    const { file, problems } = parseSessionFile(text);
    if (problems.length > 0 && !lenient) throw new ImportProblems(problems);
    const id = sessionId();
    const names = new Set((await this.list()).map((s) => s.name));
    let name = file.session.name;
    while (names.has(name)) name = `${name} (imported)`;
    const rec: SessionRecord = { ...file.session, id, name, updatedAt: Date.now() };
    const rows = this.pg.store;
    for (const r of file.rankings) await rows.addRaw('rankings', { ...r, sessionId: id });
    for (const d of file.demonstrations)
      await rows.addRaw('demonstrations', { ...d, sessionId: id });
    for (const l of file.labels) await rows.addRaw('labels', { ...l, sessionId: id });
    for (const [run, series] of Object.entries(file.metrics)) {
      await this.store.putMetrics({ sessionId: id, run, series, savedAt: Date.now() });
    }
    for (const name of RUN_NAMES) {
      const c = file.checkpoints[name];
      if (!c) continue;
      const stored: StoredCheckpoint = {
        sessionId: id,
        name,
        step: c.step,
        bytes: fromBase64(c.data),
        savedAt: Date.now(),
      };
      if (name === 'sft') stored.fixed = c.fixed === true;
      await this.store.putCheckpoint(stored);
    }
    // The record last: a session appears in the list only once all of it is there.
    await this.store.putSession(rec);
    return { id, name, problems };
  }

  /**
   * Adds the rankings of other sessions (and of session files) to the open
   * one, each distinct ranking once; the open session's own are untouched.
   */
  async mergeRankings(
    ids: readonly string[],
    files: readonly SessionFile[] = [],
  ): Promise<{ added: number; duplicates: number; otherPresets: number }> {
    const mine = this.pg.keeper.id;
    const existing = await this.store.rowsOf<StoredRanking>('rankings', mine);
    const sources: Omit<StoredRanking, 'id' | 'sessionId'>[][] = [];
    for (const id of ids) {
      if (id === mine) continue;
      sources.push((await this.store.rowsOf<StoredRanking>('rankings', id)).map(strip));
    }
    for (const f of files) sources.push(f.rankings);
    const { added, duplicates } = mergeRankings(existing, sources);
    for (const r of added) await this.pg.store.addRaw('rankings', { ...r, sessionId: mine });
    const presetId = this.pg.presetId;
    this.pg.ranking.rankings = await this.pg.store.rankings(presetId);
    const otherPresets = added.filter((r) => r.presetId !== presetId).length;
    return { added: added.length, duplicates, otherPresets };
  }
}

function strip(r: StoredRanking): Omit<StoredRanking, 'id' | 'sessionId'> {
  const { id: _id, sessionId: _s, ...rest } = r;
  return rest;
}

/** A file refused as a whole, with every reason. */
export class ImportProblems extends Error {
  constructor(readonly problems: string[]) {
    super(`Nothing was imported: ${problems.length} problem${problems.length === 1 ? '' : 's'}.`);
  }
}
