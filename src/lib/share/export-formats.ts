// What the playground exports, as text: preferences in TRL's format (one
// `{prompt, chosen, rejected}` line per pair, as DPOTrainer and RewardTrainer
// read them), full rankings (`{prompt, completions, ranks}`), demonstrations
// (`{prompt, completion}`, TRL's prompt–completion format) and metric
// histories as CSV. Pure functions: the page turns them into downloads.
import type { MetricLog, Series } from '../measures/metrics';

export interface RankingRow {
  prompt: string;
  completions: string[];
  /** ranks[i] = place of completions[i], 0 = best; equal places are ties. */
  ranks: number[];
  /** 1–7 grades, when the completions were graded (the ranks then follow them). */
  grades?: number[];
}

export interface PreferenceRow {
  prompt: string;
  chosen: string;
  rejected: string;
}

export interface DemonstrationRow {
  prompt: string;
  completion: string;
}

/** JSON Lines: one object per line, each line ending with a newline. */
export function toJsonl(rows: readonly unknown[]): string {
  return rows.map((r) => `${JSON.stringify(r)}\n`).join('');
}

/**
 * The pairs a ranking implies: every (i, j) with i placed above j, ties
 * giving none (InstructGPT's C(K,2) comparisons). Ordered best-first by i,
 * then by j, so the export is stable.
 */
export function rankingToPairs(r: RankingRow): PreferenceRow[] {
  const order = r.ranks.map((_, i) => i).sort((a, b) => r.ranks[a] - r.ranks[b] || a - b);
  const out: PreferenceRow[] = [];
  for (const i of order) {
    for (const j of order) {
      if (r.ranks[i] < r.ranks[j]) {
        out.push({ prompt: r.prompt, chosen: r.completions[i], rejected: r.completions[j] });
      }
    }
  }
  return out;
}

/** Stored rankings (samples + ranks) as export rows. */
export function rankingRows(
  rankings: readonly { prompt: string; samples: string[]; ranks: number[]; grades?: number[] }[],
): RankingRow[] {
  return rankings.map((r) => ({
    prompt: r.prompt,
    completions: [...r.samples],
    ranks: [...r.ranks],
    ...(r.grades ? { grades: [...r.grades] } : {}),
  }));
}

export function preferencesJsonl(rankings: readonly RankingRow[]): string {
  return toJsonl(rankings.flatMap(rankingToPairs));
}

export function rankingsJsonl(rankings: readonly RankingRow[]): string {
  return toJsonl(
    rankings.map((r) => ({
      prompt: r.prompt,
      completions: r.completions,
      ranks: r.ranks,
      ...(r.grades ? { grades: r.grades } : {}),
    })),
  );
}

export function demonstrationsJsonl(
  demos: readonly { prompt: string; response: string }[],
): string {
  return toJsonl(demos.map((d) => ({ prompt: d.prompt, completion: d.response })));
}

/** A run's series by metric name, as kept in IndexedDB and in session files. */
export type RunMetrics = Record<string, Series>;

/** Every run's series (copies: the log keeps appending to its own arrays). */
export function metricsOf(log: MetricLog, runs: readonly string[]): Record<string, RunMetrics> {
  const out: Record<string, RunMetrics> = {};
  for (const run of runs) {
    const names = log.metricsOf(run);
    if (names.length === 0) continue;
    out[run] = {};
    for (const name of names) {
      const s = log.get(run, name)!;
      out[run][name] = { x: [...s.x], y: [...s.y] };
    }
  }
  return out;
}

function csvField(s: string): string {
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/**
 * Long ("tidy") CSV, one row per point: `run,metric,step,value`. Runs have
 * their own step axes, so a wide table would pair unrelated steps; pandas'
 * `pivot` or a spreadsheet's pivot table makes the wide view when wanted.
 */
export function metricsCsv(all: Record<string, RunMetrics>): string {
  const lines = ['run,metric,step,value'];
  for (const [run, byName] of Object.entries(all)) {
    for (const [name, s] of Object.entries(byName)) {
      s.x.forEach((x, i) => lines.push([csvField(run), csvField(name), x, s.y[i]].join(',')));
    }
  }
  return `${lines.join('\n')}\n`;
}
