// Pause / resume / single-step / stop for a training loop. The loop awaits
// `next()` before each step; the worker's API calls flip the state from the
// page. Stopping ends the loop after the current step and keeps the weights.
import { ArgumentError } from '../src/core/errors';

export type LoopState = 'idle' | 'running' | 'paused' | 'stopping';

/** Pause / resume / single-step / stop, shared by the loop and the API calls. */
export class LoopControl {
  state: LoopState = 'idle';
  onChange: ((s: LoopState) => void) | null = null;
  private single = false;
  private wake: (() => void) | null = null;

  private set(s: LoopState): LoopState {
    if (s !== this.state) {
      this.state = s;
      this.onChange?.(s);
    }
    this.wake?.();
    this.wake = null;
    return s;
  }

  begin(paused: boolean): void {
    if (this.state !== 'idle') {
      throw new ArgumentError('train', `a loop is already ${this.state}; stop it first`);
    }
    this.single = false;
    this.set(paused ? 'paused' : 'running');
  }

  pause(): LoopState {
    return this.state === 'running' ? this.set('paused') : this.state;
  }

  resume(): LoopState {
    return this.state === 'paused' ? this.set('running') : this.state;
  }

  /** One step, then paused again. While running: pause after the current step. */
  stepOnce(): LoopState {
    if (this.state === 'running') return this.set('paused');
    if (this.state === 'paused') this.single = true;
    return this.set(this.state);
  }

  stop(): LoopState {
    return this.state === 'idle' ? 'idle' : this.set('stopping');
  }

  end(): void {
    this.set('idle');
  }

  /** Waits until the next step may run; false once stopped. */
  async next(): Promise<boolean> {
    // On wasm and cpu a step's awaits resolve as microtasks, so a loop that
    // never yields would starve the message queue: pause, stop and every
    // other call from the page would wait until the loop ends.
    await yieldToEvents();
    for (;;) {
      if (this.state === 'stopping') return false;
      if (this.state === 'running') return true;
      if (this.state === 'paused' && this.single) {
        this.single = false;
        return true;
      }
      await new Promise<void>((resolve) => (this.wake = resolve));
    }
  }
}

// A macrotask boundary, so queued messages run. Not `scheduler.yield()`: its
// continuation outranks message events. Not `setTimeout(0)`: nested timers
// are clamped to 4 ms, which would double the time of a tiny model's step.
let yieldChannel: MessageChannel | null = null;
const yieldWaiters: (() => void)[] = [];
function yieldToEvents(): Promise<void> {
  if (!yieldChannel) {
    yieldChannel = new MessageChannel();
    yieldChannel.port1.onmessage = () => yieldWaiters.shift()?.();
  }
  const channel = yieldChannel;
  return new Promise((resolve) => {
    yieldWaiters.push(resolve);
    channel.port2.postMessage(null);
  });
}
