// Page-side half of backend selection: reading `?backend=` from the URL (the
// measuring and choosing happen in the policy worker, workers/select-backend.ts)
// and saying in a few words which backend runs, for people.
import type { BackendName } from '../../workers/backend';
import type { BackendReport } from '../../workers/backend-decision';
import { BACKEND_NAMES, isBackendName } from './backend-probe';
import { english, type Translate } from './i18n/format';

export type { Translate };

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

/**
 * "WebGPU · NVIDIA ampere", "WASM · no GPU found · 1 thread", "WASM · WebGPU
 * only on a fallback adapter · 2 threads", in the language of `t` (English by
 * default). wasm says how many threads its kernels run on: more than one only
 * where the page is cross-origin isolated.
 */
export function backendLabel(r: BackendReport, t: Translate = english): string {
  const label = deviceLabel(r, t);
  if (r.backend !== 'wasm' || r.threads === undefined) return label;
  return r.threads === 1
    ? t('backend.label.oneThread', { label })
    : t('backend.label.threads', { label, n: r.threads });
}

function deviceLabel(r: BackendReport, t: Translate): string {
  const name = LABELS[r.backend];
  const a = r.adapter;
  const device = a ? [a.vendor, a.architecture].filter(Boolean).join(' ') : '';
  if (r.backend === 'webgpu' && a) {
    const shown = device || t('backend.label.unknownGpu');
    return t(a.isFallback ? 'backend.label.webgpuFallback' : 'backend.label.webgpu', {
      name,
      device: shown,
    });
  }
  if (!a) return t('backend.label.noGpu', { name });
  if (a.isFallback) {
    return t('backend.label.fallbackOnly', { name, device: a.architecture || a.vendor });
  }
  return t('backend.label.unused', { name, device });
}
