// The lessons' controlled experiments: the same PPO run from the same SFT
// model, once per variant of a few settings (a low β against adaptive KL;
// γ_ptx = 0 against PPO-ptx). Each variant's curves are copied to their own
// run in the metric log (`variant:<id>`), so that the variants stay on one
// chart after the next one starts, and its weights are kept on the shelf for
// Evaluate and the blind A/B test.
import { errorMessage } from '../../core/errors';
import type { SettingKey, Settings } from '../settings/settings';
import type { OptimiseMode, OptimiserKind } from '../bridge/lanes';
import type { MetricLog } from '../measures/metrics';
import type { TrainingRun } from './training-run.svelte';
import { t } from '../i18n/index.svelte';

export interface Variant {
  id: string;
  label: string;
  settings: Partial<Settings>;
}

/** The reward-hacking lesson: a weak fixed KL penalty, then the adaptive controller from TRL's β. */
export const HACKING_VARIANTS: readonly Variant[] = [
  {
    id: 'low-beta',
    label: 'PPO, β = 0.01',
    settings: { 'ppo.klMode': 'fixed', 'ppo.klCoef': 0.01 },
  },
  {
    id: 'adaptive-kl',
    label: 'PPO, adaptive KL',
    settings: { 'ppo.klMode': 'adaptive', 'ppo.klCoef': 0.2 },
  },
];

/** The alignment-tax lesson: plain PPO, then PPO-ptx (InstructGPT used γ = 27.8 at scale). */
export function ptxVariants(gamma: number): Variant[] {
  return [
    { id: 'ppo', label: 'PPO (γ_ptx = 0)', settings: { 'ppo.ptxCoef': 0 } },
    { id: 'ppo-ptx', label: `PPO-ptx (γ_ptx = ${gamma})`, settings: { 'ppo.ptxCoef': gamma } },
  ];
}

/** What the variants use of the page: PPO, the shelf, the metric log and the settings. */
export interface VariantRunsPage {
  readonly ready: boolean;
  readonly settings: Settings;
  readonly metrics: MetricLog;
  readonly rm: { readonly ready: boolean };
  readonly live: { readonly active: boolean };
  readonly optimise: {
    readonly active: boolean;
    readonly ppo: TrainingRun;
    readonly checkpoints: Partial<Record<OptimiserKind, Uint8Array>>;
    setMode(mode: OptimiseMode): void;
    reset(kind: OptimiserKind): void;
    play(kind: OptimiserKind, paused?: boolean, maxSteps?: number): Promise<void>;
  };
  readonly shelf: { keep(label: string, note: string, bytes: Uint8Array): string };
}

export class VariantRuns {
  /** The variant running now. */
  busy: string | null = $state(null);
  /** Variants finished, by id. */
  finished: string[] = $state([]);
  problem: string | null = $state(null);

  constructor(private readonly pg: VariantRunsPage) {}

  blockers(): string[] {
    const out: string[] = [];
    if (!this.pg.ready) out.push(t('problem.noModel'));
    if (!this.pg.rm.ready) out.push(t('problem.trainRm'));
    if (this.pg.optimise.active || this.pg.live.active) out.push(t('problem.stopOptimisers'));
    return out;
  }

  /** Runs PPO from SFT with the variant's settings; the person's own settings come back after. */
  async run(v: Variant, iterations?: number): Promise<boolean> {
    if (this.busy || this.blockers().length > 0) return false;
    const pg = this.pg;
    this.busy = v.id;
    this.problem = null;
    const keys = Object.keys(v.settings) as SettingKey[];
    const before = Object.fromEntries(keys.map((k) => [k, pg.settings[k]]));
    const s = pg.settings as Record<SettingKey, number | string>;
    try {
      pg.optimise.setMode('ppo');
      pg.optimise.reset('ppo');
      for (const k of keys) s[k] = v.settings[k] as number | string;
      await pg.optimise.play('ppo', false, iterations);
      const run = pg.optimise.ppo;
      if (run.status === 'failed') throw new Error(run.problem ?? 'PPO stopped');
      const bytes = pg.optimise.checkpoints.ppo;
      if (bytes) pg.shelf.keep(v.label, describe(v.settings), bytes);
      this.copyCurves(`variant:${v.id}`);
      this.finished = [...this.finished.filter((id) => id !== v.id), v.id];
      return true;
    } catch (e) {
      this.problem = errorMessage(e);
      return false;
    } finally {
      for (const k of keys) s[k] = before[k];
      this.busy = null;
    }
  }

  /** Copies the PPO run's curves to `to` (replacing what was there). */
  private copyCurves(to: string): void {
    const log = this.pg.metrics;
    log.clear(to);
    for (const name of log.metricsOf('ppo')) {
      const series = log.get('ppo', name);
      series?.x.forEach((x, i) => log.push(to, x, { [name]: series.y[i] }));
    }
  }

  reset(): void {
    for (const id of this.finished) this.pg.metrics.clear(`variant:${id}`);
    this.finished = [];
  }
}

function describe(settings: Partial<Settings>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}
