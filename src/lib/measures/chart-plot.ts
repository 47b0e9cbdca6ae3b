// The uPlot side of a metric chart: its data columns (each line raw, then
// smoothed), its options (scales, axes, series, the cursor readout) and the
// number formats of ticks and readouts. No Svelte here: MetricChart owns the
// plot's lifetime and hands in colours already read from CSS.
import uPlot from 'uplot';
import { alignSeries, ema, type NamedSeries } from './metrics';

export interface ChartLine {
  run: string;
  metric: string;
  label: string;
  /** A CSS custom property holding the colour, e.g. '--ppo'. */
  color: string;
  /** A second y axis on the right (e.g. β next to the KL). */
  right?: boolean;
  dash?: boolean;
}

/** The colour with an alpha, for the faint raw line. */
export function faint(color: string): string {
  const m = /^#([0-9a-f]{6})$/i.exec(color);
  if (!m) return color;
  const n = parseInt(m[1], 16);
  return `rgba(${n >> 16}, ${(n >> 8) & 255}, ${n & 255}, 0.28)`;
}

/** Tick labels: short, no trailing zeros, exponents only for very small or large values. */
export function tick(v: number): string {
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e5)) return v.toExponential(1);
  return String(Number(v.toPrecision(3)));
}

/** A value in the readout: four significant digits, '–' for none. */
export function formatValue(v: number | null | undefined): string {
  if (v === null || v === undefined || !Number.isFinite(v)) return '–';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(2) : v.toPrecision(4);
}

/** The columns uPlot draws: the shared x, then per line its raw values and their EMA. */
export function plotData(list: readonly NamedSeries[], smoothing: number): uPlot.AlignedData {
  const { x, ys } = alignSeries(list);
  const cols: (number | null)[][] = [];
  for (const y of ys) {
    cols.push(y);
    // EMA over the points this line has, written back at their positions.
    const idx: number[] = [];
    const vals: number[] = [];
    y.forEach((v, i) => {
      if (v !== null) {
        idx.push(i);
        vals.push(v);
      }
    });
    const smooth = new Array<number | null>(y.length).fill(null);
    ema(vals, smoothing).forEach((v, j) => (smooth[idx[j]] = v));
    cols.push(smooth);
  }
  return [x, ...cols] as uPlot.AlignedData;
}

export interface PlotSpec {
  lines: readonly ChartLine[];
  /** EMA weight in [0, 1); 0 leaves the raw values out of the readout. */
  smoothing: number;
  logScale: boolean;
  /** Every value is > 0: a true log scale (else a symmetric one). */
  positive: boolean;
  /** Charts with the same key share the cursor. */
  sync?: string;
  /** Read at each redraw: the x axis ends here at least. */
  xMax: () => number | undefined;
  width: number;
  height: number;
  /** A CSS custom property's colour, e.g. colour('--muted'). */
  colour: (name: string) => string;
  /** The values under the cursor in words, or '' when it leaves the plot. */
  onreadout: (text: string) => void;
}

export function plotOptions(spec: PlotSpec): uPlot.Options {
  const { lines, smoothing, logScale, positive, sync, xMax, colour } = spec;
  const text = colour('--muted');
  const grid = colour('--grid');
  const hasRight = lines.some((l) => l.right);
  // A flat line (a clip fraction of 0, say) gets a small band around it, not 0–100.
  const linear: uPlot.Scale = {
    range: (_u, min, max) => {
      if (min === null || max === null) return [0, 1];
      if (min === max) {
        const pad = Math.abs(min) * 0.1 || 0.1;
        return [min - pad, max + pad];
      }
      return uPlot.rangeNum(min, max, 0.1, true);
    },
  };
  const yScale: uPlot.Scale = logScale
    ? positive
      ? { distr: 3 }
      : { distr: 4, asinh: 0.01 }
    : linear;
  const axis = (scale: string, side: 1 | 2 | 3): uPlot.Axis => ({
    scale,
    side,
    stroke: text,
    grid: { stroke: grid, width: 1, show: side === 3 },
    ticks: { stroke: grid, width: 1 },
    values: (_u, vals) => vals.map(tick),
    // Wide enough for the longest label (about 7 px per character at 12 px).
    size: (_u, values) => 14 + 7 * Math.max(3, ...(values ?? []).map((v) => v.length)),
  });
  const series: uPlot.Series[] = [{ label: 'step' }];
  for (const l of lines) {
    const color = colour(l.color);
    const scale = l.right ? 'y2' : 'y';
    series.push({
      label: `${l.label} (raw)`,
      stroke: faint(color),
      width: 1,
      scale,
      points: { show: false },
    });
    series.push({
      label: l.label,
      stroke: color,
      width: 2,
      scale,
      dash: l.dash ? [6, 4] : undefined,
      points: { show: true, size: 4 },
      spanGaps: true,
    });
  }
  return {
    width: spec.width,
    height: spec.height,
    legend: { show: false },
    cursor: {
      sync: sync ? { key: sync } : undefined,
      points: { size: 6 },
      drag: { x: false, y: false },
    },
    scales: {
      x: {
        time: false,
        range: (_u, min, max) => [Math.min(min ?? 0, 1), Math.max(max ?? 1, xMax() ?? 0, 2)],
      },
      y: yScale,
      ...(hasRight ? { y2: logScale ? yScale : {} } : {}),
    },
    axes: [
      {
        ...axis('x', 2),
        grid: { show: false },
        // Steps are whole numbers: no ticks between them.
        incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000],
        values: (_u, vals) => vals.map((v) => String(v)),
        label: 'step',
        labelSize: 18,
        size: 34,
      },
      axis('y', 3),
      ...(hasRight ? [{ ...axis('y2', 1), grid: { show: false } }] : []),
    ],
    series,
    hooks: {
      setCursor: [
        (u) => {
          const i = u.cursor.idx;
          if (i === null || i === undefined) {
            spec.onreadout('');
            return;
          }
          const parts = lines.map((l, j) => {
            const raw = u.data[1 + 2 * j][i];
            const sm = u.data[2 + 2 * j][i];
            return `${l.label} ${formatValue(sm)}${smoothing > 0 ? ` (raw ${formatValue(raw)})` : ''}`;
          });
          spec.onreadout(`step ${u.data[0][i]} · ${parts.join(' · ')}`);
        },
      ],
    },
  };
}
