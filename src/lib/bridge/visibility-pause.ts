// An embedded playground trains only while someone can see it: when its
// iframe is scrolled out of view (IntersectionObserver, whose implicit root
// is the top-level viewport even across origins) or its tab is hidden, the
// running loops pause; when it is seen again, the loops it paused resume.
// Loops a person paused stay paused.

export interface PausableRun {
  readonly status: string;
  pause(): Promise<void>;
  resume(): Promise<void>;
}

export class VisibilityPause<K extends string> {
  private onScreen = true;
  private paused = new Set<K>();
  private observer: IntersectionObserver | null = null;
  private readonly onVisibility = () => void this.check();

  constructor(
    private readonly runs: () => [K, PausableRun][],
    private readonly report: (visible: boolean, paused: K[], resumed: K[]) => void,
  ) {}

  get visible(): boolean {
    return this.onScreen && document.visibilityState !== 'hidden';
  }

  start(target: Element): void {
    this.observer = new IntersectionObserver((entries) => {
      const last = entries[entries.length - 1];
      if (!last) return;
      this.onScreen = last.isIntersecting;
      void this.check();
    });
    this.observer.observe(target);
    document.addEventListener('visibilitychange', this.onVisibility);
  }

  stop(): void {
    this.observer?.disconnect();
    document.removeEventListener('visibilitychange', this.onVisibility);
  }

  /** Pauses or resumes to match what can be seen now (also call it when a run starts). */
  async check(): Promise<void> {
    const pausedNow: K[] = [];
    const resumedNow: K[] = [];
    if (!this.visible) {
      for (const [name, run] of this.runs()) {
        if (run.status === 'running' && !this.paused.has(name)) {
          this.paused.add(name);
          pausedNow.push(name);
          await run.pause();
        }
      }
    } else {
      for (const [name, run] of this.runs()) {
        if (!this.paused.has(name)) continue;
        this.paused.delete(name);
        if (run.status === 'paused') {
          resumedNow.push(name);
          await run.resume();
        }
      }
    }
    if (pausedNow.length > 0 || resumedNow.length > 0) {
      this.report(this.visible, pausedNow, resumedNow);
    }
  }
}
