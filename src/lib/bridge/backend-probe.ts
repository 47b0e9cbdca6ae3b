// Page side of the backend probe: one fresh worker per candidate backend
// (tfjs backends are per realm; a worker that tried webgpu and fell back would
// measure the wrong thing), run one after another so they do not compete for
// the CPU. The page itself never loads tfjs; only types cross from workers/.
import { errorMessage } from '../../core/errors';
import { releaseProxy, wrap } from 'comlink';
import type { BackendName } from '../../../workers/backend';
import type { ProbeApi, ProbeOptions, ProbeResult } from '../../../workers/probe.worker';

export type { BackendName, ProbeResult };

export const BACKEND_NAMES = [
  'webgpu',
  'webgl',
  'wasm',
  'cpu',
] as const satisfies readonly BackendName[];
// Fails to compile if workers/backend.ts gains a backend this list lacks.
const _allListed: BackendName extends (typeof BACKEND_NAMES)[number] ? true : never = true;

export type ProbeRow =
  { backend: BackendName; state: 'pending' | 'running' } | ({ state: 'done' } & ProbeResult);

export function isBackendName(s: string): s is BackendName {
  return (BACKEND_NAMES as readonly string[]).includes(s);
}

/** `?probe=webgpu,cpu` → ['webgpu', 'cpu'], in order, without duplicates or unknown names. */
export function parseProbeParam(search: string): { backends: BackendName[]; unknown: string[] } {
  const raw = new URLSearchParams(search).get('probe') ?? '';
  const names = [...new Set(raw.split(',').map((s) => s.trim().toLowerCase()))].filter(Boolean);
  return { backends: names.filter(isBackendName), unknown: names.filter((n) => !isBackendName(n)) };
}

function failed(backend: BackendName, error: string): ProbeResult {
  return {
    backend,
    ok: false,
    available: false,
    error,
    firstLoss: NaN,
    losses: [],
    msPerStep: NaN,
    leakedTensors: 0,
  };
}

/** Runs the probe for one backend in a fresh worker, which is terminated afterwards. */
export async function probeBackend(
  backend: BackendName,
  opts: ProbeOptions & { timeoutMs?: number },
): Promise<ProbeResult> {
  const worker = new Worker(new URL('../../../workers/probe.worker.ts', import.meta.url), {
    type: 'module',
  });
  const api = wrap<ProbeApi>(worker);
  let timer: ReturnType<typeof setTimeout> | undefined;
  // A worker that fails to load never answers the comlink call; its 'error'
  // event ends the wait instead (the error itself still reaches the console).
  const crashed = new Promise<ProbeResult>((resolve) => {
    worker.addEventListener('error', (ev) => {
      resolve(failed(backend, `worker error: ${ev.message || 'failed to load'}`));
    });
    timer = setTimeout(
      () => resolve(failed(backend, `no answer within ${opts.timeoutMs ?? 180_000} ms`)),
      opts.timeoutMs ?? 180_000,
    );
  });
  try {
    const { seed, steps } = opts;
    return await Promise.race([api.probe(backend, { seed, steps }), crashed]);
  } catch (e) {
    return failed(backend, errorMessage(e));
  } finally {
    clearTimeout(timer);
    api[releaseProxy]();
    worker.terminate();
  }
}

/** Probes the candidates in turn; `onRow` sees each row change (for a live table). */
export async function probeBackends(
  candidates: readonly BackendName[],
  opts: ProbeOptions & { timeoutMs?: number; onRow?: (index: number, row: ProbeRow) => void },
): Promise<ProbeResult[]> {
  const results: ProbeResult[] = [];
  for (const [i, backend] of candidates.entries()) {
    opts.onRow?.(i, { backend, state: 'running' });
    const r = await probeBackend(backend, opts);
    results.push(r);
    opts.onRow?.(i, { ...r, state: 'done' });
  }
  return results;
}
