// The embedded playground's side of the postMessage API (docs/embed.md):
// takes commands from the host page (only from `?hostOrigin=` when given, and
// only from the parent window), checks them (embed-api.ts), acts through the
// playground's own controls, and reports back: ready, stage changes, run
// states, metrics every N steps, and pauses while the frame is out of sight.
// Commands run one at a time in the order they came: each has finished (a
// preset and its model loaded, a run under way) before the next one starts,
// so a host that does not wait for replies still gets what it asked for.
import { errorMessage } from '../../core/errors';
import { untrack } from 'svelte';
import {
  checkCommand,
  envelope,
  type Command,
  type PlaygroundEvent,
  type RunTarget,
} from './embed-api';
import type { PlaygroundState } from '../state.svelte';
import type { TrainingRun } from '../stages/training-run.svelte';
import { VisibilityPause } from '../bridge/visibility-pause';
import { isOptimiser } from '../optimisers';
import { RUN_NAMES } from '../persistence/session-store';

const RUNS: readonly RunTarget[] = RUN_NAMES;

/** Commands that may wait behind the one running; more are refused. */
export const MAX_WAITING_COMMANDS = 32;

export class EmbedBridge {
  /** Whether the frame can be seen (shown on the page too). */
  visible = $state(true);
  /** Messages refused so far (wrong origin or schema), for the curious and the tests. */
  refused = $state(0);
  // eslint-disable-next-line svelte/prefer-svelte-reactivity -- bookkeeping, never rendered
  private readonly sentStep = new Map<string, number>();
  private readonly pauser: VisibilityPause<RunTarget>;
  private stopEffects: (() => void) | null = null;
  private unsubscribe: (() => void) | null = null;
  private readonly onMessage = (e: MessageEvent) => void this.receive(e);
  /** The last command queued: the next one runs after it. */
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;

  constructor(private readonly pg: PlaygroundState) {
    this.pauser = new VisibilityPause(
      () => RUNS.map((r) => [r, this.runOf(r)]),
      (visible, paused, resumed) => {
        this.visible = visible;
        this.send({ type: 'visibility', visible, paused, resumed });
      },
    );
  }

  private get host(): Window | null {
    return window.parent !== window ? window.parent : null;
  }

  /**
   * False when the page around the frame is not `?hostOrigin=` (where the
   * browser says: Chromium's location.ancestorOrigins). Nothing is sent then:
   * a message to the wrong origin would only be dropped, with a console error.
   */
  get hostMatches(): boolean {
    const origin = this.pg.view.hostOrigin;
    const ancestors = (location as Location & { ancestorOrigins?: DOMStringList }).ancestorOrigins;
    if (!origin || !ancestors || ancestors.length === 0) return true;
    return ancestors[0] === origin;
  }

  private send(e: PlaygroundEvent): void {
    if (!this.hostMatches) return;
    this.host?.postMessage(envelope(e), this.pg.view.hostOrigin ?? '*');
  }

  runOf(run: RunTarget): TrainingRun {
    const { pg } = this;
    return run === 'sft' ? pg.sft.run : run === 'rm' ? pg.rm.run : pg.optimise.runOf(run);
  }

  /** Starts listening and reporting; `root` is what must be on screen for training to go on. */
  start(root: Element): void {
    addEventListener('message', this.onMessage);
    this.pauser.start(root);
    this.unsubscribe = this.pg.metrics.subscribe((run) => this.onMetrics(run));
    this.stopEffects = $effect.root(() => {
      let announced = false;
      $effect(() => {
        if (this.pg.ready && !announced) {
          announced = true;
          this.send({
            type: 'ready',
            stage: this.pg.stage,
            stages: [...this.pg.view.stages],
            preset: this.pg.presetId,
            presets: this.pg.presetIndex.map((p) => p.id),
          });
        }
      });
      let lastStage = this.pg.stage;
      $effect(() => {
        const stage = this.pg.stage;
        if (stage !== lastStage) this.send({ type: 'stageChanged', stage });
        lastStage = stage;
      });
      let lastPreset = this.pg.presetId;
      $effect(() => {
        const preset = this.pg.presetId;
        if (preset !== lastPreset) this.send({ type: 'presetChanged', preset });
        lastPreset = preset;
      });
      for (const name of RUNS) {
        $effect(() => {
          const r = this.runOf(name);
          const status = r.status;
          const [step, total] = untrack(() => [r.step, r.total]);
          this.send({ type: 'runState', run: name, status, step, total });
          // A run that starts while nobody can see the frame pauses at once.
          if (status === 'running') void this.pauser.check();
        });
      }
    });
  }

  stop(): void {
    removeEventListener('message', this.onMessage);
    this.pauser.stop();
    this.unsubscribe?.();
    this.stopEffects?.();
  }

