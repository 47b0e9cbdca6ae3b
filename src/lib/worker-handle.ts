// Owns one worker's lifetime on the page: starts it, wraps it with comlink,
// and notices when it dies. A terminated or crashed worker sends no event, so
// the worker holds a Web Lock for as long as it lives and the page queues for
// the same lock: the page is granted it exactly when the worker is gone. Where
// Web Locks are missing (an insecure context) or refused (a third-party frame
// without storage access) a heartbeat does the same, slower.
// Calls still waiting on a dead worker reject with WorkerDiedError.
import { releaseProxy, wrap, type Remote } from 'comlink';
import { installErrorTransfer } from '../../workers/remote-error';

export class WorkerDiedError extends Error {
  constructor(name: string) {
    super(`the ${name} worker stopped unexpectedly`);
    this.name = 'WorkerDiedError';
  }
}

interface Lifeline {
  holdLifeLock(name: string): Promise<void>;
  ping(): string;
}

const HEARTBEAT_MS = 5_000;
const HEARTBEAT_TIMEOUT_MS = 30_000;
let counter = 0;

export class WorkerHandle<T extends Lifeline> {
  worker!: Worker;
  remote!: Remote<T>;
  private dead = false;
  private intentional = false;
  private rejectAll: (e: Error) => void = () => undefined;
  private died!: Promise<never>;
  private timer: ReturnType<typeof setInterval> | undefined;
  /** How the page learns of the worker's death (null before start). */
  lifeline: 'lock' | 'heartbeat' | null = null;

  constructor(
    readonly name: string,
    private readonly spawn: () => Worker,
    private readonly onDeath: () => void,
  ) {}

  /** Starts a fresh worker (also after a death) and arms the lifeline. */
  async start(): Promise<void> {
    installErrorTransfer();
    this.dead = false;
    this.intentional = false;
    this.died = new Promise<never>((_, reject) => (this.rejectAll = reject));
    this.died.catch(() => undefined);
    this.worker = this.spawn();
    this.remote = wrap<T>(this.worker);
    this.lifeline = null;
    if (!(await this.holdLock())) {
      this.lifeline = 'heartbeat';
      this.startHeartbeat();
    }
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
    this.onDeath();
  }

  /** A call on the worker that rejects if the worker dies before answering. */
  call<R>(fn: (remote: Remote<T>) => Promise<R>): Promise<R> {
    if (this.dead) return Promise.reject(new WorkerDiedError(this.name));
    return Promise.race([fn(this.remote), this.died]);
  }

  /** Test hook: kills the worker behind the client's back, as a crash would. */
  killForTest(): void {
    this.worker.terminate();
  }

  /** Ends the worker on purpose (no restart). */
  dispose(): void {
    this.intentional = true;
    clearInterval(this.timer);
    this.remote[releaseProxy]();
    this.worker.terminate();
  }
}
