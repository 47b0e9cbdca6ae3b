// Training curves, kept outside Svelte's reactivity: a run streams a few
// numbers per step for minutes, and deep-proxied arrays would make every
// append cost a re-render. Charts subscribe and redraw at most once per
// animation frame (see `FrameScheduler`), so a fast worker never stalls the page.

export interface Series {
  x: number[];
  y: number[];
}

/** Metrics per run (e.g. 'sft', 'rm', 'ppo', 'rrhf') and metric name. */
export class MetricLog {
  private readonly runs = new Map<string, Map<string, Series>>();
  private readonly listeners = new Set<(run: string) => void>();

  /** Appends one step of metrics; non-numbers are ignored, NaN is kept (as a gap). */
  push(run: string, step: number, metrics: Record<string, number>): void {
    let byName = this.runs.get(run);
    if (!byName) this.runs.set(run, (byName = new Map()));
    for (const [name, value] of Object.entries(metrics)) {
      if (typeof value !== 'number') continue;
      let s = byName.get(name);
      if (!s) byName.set(name, (s = { x: [], y: [] }));
      s.x.push(step);
      s.y.push(value);
    }
    this.emit(run);
  }

  get(run: string, metric: string): Series | undefined {
    return this.runs.get(run)?.get(metric);
  }

  /**
   * The trend of a metric over a run: the mean of its first `n` and of its
   * last `nLast` finite points (what the live panel and its test compare).
   */
  trend(
    run: string,
    metric: string,
    n = 5,
    nLast = n,
  ): { first: number; last: number; points: number } {
    const ys = (this.get(run, metric)?.y ?? []).filter(Number.isFinite);
    const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN);
    return { first: mean(ys.slice(0, n)), last: mean(ys.slice(-nLast)), points: ys.length };
  }

  /** How many points a run has for `metric` (0 when none). */
  count(run: string, metric: string): number {
    return this.get(run, metric)?.x.length ?? 0;
  }

  last(run: string, metric: string): number | undefined {
    const s = this.get(run, metric);
    return s && s.y.length > 0 ? s.y[s.y.length - 1] : undefined;
  }

  metricsOf(run: string): string[] {
    return [...(this.runs.get(run)?.keys() ?? [])];
  }

  clear(run: string): void {
    this.runs.delete(run);
    this.emit(run);
  }

  subscribe(fn: (run: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private emit(run: string): void {
    for (const fn of this.listeners) fn(run);
  }
}

/**
 * Exponential moving average with TensorBoard's debiasing, so the first
 * points are not dragged toward 0: s_t = w·s_{t−1} + (1−w)·v_t, shown as
 * s_t / (1 − w^n) where n counts the finite values so far. Non-finite values
 * stay gaps and do not enter the average. w = 0 returns the values.
 */
export function ema(values: readonly number[], weight: number): (number | null)[] {
  if (!(weight >= 0 && weight < 1)) throw new RangeError(`EMA weight ${weight} is not in [0, 1)`);
  let s = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return null;
    s = weight * s + (1 - weight) * v;
    n++;
    return weight === 0 ? v : s / (1 - weight ** n);
  });
}

export interface NamedSeries {
  name: string;
  series: Series;
}

/**
 * Puts several series on one x axis (uPlot wants aligned columns): the union
 * of their steps, sorted, with null where a series has no point.
 */
export function alignSeries(list: readonly NamedSeries[]): {
  x: number[];
  ys: (number | null)[][];
} {
  const xs = [...new Set(list.flatMap((l) => l.series.x))].sort((a, b) => a - b);
  const index = new Map(xs.map((x, i) => [x, i]));
  const ys = list.map((l) => {
    const col = new Array<number | null>(xs.length).fill(null);
    l.series.x.forEach((x, i) => {
      const v = l.series.y[i];
      col[index.get(x) as number] = Number.isFinite(v) ? v : null;
    });
    return col;
  });
  return { x: xs, ys };
}

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** CSV with a `step` column and one column per series (empty where a series has no point). */
export function toCsv(list: readonly NamedSeries[]): string {
  const { x, ys } = alignSeries(list);
  const header = ['step', ...list.map((l) => l.name)].map(csvField).join(',');
  const rows = x.map((step, i) => [step, ...ys.map((col) => col[i] ?? '')].join(','));
  return [header, ...rows].join('\n') + '\n';
}

/** Whether a log axis can show these values (all finite ones strictly positive). */
export function allPositive(list: readonly NamedSeries[]): boolean {
  return list.every((l) => l.series.y.every((v) => !Number.isFinite(v) || v > 0));
}

/**
 * Coalesces many requests into one callback per animation frame. Workers
 * report metrics far more often than a screen refreshes; redrawing once per
 * frame keeps the page responsive however fast they go.
 */
export class FrameScheduler {
  private pending = false;
  private handle = 0;
  constructor(
    private readonly run: () => void,
    private readonly raf: (cb: () => void) => number = (cb) => requestAnimationFrame(cb),
    private readonly caf: (h: number) => void = (h) => cancelAnimationFrame(h),
  ) {}

  request(): void {
    if (this.pending) return;
    this.pending = true;
    this.handle = this.raf(() => {
      this.pending = false;
      this.run();
    });
  }

  cancel(): void {
    if (this.pending) this.caf(this.handle);
    this.pending = false;
  }
}
