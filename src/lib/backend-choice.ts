// Page-side half of backend selection: reading `?backend=` from the URL (the
// measuring and choosing happen in the policy worker, workers/select-backend.ts)
// and saying in a few words which backend runs, for people.
import type { BackendName } from '../../workers/backend';
import type { BackendReport } from '../../workers/backend-decision';
import { BACKEND_NAMES, isBackendName } from './backend-probe';

const LABELS: Record<BackendName, string> = {
  webgpu: 'WebGPU',
  webgl: 'WebGL',
  wasm: 'WASM',
  cpu: 'CPU',
};

/** `?backend=wasm` → 'wasm'; an unknown name is reported (and the choice left to measurement). */
export function parseBackendParam(search: string): {
  backend: BackendName | null;
  problem: string | null;
} {
  const raw = new URLSearchParams(search).get('backend');
  if (raw === null || raw === '' || raw === 'auto') return { backend: null, problem: null };
  const name = raw.trim().toLowerCase();
  if (isBackendName(name)) return { backend: name, problem: null };
  return {
    backend: null,
    problem: `?backend=${raw} cannot be honoured: it is not one of ${BACKEND_NAMES.join(', ')}. Chose a backend by measurement instead.`,
  };
}

/** "WebGPU · NVIDIA ampere", "WASM · no GPU found", "WASM · WebGPU only on a fallback adapter". */
export function backendLabel(r: BackendReport): string {
  const name = LABELS[r.backend];
  const a = r.adapter;
  if (r.backend === 'webgpu' && a) {
    const device = [a.vendor, a.architecture].filter(Boolean).join(' ') || 'unknown GPU';
    return `${name} · ${device}${a.isFallback ? ' (fallback adapter)' : ''}`;
  }
  if (!a) return `${name} · no GPU found`;
  if (a.isFallback)
    return `${name} · WebGPU only on a fallback adapter (${a.architecture || a.vendor})`;
  return `${name} · ${[a.vendor, a.architecture].filter(Boolean).join(' ')} not used`;
}
