// Bringing a kept session back onto the page (session-keeper.svelte.ts keeps
// it): the models a worker loads again, each run's step and curve cut back to
// its last checkpoint, and, where the models do not fit the base model
// loaded now, moving them aside into a session of their own. Plain functions
// over a narrow view of the page (`RestoreTarget`), not the page state itself.
import { readCheckpointHeader } from './checkpoint-meta';
import { t } from '../i18n/index.svelte';
import {
  RUN_NAMES,
  sessionId,
  type RunName,
  type SessionRecord,
  type SessionStore,
  type StoredCheckpoint,
  type StoredMetrics,
} from './session-store';
import type { PageEvents } from '../page-events';
import type { MetricLog } from '../measures/metrics';
import type { TrainingRun } from '../stages/training-run.svelte';
import { runOf, type PageRuns } from './session-record';
import { OPTIMISERS, OPTIMISER_NAMES, isOptimiser, type OptimiserKind } from '../optimisers';

/** Metric histories kept besides the four runs': the lessons' variant runs (variant-runs.svelte.ts). */
export const isVariantRun = (run: string) => run.startsWith('variant:');

/** What a restore changes on the page. */
export interface RestoreTarget {
  workers: {
    restoreSft(bytes: Uint8Array): Promise<void>;
    restoreRewardModel(bytes: Uint8Array): Promise<void>;
    policy: { api: { loadCheckpoint(bytes: Uint8Array): Promise<unknown> } };
  } | null;
  sft: { fixed: boolean; readonly run: TrainingRun };
  rm: { ready: boolean; readonly run: TrainingRun };
  optimise: PageRuns['optimise'] & { checkpoints: Partial<Record<OptimiserKind, Uint8Array>> };
  events: Pick<PageEvents, 'emit'>;
  /** The charts' data, where stored curves go back. */
  metrics: Pick<MetricLog, 'push'>;
}

/** Puts a stored curve back on the charts. */
function pushSeries(
  metrics: RestoreTarget['metrics'],
  run: string,
  series: StoredMetrics['series'],
) {
  for (const [name, s] of Object.entries(series)) {
    s.x.forEach((x, i) => metrics.push(run, x, { [name]: s.y[i] ?? NaN }));
  }
}

/** The series of a run up to `step` (a restored run continues from its checkpoint). */
export function cutSeries(series: StoredMetrics['series'], step: number): StoredMetrics['series'] {
  const out: StoredMetrics['series'] = {};
  for (const [name, s] of Object.entries(series)) {
    const n = s.x.findIndex((x) => x > step);
    const end = n === -1 ? s.x.length : n;
    if (end > 0) out[name] = { x: s.x.slice(0, end), y: s.y.slice(0, end) };
  }
  return out;
}

/**
 * The characters the saved models read, for a tiny model made from text:
 * the vocabulary they were trained with, not one that a demonstration
 * written since has grown (their weights would not fit it).
 */
export function savedVocabulary(checkpoints: readonly StoredCheckpoint[]): string[] | null {
  for (const c of checkpoints) {
    try {
      const chars = readCheckpointHeader(c.bytes).chars;
      if (chars.length > 0) return chars;
    } catch {
      // a damaged checkpoint says nothing about the vocabulary; try the next
    }
  }
  return null;
}

/**
 * Models trained on another preset or base model than the one loaded now
 * cannot be restored onto it. They move, with their curves and the rankings
 * and demonstrations of their preset, to a session of their own (which
 * restores them when opened), instead of being deleted. Returns its name.
 */
export async function setAside(
  s: SessionStore,
  old: SessionRecord,
  checkpoints: readonly StoredCheckpoint[],
  histories: readonly StoredMetrics[],
): Promise<string> {
  const id = sessionId();
  const name = t('keeper.asideName', { name: old.name });
  const copy = async (kind: 'rankings' | 'demonstrations') =>
    (await s.rowsOf<{ id?: number; presetId: string; sessionId?: string }>(kind, old.id))
      .filter((row) => row.presetId === old.presetId)
      .map(({ id: _id, ...rest }) => ({ ...rest, sessionId: id }));
  const rankings = await copy('rankings');
  const demonstrations = await copy('demonstrations');
  // One transaction: a page closed mid-copy leaves all of it or none.
  await s.putWhole({
    record: { ...old, id, name, updatedAt: Date.now() },
    rows: { rankings, demonstrations },
    metrics: histories.map((h) => ({ ...h, sessionId: id })),
    checkpoints: checkpoints.map((c) => ({ ...c, sessionId: id })),
  });
  for (const c of checkpoints) await s.checkpoints.delete(old.id, c.name);
  for (const h of histories) await s.metrics.delete(old.id, h.run);
  return name;
}

/**
 * Loads the kept models into the workers and puts each run back at its last
 * checkpoint. Returns what came back, one phrase each (empty: nothing), and
 * the step each run's checkpoint was saved at.
 */
export async function restoreModels(
  page: RestoreTarget,
  record: SessionRecord,
  checkpoints: readonly StoredCheckpoint[],
  histories: readonly StoredMetrics[],
): Promise<{ done: string[]; saved: Partial<Record<RunName, number>> }> {
  const saved: Partial<Record<RunName, number>> = {};
  const workers = page.workers;
  if (!workers) return { done: [], saved };
  const byName = new Map(checkpoints.map((c) => [c.name, c]));
  const done: string[] = [];
  const sft = byName.get('sft');
  if (sft?.fixed) {
    await workers.restoreSft(sft.bytes);
    page.sft.fixed = true;
    await page.events.emit('sft');
    // Fixed without a step of training (the reward model started from the base model).
    done.push(t(sft.step > 0 ? 'keeper.restored.sft' : 'keeper.restored.sftSkipped'));
  } else if (sft) {
    // A policy SFT was still training goes back into the main lane (not fixed).
    await workers.policy.api.loadCheckpoint(sft.bytes);
    done.push(t('keeper.restored.sftAt', { step: sft.step }));
  }
  const rm = byName.get('rm');
  if (rm) {
    await workers.restoreRewardModel(rm.bytes);
    page.rm.ready = record.rmReady;
    done.push(
      page.rm.ready ? t('keeper.restored.rm') : t('keeper.restored.rmAt', { step: rm.step }),
    );
  }
  for (const kind of OPTIMISERS) {
    const c = byName.get(kind);
    if (!c || !page.sft.fixed) continue;
    page.optimise.checkpoints[kind] = c.bytes;
    const total = record.runs[kind]?.total ?? 0;
    const name = OPTIMISER_NAMES[kind];
    done.push(
      total > c.step
        ? t('keeper.restored.runOf', { name, step: c.step, total })
        : t('keeper.restored.run', { name, step: c.step }),
    );
  }
  for (const name of RUN_NAMES) {
    const c = byName.get(name);
    const run = runOf(page, name);
    if (!c || (isOptimiser(name) && !page.sft.fixed)) continue;
    run.step = c.step;
    run.total = Math.max(c.step, record.runs[name]?.total ?? 0);
    // It ran before the reload and is not running now: it stopped where its checkpoint is.
    if (c.step > 0) run.status = 'done';
    const history = histories.find((h) => h.run === name);
    if (history) pushSeries(page.metrics, name, cutSeries(history.series, c.step));
    saved[name] = c.step;
  }
  for (const h of histories) if (isVariantRun(h.run)) pushSeries(page.metrics, h.run, h.series);
  return { done, saved };
}
