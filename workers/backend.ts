// tfjs backend selection, for worker code only (the page never loads tfjs).
// tfjs backends are per realm, so each worker initialises its own.
import * as tf from '@tensorflow/tfjs';
// Importing these registers the backends (webgpu only where navigator.gpu
// exists at import time, which is the case in Chromium's workers).
import '@tensorflow/tfjs-backend-webgpu';
import { getThreadsCount, setThreadsCount, setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
// `?url` makes Vite copy the binaries into dist/ and hand back their hashed
// URLs, so the built app serves its own wasm (no CDN; works offline).
import wasmPlainUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimdUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedUrl from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export type BackendName = 'webgpu' | 'webgl' | 'wasm' | 'cpu';

export interface AdapterReport {
  vendor: string;
  architecture: string;
  description: string;
  /** null when the browser does not say (older Chromium). */
  isFallbackAdapter: boolean | null;
}

export interface BackendInfo {
  backend: BackendName;
  /** Only for webgpu. */
  adapter?: AdapterReport;
}

/** The backend cannot run in this browser at all (as opposed to failing later). */
export class BackendUnavailableError extends Error {
  constructor(backend: BackendName, reason: string) {
    super(`${backend} backend unavailable: ${reason}`);
    this.name = 'BackendUnavailableError';
  }
}

// The slice of the WebGPU API read here; TypeScript's libs do not declare it.
interface GPUAdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface GPUAdapterLike {
  info?: GPUAdapterInfoLike;
  isFallbackAdapter?: boolean; // before Chromium moved it into `info`
  requestAdapterInfo?: () => Promise<GPUAdapterInfoLike>;
}
interface GPULike {
  requestAdapter(options?: { powerPreference?: string }): Promise<GPUAdapterLike | null>;
}

function gpu(): GPULike | undefined {
  return (globalThis.navigator as { gpu?: GPULike } | undefined)?.gpu;
}

/** Describes the adapter tfjs will get (it asks for high-performance too). */
export async function webgpuAdapter(): Promise<AdapterReport | null> {
  const g = gpu();
  if (!g) return null;
  const adapter = await g.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) return null;
  const info: GPUAdapterInfoLike =
    adapter.info ?? (adapter.requestAdapterInfo ? await adapter.requestAdapterInfo() : {});
  return {
    vendor: info.vendor ?? '',
    architecture: info.architecture ?? '',
    description: info.description ?? '',
    isFallbackAdapter: info.isFallbackAdapter ?? adapter.isFallbackAdapter ?? null,
  };
}

let wasmPathsSet = false;

/**
 * Makes `name` the active tfjs backend or throws. `tf.setBackend` resolves to
 * false (and tfjs quietly keeps another backend) when e.g. no WebGPU adapter
 * exists, so the result is checked with `tf.getBackend()`.
 */
export async function initBackend(name: BackendName): Promise<BackendInfo> {
  let adapter: AdapterReport | undefined;
  if (name === 'webgpu') {
    if (!gpu()) throw new BackendUnavailableError(name, 'navigator.gpu is missing (no WebGPU)');
    const a = await webgpuAdapter();
    if (!a) throw new BackendUnavailableError(name, 'no adapter (requestAdapter() gave null)');
    adapter = a;
  }
  if (name === 'wasm' && !wasmPathsSet) {
    setWasmPaths({
      'tfjs-backend-wasm.wasm': wasmPlainUrl,
      'tfjs-backend-wasm-simd.wasm': wasmSimdUrl,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedUrl,
    });
    wasmPathsSet = true;
    if (globalThis.crossOriginIsolated) setThreadsCount(wasmThreadsWanted());
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) {
    throw new BackendUnavailableError(
      name,
      `tf.setBackend('${name}') failed; tfjs is on '${tf.getBackend()}'`,
    );
  }
  return adapter ? { backend: name, adapter } : { backend: name };
}

// tfjs's own registration priorities, restored when a backend is re-registered.
const PRIORITY: Record<BackendName, number> = { webgpu: 3, webgl: 2, wasm: 2, cpu: 1 };

/**
 * Frees a backend's resources (a WebGPU device, a WebGL context) but leaves
 * it registered, so `initBackend` can start it afresh later: after a lost
 * WebGPU device, and for the candidates that lost the selection.
 */
export function releaseBackend(name: BackendName): void {
  const factory = backendFactory(name);
  if (!factory) return; // never registered here (e.g. webgpu without navigator.gpu)
  tf.removeBackend(name);
  tf.registerBackend(name, factory, PRIORITY[name]);
}

function backendFactory(name: BackendName): ReturnType<typeof tf.findBackendFactory> | null {
  try {
    return tf.findBackendFactory(name);
  } catch {
    return null;
  }
}

/**
 * The WebGL renderer string, read from a throwaway context, or null without
 * WebGL. "SwiftShader" or "llvmpipe" there means software rendering.
 */
export function webglRenderer(): string | null {
  if (typeof OffscreenCanvas === 'undefined') return null;
  const gl = new OffscreenCanvas(1, 1).getContext('webgl2');
  if (!gl) return null;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER));
  gl.getExtension('WEBGL_lose_context')?.loseContext();
  return renderer;
}

/**
 * The threads wasm kernels run on: more than 1 only where the page is
 * cross-origin isolated (SharedArrayBuffer), as tfjs itself detects.
 */
/**
 * Threads for this worker's wasm kernels where the page is isolated: half the
 * logical cores, as two workers train at once (policy and reward model, or PPO
 * and RRHF side by side) and the page needs a core to stay smooth. On 2 cores
 * that is 1: there, 2 threads trained no faster (BENCHMARKS.md).
 */
export function wasmThreadsWanted(cores = navigator.hardwareConcurrency || 1): number {
  return Math.max(1, Math.floor(cores / 2));
}

export function wasmThreads(): number {
  return tf.getBackend() === 'wasm' ? getThreadsCount() : 1;
}

export function isSoftwareRenderer(renderer: string): boolean {
  return /swiftshader|llvmpipe|software|basic render/i.test(renderer);
}
