// The page's one client for a worker: `api` is a typed proxy over comlink's
// Remote, its type taken from the worker module (`PolicyApi`, `RewardApi`), so
// a new worker call needs no page code. The client owns the worker's life:
// it starts it, notices when it dies, keeps the model's latest weights so that
// a restarted worker gets them back, and ends it.
//
// A terminated or crashed worker sends no event, so the worker holds a Web
// Lock for as long as it lives and the page queues for the same lock: the page
// is granted it exactly when the worker is gone. Where Web Locks are missing
// (an insecure context) or refused (a third-party frame without storage
// access) a heartbeat does the same, slower. Calls still waiting on a dead
// worker reject with WorkerDiedError.
import { proxy, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import type { BackendReport } from '../../../workers/backend-decision';
import { installErrorTransfer } from '../../../workers/remote-error';
import type { Notice } from '../../../workers/training-loop';
import type { CommonApi, InitOptions } from '../../../workers/worker-runtime';

export type { CommonApi };

export class WorkerDiedError extends Error {
  constructor(name: string) {
    super(`the ${name} worker stopped unexpectedly`);
    this.name = 'WorkerDiedError';
  }
}

/**
 * How a client keeps a worker's weights (S) for a restart: which calls change
 * them outside a loop, how to read them, and how to put them back.
 */
export interface WeightKeeper<Api, S> {
  /** Calls after which the weights are read back. */
  readonly after: readonly (keyof Api)[];
  /** The weights now; `result` is what the changing call returned, if one did. */
  read(api: Remote<Api>, kept: S | null, result?: unknown): Promise<S>;
  /** A loop kept its weights (a 'snapshot' event). */
  fromLoop(kept: S | null, step: number, checkpoint: Uint8Array): S | null;
  /** Loads them into a fresh worker; returns their step. */
  restore(api: Remote<Api>, kept: S): Promise<number>;
}

export interface ClientOptions<Api, S> {
  spawn: () => Worker;
  /** The worker died on its own (not by `dispose`). */
  onDeath: () => void;
  keeper?: WeightKeeper<Api, S>;
}

const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 30_000;
/** While an aborted call has not reached its loop yet, `stop` is sent again this often. */
const STOP_RETRY_MS = 25;
let counter = 0;

const isSnapshot = (e: unknown): e is { type: 'snapshot'; step: number; checkpoint: Uint8Array } =>
  typeof e === 'object' && e !== null && (e as { type?: unknown }).type === 'snapshot';

export class WorkerClient<Api extends CommonApi, S = never> {
  /** The worker's api; calls go to the worker alive now and reject if it dies meanwhile. */
  readonly api: Remote<Api>;
  /** The backend the worker runs on (null before `start`). */
  report: BackendReport | null = null;
  /** The latest weights seen; what a restarted worker is restored from. */
  snapshot: S | null = null;
  /** How the page learns of the worker's death (null before start). */
  lifeline: 'lock' | 'heartbeat' | null = null;
  private worker!: Worker;
  private remote!: Remote<Api>;
  private dead = false;
  private intentional = false;
  private rejectAll: (e: Error) => void = () => undefined;
  private died!: Promise<never>;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(
    readonly name: string,
    private readonly opts: ClientOptions<Api, S>,
  ) {
    this.api = this.proxyFor();
  }

  /** Starts a fresh worker (also after a death), arms the lifeline and initialises its backend. */
  async start(init: InitOptions, onNotice: (n: Notice) => void): Promise<BackendReport> {
    await this.spawn();
    this.report = await this.call((r) => r.init(init, proxy(onNotice)));
    return this.report;
  }

  /** Only the worker and its lifeline, without `init` (tests of the lifeline). */
  async spawn(): Promise<void> {
    installErrorTransfer();
    this.dead = false;
    this.intentional = false;
    this.died = new Promise<never>((_, reject) => (this.rejectAll = reject));
    this.died.catch(() => undefined);
    this.worker = this.opts.spawn();
    this.remote = wrap<Api>(this.worker);
    this.lifeline = null;
    if (!(await this.holdLock())) {
      this.lifeline = 'heartbeat';
      this.startHeartbeat();
    }
  }

  /**
   * The api with a signal: aborting ends the call's loop (or sampling batch)
   * at its next step and keeps the weights; the call then resolves as a stop
   * would. The worker is not terminated.
   */
  abortable(signal?: AbortSignal): Remote<Api> {
    return signal ? this.proxyFor(signal) : this.api;
  }

  /** Reads the weights as they are now into `snapshot`. */
  async refreshSnapshot(): Promise<S> {
    const keeper = this.opts.keeper;
    if (!keeper) throw new Error(`the ${this.name} worker keeps no weights`);
    this.snapshot = await keeper.read(this.api, this.snapshot);
    return this.snapshot;
  }

  /** After a restart: the weights as they were at the last snapshot; their step, or null. */
  async restore(): Promise<number | null> {
    const keeper = this.opts.keeper;
    if (!keeper || this.snapshot === null) return null;
    return keeper.restore(this.api, this.snapshot);
  }

  /** Failure injection; the worker refuses unless the page was opened with ?testHooks=1. */
  readonly hooks = {
    destroyDevice: () => this.api.testDestroyDevice(),
    poisonNextStep: () => this.api.testPoisonNextStep(),
    simulateOomAbove: (limit: number | null) => this.api.testSimulateOomAbove(limit),
    /** Kills the worker behind the client's back, as a crash would. */
    killWorker: () => this.worker.terminate(),
  };

  /** Ends the worker on purpose (no restart). */
  dispose(): void {
    this.intentional = true;
    clearInterval(this.timer);
    this.remote[releaseProxy]();
    this.worker.terminate();
  }

  /** A call on the worker that rejects if the worker dies before answering. */
  private call<R>(fn: (remote: Remote<Api>) => Promise<R>): Promise<R> {
    if (this.dead) return Promise.reject(new WorkerDiedError(this.name));
    return Promise.race([fn(this.remote), this.died]);
  }

  /**
   * A Remote<Api> look-alike: each call is raced against the worker's death;
   * function arguments are proxied (seeing loop snapshots on the way), ports
   * transferred, and the weights read back after the keeper's calls.
   */
  private proxyFor(signal?: AbortSignal): Remote<Api> {
    const target = {} as Remote<Api>;
    return new Proxy(target, {
      get: (_, name) => {
        if (typeof name !== 'string' || name === 'then') return undefined;
        return (...args: unknown[]) => this.invoke(name, args, signal);
      },
    });
  }

  private async invoke(name: string, args: unknown[], signal?: AbortSignal): Promise<unknown> {
    const keeper = this.opts.keeper;
    const wire = args.map((a) => {
      if (typeof MessagePort !== 'undefined' && a instanceof MessagePort) return transfer(a, [a]);
      if (typeof a !== 'function') return a;
      const fn = a as (...x: unknown[]) => unknown;
      return proxy((e: unknown) => {
        if (keeper && isSnapshot(e)) {
          this.snapshot = keeper.fromLoop(this.snapshot, e.step, e.checkpoint);
        }
        return fn(e);
      });
    });
    const remote = (r: Remote<Api>) =>
      (r as unknown as Record<string, (...x: unknown[]) => Promise<unknown>>)[name](...wire);
    const pending = this.call(remote);
    const settled = signal ? this.stopOnAbort(signal, pending) : undefined;
    const result = await pending.finally(() => settled?.());
    if (keeper?.after.includes(name as keyof Api)) {
      this.snapshot = await keeper.read(this.api, this.snapshot, result);
    }
    return result;
  }

  /**
   * Sends `stop` when the signal aborts while `pending` runs. A call that has
   * not yet begun its loop in the worker answers 'idle': stop again until it
   * has, or until the call ends. Returns the clean-up for when it settles.
   */
  private stopOnAbort(signal: AbortSignal, pending: Promise<unknown>): () => void {
    let done = false;
    const stop = async () => {
      while (!done) {
        const state = await this.api.stop().catch(() => 'idle' as const);
        if (state !== 'idle' || done) return;
        await new Promise((r) => setTimeout(r, STOP_RETRY_MS));
      }
    };
    const onAbort = () => void stop();
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    pending.catch(() => undefined);
    return () => {
      done = true;
      signal.removeEventListener('abort', onAbort);
    };
  }

  /** Arms the lock lifeline; false where Web Locks are missing or refused. */
  private async holdLock(): Promise<boolean> {
    if (typeof navigator.locks === 'undefined') return false;
    const lockName = `rlhf-${this.name}-${Date.now()}-${counter++}`;
    try {
      await this.remote.holdLifeLock(lockName);
    } catch {
      return false; // refused in the worker (SecurityError in a third-party frame)
    }
    const worker = this.worker;
    this.lifeline = 'lock';
    navigator.locks
      .request(lockName, () => {
        if (worker === this.worker) this.declareDead();
      })
      .catch(() => {
        // Refused on the page although the worker holds it: watch it by heartbeat.
        if (worker !== this.worker || this.dead || this.intentional) return;
        this.lifeline = 'heartbeat';
        this.startHeartbeat();
      });
    return true;
  }

  private startHeartbeat(): void {
    clearInterval(this.timer);
    let last = Date.now();
    this.timer = setInterval(() => {
      if (Date.now() - last > HEARTBEAT_TIMEOUT_MS) this.declareDead();
      void this.remote.ping().then(() => (last = Date.now()));
    }, HEARTBEAT_MS);
  }

  private declareDead(): void {
    if (this.dead || this.intentional) return;
    this.dead = true;
    clearInterval(this.timer);
    this.rejectAll(new WorkerDiedError(this.name));
    this.worker.terminate();
    this.opts.onDeath();
  }
}
