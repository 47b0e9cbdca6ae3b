// Sessions as the person manages them: list, new, open, rename, delete; a
// whole session to and from one file; and merging other sessions' rankings
// into the open one (one reward-model training set from several people or
// classes). Opening another session reloads the page, which restores it.
import { mergeRankings } from './session-merge';
import {
  buildSessionFile,
  parseSessionFile,
  storeSessionFile,
  type SessionFile,
} from './session-file';
import { t } from '../i18n/index.svelte';
import { SESSION_FORMAT, SESSION_MAX_BYTES, newerSessionFormat } from './session-version';
import { EMBED_SESSION, nextName, type HeldElsewhere } from './session-keeper.svelte';
import {
  newSessionRecord,
  sessionId,
  type ModelChoice,
  type SessionRecord,
  type SessionStore,
} from './session-store';
import type { OptimiseMode } from '../bridge/lanes';
import type { Settings } from '../settings/settings';
import type { PlaygroundStore, StoredDemonstration, StoredLabel, StoredRanking } from './storage';
import { checkSize } from './import-validate';

export { isSessionLike } from './session-version';

/**
 * The address to reload into another session: the link's own keys are
 * dropped (the session has them); `model` too when the session chose another.
 */
export function sessionAddress(href: string, keepModel = true): string {
  const u = new URL(href);
  const keep = new URLSearchParams();
  for (const k of ['backend', ...(keepModel ? ['model'] : []), 'testHooks']) {
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

/** What the session library uses of the page: the keeper, storage, and what a new session copies. */
export interface SessionLibraryPage {
  readonly store: PlaygroundStore;
  readonly presetId: string;
  readonly modelChoice: ModelChoice;
  readonly seed: number;
  readonly optimise: { readonly mode: OptimiseMode };
  readonly ranking: { rankings: StoredRanking[] };
  readonly keeper: {
    readonly id: string;
    readonly elsewhere: HeldElsewhere | null;
    readonly sessions: SessionStore;
    readonly tabLock: { heldElsewhere(ids: readonly string[]): Promise<string[]> };
    flush(): Promise<void>;
  };
  readonly settingsEditor: { ownSettings(): Partial<Settings> };
}

export class SessionLibrary {
  constructor(private readonly pg: SessionLibraryPage) {}

  private get store() {
    return this.pg.keeper.sessions;
  }

  async list(): Promise<SessionRecord[]> {
    return (await this.store.sessions()).filter((s) => s.id !== EMBED_SESSION);
  }

  /** Reloads the page into session `id` (the keeper restores it). */
  async open(id: string, keepModel = true): Promise<void> {
    await this.pg.keeper.flush();
    await this.store.setCurrentId(id);
    location.assign(sessionAddress(location.href, keepModel));
  }

  /**
   * A new session for a preset or base model chosen on Start, with the
   * person's own settings; the open session stays as it is. Opened at once.
   */
  async createFor(change: { presetId?: string; modelChoice?: ModelChoice }): Promise<void> {
    const { pg } = this;
    const rec = newSessionRecord(sessionId(), nextName(await this.list()));
    rec.presetId = change.presetId ?? (pg.presetId || null);
    rec.modelChoice = change.modelChoice ?? pg.modelChoice;
    rec.seed = pg.seed;
    rec.optimiseMode = pg.optimise.mode;
    rec.settings = pg.settingsEditor.ownSettings();
    await this.store.putSession(rec);
    await this.open(rec.id, change.modelChoice === undefined);
  }

  /** The latest other session with models trained on this preset and model choice, if any. */
  async trainedFor(
    presetId: string,
    modelChoice: string,
  ): Promise<{ id: string; name: string } | null> {
    const mine = this.pg.keeper.id;
    const trained = (s: SessionRecord) =>
      s.sftFixed || s.rmReady || Object.values(s.runs).some((r) => r.step > 0);
    const match = (await this.list())
      .filter((s) => s.id !== mine && s.presetId === presetId && s.modelChoice === modelChoice)
      .filter(trained)
      .sort((a, b) => a.updatedAt - b.updatedAt)
      .at(-1);
    return match ? { id: match.id, name: match.name } : null;
  }

  /** A fresh session on the same preset and model; opened at once. */
  async create(): Promise<void> {
    const rec = newSessionRecord(sessionId(), nextName(await this.list()));
    rec.presetId = this.pg.presetId || null;
    rec.modelChoice = this.pg.modelChoice;
    await this.store.putSession(rec);
    await this.open(rec.id);
  }

  /** Which of these sessions another tab keeps (they are not deleted from here). */
  heldElsewhere(ids: readonly string[]): Promise<string[]> {
    return this.pg.keeper.tabLock.heldElsewhere(ids);
  }

  /** Deletes a session and all it holds; deleting the open one opens another (or a new one). */
  async remove(id: string): Promise<void> {
    const keeper = this.pg.keeper;
    const elsewhere =
      (id === keeper.id && keeper.elsewhere !== null) ||
      (await this.heldElsewhere([id])).includes(id);
    if (elsewhere) throw new Error(t('session.deleteElsewhere'));
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
      this.store.metrics.of(id),
      this.store.checkpoints.of(id),
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
    const newer = newerSessionFormat(text);
    if (newer) throw new Error(t('session.newerFile', { format: newer, ours: SESSION_FORMAT }));
    const { file, problems } = parseSessionFile(text, t);
    if (problems.length > 0 && !lenient) throw new ImportProblems(problems);
    const id = sessionId();
    const names = new Set((await this.list()).map((s) => s.name));
    let name = file.session.name;
    while (names.has(name)) name = `${name} (imported)`;
    const rec: SessionRecord = { ...file.session, id, name, updatedAt: Date.now() };
    // All of it in one transaction: a page closed mid-way leaves no rows without a session.
    await storeSessionFile(this.store, rec, file);
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
    await this.pg.store.addMany(
      'rankings',
      added.map((r) => ({ ...r, sessionId: mine })),
    );
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
