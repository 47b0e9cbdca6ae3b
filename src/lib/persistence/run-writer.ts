// Writing the runs of the open session as they train: each checkpoint a
// worker makes (safetensors bytes) with the run's curve, the curves at most
// once a second, what the optimisers' policies wrote each iteration (for
// replaying training), and, when a run is reset, forgetting all of it.
import type { MessageKey } from '../i18n/index.svelte';
import type { MetricLog } from '../measures/metrics';
import { metricsOf } from '../share/export-formats';
import type { IterationRecord } from '../stages/replay';
import { isVariantRun } from './session-restore';
import { RUN_NAMES, type RunName, type SessionStore, type StoredCheckpoint } from './session-store';

const keptHistory = (run: string) => RUN_NAMES.includes(run as RunName) || isVariantRun(run);

/** What the writer needs of the session keeper (SessionKeeper). */
export interface RunWriterHost {
  /** This tab writes the session (see SessionKeeper.writable). */
  readonly writable: boolean;
  /** The open session. */
  readonly id: string;
  readonly sessions: SessionStore;
  /** Run → the run step of the checkpoint last written. */
  readonly saved: Partial<Record<RunName, number>>;
  problem(key: MessageKey, e: unknown, params?: Record<string, string>): void;
}

export class RunWriter {
  private readonly metricTimers = new Map<string, ReturnType<typeof setTimeout>>();
  /** An iteration's answers could not be written: said once, until one is. */
  private samplesFailed = false;

  constructor(
    private readonly host: RunWriterHost,
    private readonly page: {
      readonly workers: {
        readonly sft: Uint8Array | null;
        rewardCheckpoint(): Promise<Uint8Array>;
      } | null;
      readonly metrics: MetricLog;
      readonly sft: { readonly fixed: boolean; readonly run: { readonly step: number } };
      readonly rm: { readonly run: { readonly step: number } };
    },
  ) {}

  /** Keeps the fixed SFT model. */
  async keepSft(): Promise<void> {
    const bytes = this.page.workers?.sft;
    if (bytes) await this.keep('sft', bytes, this.page.sft.run.step, true);
  }

  /** Keeps the trained (normalised) reward model. */
  async keepRewardModel(): Promise<void> {
    if (!this.host.writable) return;
    try {
      const bytes = await this.page.workers?.rewardCheckpoint();
      if (bytes) await this.keep('rm', bytes, this.page.rm.run.step, false);
    } catch (e) {
      this.host.problem('keeper.rmNotSaved', e);
    }
  }

  /** Keeps a run's checkpoint, and its curve with it. */
  async keep(name: RunName, bytes: Uint8Array, step: number, fixed: boolean): Promise<void> {
    const host = this.host;
    if (!host.writable) return;
    const c: StoredCheckpoint = { sessionId: host.id, name, bytes, step, savedAt: Date.now() };
    if (name === 'sft') c.fixed = fixed;
    try {
      // The curve goes with the weights, and first: if the page is closed between
      // the two writes, the stored curve reaches past the stored weights and a
      // restore cuts it at their step. (Weights first could leave them past the
      // end of the stored curve, and the restored chart with a gap.)
      await this.writeMetrics(name);
      // A snapshot of the SFT run that lands after the model was fixed must not replace it.
      if (name === 'sft' && !fixed && this.page.sft.fixed) return;
      await host.sessions.checkpoints.put(c);
      host.saved[name] = step;
    } catch (e) {
      host.problem('keeper.checkpointNotSaved', e, { name: name.toUpperCase() });
    }
  }

  /** Keeps what a run's policy wrote in one iteration (the store drops the oldest). */
  async keepSamples(run: RunName, it: IterationRecord): Promise<void> {
    const host = this.host;
    if (!host.writable) return;
    try {
      await host.sessions.samples.put({ sessionId: host.id, run, ...it, savedAt: Date.now() });
      this.samplesFailed = false;
    } catch (e) {
      if (!this.samplesFailed) host.problem('replay.notSaved', e, { name: run.toUpperCase() });
      this.samplesFailed = true;
    }
  }

  /** Metrics arrive every step: a run's history is written at most once a second. */
  onMetrics(run: string): void {
    if (!keptHistory(run)) return;
    if (this.page.metrics.metricsOf(run).length === 0) {
      // The run was reset: its history and weights are gone from the page, so from here too.
      clearTimeout(this.metricTimers.get(run));
      this.metricTimers.delete(run);
      if (isVariantRun(run)) void this.forgetHistory(run);
      else void this.forget(run as RunName);
      return;
    }
    if (this.metricTimers.has(run)) return;
    this.metricTimers.set(
      run,
      setTimeout(() => {
        this.metricTimers.delete(run);
        void this.writeMetrics(run).catch(() => undefined);
      }, 1000),
    );
  }

  /** Writes a run's history (a full store is reported by the store: see storageFull). */
  private async writeMetrics(run: string): Promise<void> {
    const host = this.host;
    if (!host.writable) return;
    const series = metricsOf(this.page.metrics, [run])[run];
    if (!series) return;
    await host.sessions.metrics.put({ sessionId: host.id, run, series, savedAt: Date.now() });
  }

  private async forget(name: RunName): Promise<void> {
    if (!this.host.writable) return;
    delete this.host.saved[name];
    await this.host.sessions.checkpoints.delete(this.host.id, name).catch(() => undefined);
    await this.host.sessions.samples.delete(this.host.id, name).catch(() => undefined);
    await this.forgetHistory(name);
  }

  private async forgetHistory(run: string): Promise<void> {
    if (!this.host.writable) return;
    await this.host.sessions.metrics.delete(this.host.id, run).catch(() => undefined);
  }
}
