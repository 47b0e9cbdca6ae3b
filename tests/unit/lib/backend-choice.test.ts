// The backend label, in English by default and in the language of the
// translator the page passes (the badge passes its `t`).
import { describe, expect, it } from 'vitest';
import {
  backendLabel,
  backendReason,
  type Translate,
} from '../../../src/lib/bridge/backend-choice';
import type { BackendReport, CandidateResult } from '../../../workers/backend-decision';
import { zh } from '../../../src/lib/i18n/zh';
import { fill } from '../../../src/lib/i18n/format';

const report = (backend: BackendReport['backend'], adapter: BackendReport['adapter']) =>
  ({
    backend,
    adapter,
    msPerStep: {},
    candidates: [],
    reason: '',
    source: 'measured',
    override: null,
    modelSize: 'micro',
  }) satisfies BackendReport;

const chinese: Translate = (key, params) => fill(zh[key], params);

describe('backendLabel', () => {
  const nvidia = { vendor: 'nvidia', architecture: 'ampere', isFallback: false };
  const swift = { vendor: 'google', architecture: 'swiftshader', isFallback: true };

  it('says which backend runs and what GPU there is, in English by default', () => {
    expect(backendLabel(report('webgpu', nvidia))).toBe('WebGPU · nvidia ampere');
    expect(backendLabel(report('webgpu', swift))).toBe(
      'WebGPU · google swiftshader (fallback adapter)',
    );
    expect(
      backendLabel(report('webgpu', { vendor: '', architecture: '', isFallback: false })),
    ).toBe('WebGPU · unknown GPU');
    expect(backendLabel(report('wasm', null))).toBe('WASM · no GPU found');
    expect(backendLabel(report('wasm', swift))).toBe(
      'WASM · WebGPU only on a fallback adapter (swiftshader)',
    );
    expect(backendLabel(report('webgl', nvidia))).toBe('WebGL · nvidia ampere not used');
  });

  it('speaks the translator’s language', () => {
    expect(backendLabel(report('wasm', null), chinese)).toBe('WASM · 没有找到 GPU');
    expect(backendLabel(report('wasm', swift), chinese)).toBe(
      'WASM · WebGPU 只有回退适配器（swiftshader）',
    );
  });
});

describe('backendLabel, threads', () => {
  const wasm = (threads: number | undefined) => ({ ...report('wasm', null), threads });

  it('says how many threads wasm runs on, when the worker reported it', () => {
    expect(backendLabel(wasm(1))).toBe('WASM · no GPU found · 1 thread');
    expect(backendLabel(wasm(4))).toBe('WASM · no GPU found · 4 threads');
    expect(backendLabel(wasm(4), chinese)).toBe('WASM · 没有找到 GPU · 4 个线程');
    expect(backendLabel(wasm(undefined))).toBe('WASM · no GPU found');
  });

  it('says nothing of threads on the other backends', () => {
    const gpu = { ...report('webgpu', { vendor: 'nvidia', architecture: '', isFallback: false }) };
    expect(backendLabel({ ...gpu, threads: 4 })).toBe('WebGPU · nvidia');
  });
});

describe('fill', () => {
  it('fills named parameters and leaves unknown ones as written', () => {
    expect(fill('{a} and {b}, not {c}', { a: 1, b: 'two' })).toBe('1 and two, not {c}');
    expect(fill('no parameters')).toBe('no parameters');
  });
});

describe('backendReason', () => {
  const cand = (c: Partial<CandidateResult> & Pick<CandidateResult, 'backend' | 'status'>) =>
    ({
      msPerStep: null,
      firstStepMs: null,
      timedSteps: 0,
      software: false,
      note: 'english note',
      ...c,
    }) satisfies CandidateResult;
  const measured: BackendReport = {
    ...report('wasm', { vendor: 'google', architecture: 'swiftshader', isFallback: true }),
    reason: 'the English sentence',
    candidates: [
      cand({
        backend: 'webgpu',
        status: 'measured',
        msPerStep: 8400,
        firstStepMs: 8400,
        software: true,
        detail: 'swiftshader',
      }),
      cand({ backend: 'webgl', status: 'unavailable', detail: 'no WebGL2 context' }),
      cand({
        backend: 'wasm',
        status: 'measured',
        msPerStep: 684.4,
        firstStepMs: 1200,
        timedSteps: 3,
      }),
      cand({ backend: 'cpu', status: 'skipped', skip: 'cpu' }),
    ],
  };

  it('words a measured choice from its numbers: the winner, then each other candidate', () => {
    // webgpu was cut after its first step: 8400 / wasm's first 1200 = 7.0×.
    expect(backendReason(measured)).toBe(
      'WASM is the fastest here: 684 ms per step. Others: WebGPU on software (swiftshader) 8400 ms for the first step, 7.0× slower; WebGL not available (no WebGL2 context); CPU not measured: WASM runs, and it is faster than CPU wherever both run.',
    );
    expect(backendReason({ ...measured, source: 'cache' })).toMatch(/earlier visit/);
  });

  it('speaks Chinese with no English sentence left, apart from quoted details', () => {
    const text = backendReason(measured, chinese);
    expect(text).toBe(
      'WASM 在这里最快：每步 684 毫秒。其他：WebGPU（软件：swiftshader）第一步 8400 毫秒，慢 7.0 倍；WebGL 不可用（no WebGL2 context）；CPU 没有测速：WASM 可用，而且凡是两者都能运行的地方 WASM 都比 CPU 快。',
    );
  });

  it('says when it was asked for, and which path attention takes on webgpu', () => {
    const asked: BackendReport = {
      ...report('webgpu', { vendor: 'nvidia', architecture: 'hopper', isFallback: false }),
      source: 'override',
      override: { requested: 'webgpu', honoured: true, message: 'm', by: '?backend=webgpu' },
      attention: { fused: true, error: 3.2e-7 },
    };
    expect(backendReason(asked)).toBe(
      'WebGPU was asked for (?backend=webgpu); not measured. Attention runs on fused WebGPU kernels (checked against float64: largest relative error 3.2e-7).',
    );
    const broken = { ...asked, attention: { fused: false, error: 0.2 } };
    expect(backendReason(broken)).toMatch(/failed their check .* \(relative error 2\.0e-1\)/);
  });

  it('gives the speed of a backend asked for, timed for the model’s size', () => {
    const timed: CandidateResult = {
      backend: 'wasm',
      status: 'measured',
      msPerStep: 41.6,
      firstStepMs: 230,
      timedSteps: 2,
      software: false,
      note: '',
    };
    const asked: BackendReport = {
      ...report('wasm', null),
      msPerStep: { wasm: 41.6 },
      candidates: [timed],
      source: 'override',
      override: { requested: 'wasm', honoured: true, message: 'm', by: '?backend=wasm' },
      modelSize: 'nano',
    };
    expect(backendReason(asked)).toBe('WASM was asked for (?backend=wasm): 42 ms per step.');
    expect(backendReason(asked, chinese)).toBe('按要求使用 WASM（?backend=wasm）：每步 42 毫秒。');
  });

  it('keeps the English sentence of a report remembered from before it was worded', () => {
    const old = {
      ...measured,
      candidates: measured.candidates.map((c) => (c.skip ? { ...c, skip: undefined } : c)),
    };
    expect(backendReason(old, chinese)).toBe('the English sentence');
  });
});