  /** A `metrics` event for the latest step of a run, every `metricsEvery` steps. */
  private onMetrics(run: string): void {
    if (!RUNS.includes(run as RunTarget)) return;
    const log = this.pg.metrics;
    const names = log.metricsOf(run);
    if (names.length === 0) {
      this.sentStep.delete(run);
      return;
    }
    let step = 0;
    for (const n of names) step = Math.max(step, log.get(run, n)!.x.at(-1) ?? 0);
    if (step % this.pg.view.metricsEvery !== 0 || this.sentStep.get(run) === step) return;
    const metrics: Record<string, number> = {};
    for (const n of names) {
      const s = log.get(run, n)!;
      if (s.x.at(-1) === step) metrics[n] = s.y.at(-1)!;
    }
    this.sentStep.set(run, step);
    this.send({ type: 'metrics', run: run as RunTarget, step, metrics });
  }

  private async receive(e: MessageEvent): Promise<void> {
    const checked = checkCommand(e.data);
    if (!checked.ok && checked.problem === null) return; // not our protocol
    const origin = this.pg.view.hostOrigin;
    if (e.source !== this.host || (origin !== null && e.origin !== origin)) {
      this.refused++;
      return; // not our host: no reply either, it may be probing
    }
    if (!checked.ok) {
      this.refused++;
      this.send({ type: 'reply', id: checked.id, ok: false, error: checked.problem });
      return;
    }
    if (this.waiting >= MAX_WAITING_COMMANDS) {
      const problem = `${MAX_WAITING_COMMANDS} commands are waiting already; wait for their replies.`;
      this.send({ type: 'reply', id: checked.id, ok: false, error: problem });
      return;
    }
    this.waiting++;
    const done = this.queue.then(() => this.run(checked.command));
    this.queue = done.catch(() => undefined);
    try {
      const state = await done;
      this.send({ type: 'reply', id: checked.id, ok: true, ...(state ? { state } : {}) });
    } catch (err) {
      this.send({ type: 'reply', id: checked.id, ok: false, error: errorMessage(err) });
    } finally {
      this.waiting--;
    }
  }

  /** The run a command means: the one named, else the current stage's. */
  private target(run?: RunTarget): RunTarget[] {
    if (run) return [run];
    switch (this.pg.stage) {
      case 'demonstrate':
        return ['sft'];
      case 'reward':
        return ['rm'];
      case 'optimise':
        return this.pg.optimise.kinds;
      default:
        throw new Error(`The ${this.pg.stage} stage has no training to control; name a run.`);
    }
  }

  private blockers(run: RunTarget): string[] {
    const { pg } = this;
    if (run === 'sft') return pg.sft.blockers();
    if (run === 'rm') return pg.rm.blockers();
    return pg.optimise.blockers(run);
  }

  /**
   * Plays or steps the runs, and resolves once each is under way (or has
   * already ended): the next command then sees them active. Not until they
   * end: a run's progress goes out as events.
   */
  private async startRuns(runs: RunTarget[], single: boolean): Promise<void> {
    for (const run of runs) {
      const r = this.runOf(run);
      if (r.status !== 'paused' && !r.active) {
        const problems = this.blockers(run);
        if (problems.length > 0) throw new Error(problems.join(' '));
      }
    }
    const underWay = runs.map((run) => {
      const r = this.runOf(run);
      let settled = false;
      void this.begin(run, single)
        .finally(() => (settled = true))
        .catch(() => undefined);
      return async () => {
        while (!settled && !r.active) await new Promise((ok) => setTimeout(ok, 20));
      };
    });
    await Promise.all(underWay.map((wait) => wait()));
  }

  /** Plays or steps one run; resolves when its loop ends. */
  private begin(run: RunTarget, single: boolean): Promise<void> {
    const { pg } = this;
    if (isOptimiser(run)) {
      return single ? pg.optimise.step(run) : pg.optimise.play(run);
    }
    const stage = run === 'sft' ? pg.sft : pg.rm;
    return single ? stage.step() : stage.play();
  }

  private async run(c: Command): Promise<unknown> {
    const { pg } = this;
    switch (c.type) {
      case 'setStage':
        if (!pg.view.stages.includes(c.stage)) {
          throw new Error(`This embed offers ${pg.view.stages.join(', ')}, not ${c.stage}.`);
        }
        pg.stage = c.stage;
        return null;
      case 'play':
        await this.startRuns(this.target(c.run), false);
        return null;
      case 'step':
        await this.startRuns(this.target(c.run), true);
        return null;
      case 'pause':
        for (const r of this.target(c.run)) await this.runOf(r).pause();
        return null;
      case 'stop':
        for (const r of this.target(c.run)) await this.runOf(r).stop();
        return null;
      case 'loadPreset':
        if (!pg.presetIndex.some((p) => p.id === c.preset)) {
          throw new Error(`There is no preset “${c.preset}”.`);
        }
        await pg.choosePreset(c.preset);
        if (pg.presetId !== c.preset) throw new Error('Stop the training that runs first.');
        if (pg.presetError) throw new Error(pg.presetError);
        if (pg.modelStatus === 'failed')
          throw new Error(pg.modelError ?? 'The model did not load.');
        return null;
      case 'setMetricsEvery':
        pg.view.metricsEvery = c.every;
        return null;
      case 'getState':
        return {
          stage: pg.stage,
          preset: pg.presetId,
          ready: pg.ready,
          visible: this.visible,
          runs: Object.fromEntries(
            RUNS.map((r) => [r, { status: this.runOf(r).status, step: this.runOf(r).step }]),
          ),
        };
    }
  }
}
