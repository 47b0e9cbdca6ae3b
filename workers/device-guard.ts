// Watches the WebGPU device that tfjs runs on. A device can be lost at any
// time (driver reset, another tab's crash, `device.destroy()` in a test); work
// queued on it then never finishes or fails in odd ways, so every step is
// raced against the loss and the worker re-initialises instead of hanging.
import * as tf from '@tensorflow/tfjs';
import { ArgumentError } from '../src/core/errors';

interface DeviceLostInfo {
  reason?: string;
  message?: string;
}
interface GPUDeviceLike {
  lost: Promise<DeviceLostInfo>;
  destroy(): void;
}

export class DeviceLostError extends Error {
  constructor(detail: string) {
    super(`the GPU device was lost (${detail})`);
    this.name = 'DeviceLostError';
  }
}

export class DeviceGuard {
  private device: GPUDeviceLike | null = null;
  private lostDetail: string | null = null;
  private signal: Promise<never> | null = null;

  /** Starts watching the active backend's device; off webgpu there is nothing to watch. */
  watch(): void {
    this.lostDetail = null;
    this.signal = null;
    const backend = tf.getBackend() === 'webgpu' ? tf.backend() : null;
    const device = (backend as unknown as { device?: GPUDeviceLike } | null)?.device ?? null;
    this.device = device;
    if (!device) return;
    this.signal = new Promise<never>((_, reject) => {
      void device.lost.then((info) => {
        if (this.device !== device) return; // an old device, already replaced
        this.lostDetail = [info.reason, info.message].filter(Boolean).join(': ') || 'unknown';
        reject(new DeviceLostError(this.lostDetail));
      });
    });
    this.signal.catch(() => undefined); // observed through `race` and `lost`
  }

  /** Why the device was lost, or null while it is fine. */
  get lost(): string | null {
    return this.lostDetail;
  }

  /**
   * Whether an error on webgpu came from a lost device. The loss is reported
   * asynchronously, often after the failed call itself ("Buffer was unmapped
   * before mapping was resolved"), so wait a moment for it.
   */
  async confirmLost(waitMs = 1000): Promise<string | null> {
    if (this.lostDetail || !this.signal) return this.lostDetail;
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, waitMs));
    await Promise.race([this.signal.catch(() => undefined), timeout]);
    return this.lostDetail;
  }

  /** `work`, unless the device is lost first. */
  race<T>(work: Promise<T>): Promise<T> {
    if (!this.signal) return work;
    // The losing side may still reject later; that is expected, not unhandled.
    work.catch(() => undefined);
    return Promise.race([work, this.signal]);
  }

  /** Test hook: loses the device the way a driver reset would. */
  destroyForTest(): void {
    if (!this.device) {
      throw new ArgumentError('destroyDevice', `the worker runs on ${tf.getBackend()}, not webgpu`);
    }
    this.device.destroy();
  }
}
