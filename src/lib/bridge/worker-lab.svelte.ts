// State of the worker lab (`?lab=workers`): a bare page that starts both
// workers, shows the backend report and every notice, and runs a tiny model
// through sampling and an SFT loop with live metrics and controls. It is the
// page the browser tests drive; with `?testHooks=1` it also exposes
// `window.__lab` so the tests can call the clients directly.
import type { BackendReport } from '../../../workers/backend-decision';
import type { LoopEvent, LoopState } from '../../../workers/training-loop';
import { backendLabel, parseBackendParam } from './backend-choice';
import { Workers, testHooksRequested, type WorkerNotice } from './workers';

/** A vocabulary of a dozen characters and a model small enough for a slow backend. */
export const LAB_TEXT = 'the cat sat on the mat. the dog ate a bone.\n';
export const TINY_MODEL = {
  text: LAB_TEXT,
  size: 'micro' as const,
  config: { blockSize: 32, nLayer: 1, nHead: 2, nEmbd: 32 },
  seed: 1,
};
export const LAB_EXAMPLES = [
  { prompt: 'the cat ', response: 'sat on the mat.\n' },
  { prompt: 'the dog ', response: 'ate a bone.\n' },
];

export interface Lab {
  ready: Promise<void>;
  workers: Workers | null;
  state: WorkerLab;
  tinyModel: typeof TINY_MODEL;
  examples: typeof LAB_EXAMPLES;
}

declare global {
  interface Window {
    __lab?: Lab;
  }
}

const message = (e: unknown) => (e instanceof Error ? `${e.name}: ${e.message}` : String(e));

export class WorkerLab {
  report: BackendReport | null = $state.raw(null);
  label = $state('starting workers…');
  notices: WorkerNotice[] = $state([]);
  loopState: LoopState = $state('idle');
  step = $state(0);
  metrics: Record<string, number> | null = $state.raw(null);
  streamed: string[] = $state([]);
  error: string | null = $state(null);
  lr = $state(3e-3);
  modelReady = $state(false);
  workers: Workers | null = null;

  /** Starts the workers as the URL says; exposes `window.__lab` with `?testHooks=1`. */
  start(search: string): Promise<void> {
    const testHooks = testHooksRequested(search);
    const { backend, problem } = parseBackendParam(search);
    const ready = (async () => {
      this.workers = await Workers.start({
        backend,
        testHooks,
        onNotice: (n) => this.notices.push(n),
      });
      if (problem) this.workers.notice('page', { kind: 'backend', message: problem, step: null });
      this.report = this.workers.report;
      this.label = backendLabel(this.report);
      if (testHooks && window.__lab) window.__lab.workers = this.workers;
    })();
    ready.catch((e: unknown) => (this.error = message(e)));
    if (testHooks) {
      window.__lab = {
        ready,
        workers: null,
        state: this,
        tinyModel: TINY_MODEL,
        examples: LAB_EXAMPLES,
      };
    }
    return ready;
  }

  private async run(fn: (w: Workers) => Promise<void>): Promise<void> {
    if (!this.workers) return;
    this.error = null;
    try {
      await fn(this.workers);
    } catch (e) {
      this.error = message(e);
    }
  }

  createTinyModel = () =>
    this.run(async (w) => {
      await w.policy.api.createModel(TINY_MODEL);
      this.modelReady = true;
    });

  sample = () =>
    this.run(async (w) => {
      this.streamed = ['', '', '', ''];
      await w.policy.api.sample({ prompts: ['the '], k: 4, maxNewTokens: 16, seed: 1 }, (e) => {
        e.text.forEach((c, i) => (this.streamed[i] += c));
      });
    });

  onEvent = (e: LoopEvent) => {
    if (e.type === 'metrics') {
      this.step = e.step;
      this.metrics = e.metrics;
    } else if (e.type === 'state') this.loopState = e.state;
  };

  trainSft = () =>
    this.run(async (w) => {
      const settings = { lr: this.lr, batchSize: 4, maxSteps: 200, snapshotEvery: 5 };
      await w.policy.api.train({ kind: 'sft', examples: LAB_EXAMPLES, settings }, this.onEvent);
    });

  control = (what: 'pause' | 'resume' | 'step' | 'stop') =>
    this.run(async (w) => {
      await w.policy.api[what]();
    });

  applyLr = () =>
    this.run(async (w) => {
      await w.policy.api.updateSettings({ lr: this.lr });
    });
}
