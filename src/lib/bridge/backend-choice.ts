// Page-side half of backend selection: reading `?backend=` from the URL (the
// measuring and choosing happen in the policy worker, workers/select-backend.ts)
// and saying in a few words which backend runs, for people.
import type { BackendName } from '../../../workers/backend';
import type { BackendReport, CandidateResult } from '../../../workers/backend-decision';
import { BACKEND_NAMES, isBackendName } from './backend-probe';
import { english, type Translate } from '../i18n/format';

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

/**
 * Why this backend runs, in the language of `t`: asked for, or the fastest of
 * the measured candidates (and what became of the others), and on webgpu
 * which path attention takes. A report remembered from before these fields
 * existed keeps its English sentence.
 */
export function backendReason(r: BackendReport, t: Translate = english): string {
  const worded = r.candidates.every((c) => c.status !== 'skipped' || c.skip !== undefined);
  if (!worded) return r.reason;
  const parts: string[] = [];
  const o = r.override;
  if (o && !o.honoured && o.by) {
    parts.push(t('backend.reason.notHonoured', { by: o.by, detail: o.error ?? o.message }));
  }
  const best = r.candidates.find((c) => c.backend === r.backend);
  if (r.source === 'override' && o?.by) {
    // A forced backend is timed for the model's size, unless it renders in software.
    parts.push(
      best && best.msPerStep !== null
        ? t('backend.reason.askedTimed', {
            name: LABELS[r.backend],
            by: o.by,
            timing: timing(best, t),
          })
        : t('backend.reason.asked', { name: LABELS[r.backend], by: o.by }),
    );
  } else if (best) {
    parts.push(
      t('backend.reason.fastest', { name: LABELS[best.backend], timing: timing(best, t) }),
    );
    const others = r.candidates.filter((c) => c !== best).map((c) => candidateText(c, best, t));
    if (others.length > 0) {
      parts.push(t('backend.reason.others', { list: others.join(t('backend.reason.separator')) }));
    }
    if (r.source === 'cache') parts.push(t('backend.reason.remembered'));
  } else {
    return r.reason;
  }
  const a = r.attention;
  if (a) {
    const error = a.error === null ? '' : a.error.toExponential(1);
    if (a.fused) parts.push(t('backend.attention.fused', { error }));
    else if (a.failure !== undefined) {
      parts.push(t('backend.attention.failed', { detail: a.failure }));
    } else parts.push(t('backend.attention.checkFailed', { error }));
  }
  return parts.join(t('backend.reason.sentences'));
}

function timing(c: CandidateResult, t: Translate): string {
  const ms = Math.round(c.msPerStep ?? 0);
  return t(c.timedSteps > 0 ? 'backend.timing.steady' : 'backend.timing.first', { ms });
}

function candidateText(c: CandidateResult, best: CandidateResult, t: Translate): string {
  const name = LABELS[c.backend];
  const detail = c.detail ?? c.note;
  if (c.status === 'skipped') {
    return c.skip === 'cpu'
      ? t('backend.candidate.skippedCpu', { name })
      : t('backend.candidate.skippedSoftware', { name, detail, id: c.backend });
  }
  if (c.status === 'unavailable') return t('backend.candidate.unavailable', { name, detail });
  if (c.status === 'failed' || c.msPerStep === null) {
    return t('backend.candidate.failed', { name, detail });
  }
  const candidate = c.software
    ? t('backend.candidate.software', { name, detail, timing: timing(c, t) })
    : t('backend.candidate.measured', { name, timing: timing(c, t) });
  // A first step (kernel compilation included) is compared with a first step.
  const ref = c.timedSteps > 0 ? best.msPerStep : best.firstStepMs;
  if (!ref) return candidate;
  return t('backend.candidate.slower', { candidate, factor: (c.msPerStep / ref).toFixed(1) });
}
