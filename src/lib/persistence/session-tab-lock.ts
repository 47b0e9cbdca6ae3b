// One tab keeps a session at a time. The trained models live in one tab's
// workers, so two tabs writing the same session record would overwrite each
// other's progress (a tab opened before training would save "nothing
// trained" over it). The first tab to open a session holds it; a second one
// shows it but saves no progress, and may take it over: the holder then
// saves what it has and lets go, and the taker reloads to restore it.
//
// A Web Lock per session (released by the browser when a tab closes or
// crashes); where locks are missing or refused (insecure origins, some
// third-party frames) a BroadcastChannel handshake stands in: a tab asks
// who holds the session, and the holder answers.

const LOCK_PREFIX = 'rlhf-playground/session/';
const CHANNEL = 'rlhf-playground/sessions';
/** A tab reloading must get the lock its previous page held: the old page lets go a moment later. */
const ACQUIRE_WAIT_MS = 1500;
/** How long the fallback waits for a holder to answer. */
const ANSWER_WAIT_MS = 400;
/** How long a take-over waits for the holder to save and let go before taking the lock anyway. */
const TAKEOVER_WAIT_MS = 4000;

type Message =
  | { type: 'who'; id: string; from: string }
  | { type: 'mine'; id: string; to: string }
  | { type: 'release'; id: string; from: string }
  | { type: 'released'; id: string; to: string };

export type LockOutcome = 'held' | 'elsewhere';

interface LockManagerLike {
  request(
    name: string,
    options: { signal?: AbortSignal; steal?: boolean },
    callback: () => Promise<void>,
  ): Promise<void>;
  query?(): Promise<{ held?: { name?: string }[] }>;
}

function lockManager(): LockManagerLike | null {
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  return locks && typeof locks.request === 'function' ? locks : null;
}

export class SessionTabLock {
  /** This tab held the session and another tab took it over (or stole the lock). */
  onLost: (() => void) | null = null;
  /** Another tab asks to take the session over: save what there is first. */
  onYield: (() => Promise<void>) | null = null;
  private id: string | null = null;
  private letGo: (() => void) | null = null;
  private holding = false;
  private readonly tab = Math.random().toString(36).slice(2);
  private readonly channel: BroadcastChannel | null =
    typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
  /** Locks were refused here: the channel handshake decides instead. */
  private fallback = lockManager() === null;

  constructor() {
    this.channel?.addEventListener('message', (e: MessageEvent<Message>) => {
      void this.onMessage(e.data);
    });
  }

  get held(): boolean {
    return this.holding;
  }

  /** Holds session `id` for this tab, or says that another tab holds it. */
  async acquire(id: string): Promise<LockOutcome> {
    this.release();
    this.id = id;
    if (!this.fallback) {
      const r = await this.requestLock(id, ACQUIRE_WAIT_MS);
      if (r !== 'refused') return this.settle(r);
      this.fallback = true;
    }
    return this.settle((await this.answered(id)) ? 'elsewhere' : 'held');
  }

  private settle(r: LockOutcome): LockOutcome {
    this.holding = r === 'held';
    return r;
  }

  /** Lets go of the session (this tab keeps it no more). */
  release(): void {
    this.holding = false;
    this.letGo?.();
    this.letGo = null;
  }

  /**
   * Asks the tab holding the session to save and let go; resolves once it
   * has (or after a wait, when the lock is taken regardless). The caller
   * then reloads, and the reloaded page holds the session.
   */
  async takeOver(): Promise<void> {
    const id = this.id;
    if (!id) return;
    const released = this.waitFor('released', id, TAKEOVER_WAIT_MS);
    this.post({ type: 'release', id, from: this.tab });
    const locks = this.fallback ? null : lockManager();
    if (!locks) {
      await released;
      return;
    }
    const r = await this.requestLock(id, TAKEOVER_WAIT_MS);
    if (r === 'elsewhere') {
      // The holder did not answer (frozen, or an older page): take the lock from it.
      await locks
        .request(LOCK_PREFIX + id, { steal: true }, () => Promise.resolve())
        .catch(() => undefined);
    }
    // The lock goes to the reloaded page.
    this.release();
  }

  /** Which of `ids` another tab holds now (empty where it cannot be known). */
  async heldElsewhere(ids: readonly string[]): Promise<string[]> {
    const locks = this.fallback ? null : lockManager();
    if (!locks?.query) return [];
    try {
      const held = new Set(((await locks.query()).held ?? []).map((l) => l.name));
      return ids.filter((id) => held.has(LOCK_PREFIX + id) && !(this.holding && id === this.id));
    } catch {
      return [];
    }
  }

  private requestLock(id: string, waitMs: number): Promise<LockOutcome | 'refused'> {
    const locks = lockManager();
    if (!locks) return Promise.resolve('refused');
    return new Promise((resolve) => {
      const abort = new AbortController();
      const timer = setTimeout(() => abort.abort(), waitMs);
      let granted = false;
      locks
        .request(LOCK_PREFIX + id, { signal: abort.signal }, () => {
          granted = true;
          clearTimeout(timer);
          resolve('held');
          return new Promise<void>((done) => (this.letGo = done));
        })
        .catch((e: unknown) => {
          clearTimeout(timer);
          if (!granted) {
            resolve(
              (e as { name?: string } | null)?.name === 'AbortError' ? 'elsewhere' : 'refused',
            );
          } else if (this.holding && this.id === id) {
            // Stolen by a tab that took the session over.
            this.holding = false;
            this.letGo = null;
            this.onLost?.();
          }
        });
    });
  }

  /** Fallback: whether a tab answers that it holds `id`. */
  private answered(id: string): Promise<boolean> {
    if (!this.channel) return Promise.resolve(false);
    const answer = this.waitFor('mine', id, ANSWER_WAIT_MS);
    this.post({ type: 'who', id, from: this.tab });
    return answer;
  }

  private waitFor(type: 'mine' | 'released', id: string, ms: number): Promise<boolean> {
    const channel = this.channel;
    if (!channel) return Promise.resolve(false);
    return new Promise((resolve) => {
      const onMessage = (e: MessageEvent<Message>) => {
        const m = e.data;
        if (m?.type === type && m.id === id && m.to === this.tab) finish(true);
      };
      const finish = (v: boolean) => {
        clearTimeout(timer);
        channel.removeEventListener('message', onMessage);
        resolve(v);
      };
      const timer = setTimeout(() => finish(false), ms);
      channel.addEventListener('message', onMessage);
    });
  }

  private post(m: Message): void {
    this.channel?.postMessage(m);
  }

  private async onMessage(m: Message): Promise<void> {
    if (!m || m.id !== this.id || !this.holding) return;
    if (m.type === 'who' && this.fallback) this.post({ type: 'mine', id: m.id, to: m.from });
    if (m.type === 'release') {
      await this.onYield?.().catch(() => undefined);
      this.release();
      this.onLost?.();
      this.post({ type: 'released', id: m.id, to: m.from });
    }
  }
}
