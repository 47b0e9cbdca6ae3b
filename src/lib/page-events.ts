// What happens in one part of the page that other parts react to, as named
// events. A stage says what happened ("the SFT model is fixed"), never which
// of its siblings care; who listens is wired once, in wiring.ts.
import type { Preset } from '../core/presets';

export interface PageEventMap {
  /** A preset was opened (its rankings and demonstrations are not loaded yet). */
  preset: [preset: Preset];
  /** A new base model is loaded: everything trained on the previous one is gone. */
  base: [];
  /**
   * SFT is about to train the main lane (its argument: whether an SFT model
   * was fixed before); the listeners give the lane back before it starts.
   */
  sftStarting: [sftFixed: boolean];
  /** The SFT model became the frozen reference (fixed, or put back from the saved session). */
  sft: [];
  /** A reward model finished training. */
  rewardModel: [];
  /** A sampling setting changed. */
  sampling: [];
}

export type PageEventName = keyof PageEventMap;
type Listener<K extends PageEventName> = (...args: PageEventMap[K]) => unknown;
type AnyListener = (...args: unknown[]) => unknown;

export class PageEvents {
  private readonly listeners = new Map<PageEventName, AnyListener[]>();

  on<K extends PageEventName>(name: K, listener: Listener<K>): void {
    this.listeners.set(name, [
      ...(this.listeners.get(name) ?? []),
      listener as unknown as AnyListener,
    ]);
  }

  /**
   * Calls the listeners in the order they were wired (each starts before the
   * next, so what they do at once happens in that order); the promise settles
   * when the asynchronous ones have finished.
   */
  async emit<K extends PageEventName>(name: K, ...args: PageEventMap[K]): Promise<void> {
    const listeners = this.listeners.get(name) ?? [];
    await Promise.all(listeners.map((listener) => listener(...args)));
  }
}
