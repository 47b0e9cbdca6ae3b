// The rules of backend selection (workers/backend-decision.ts), checked on
// made-up measurements: what is measured and in which order, who wins, how
// the choice is explained and which model size follows from it.
/// <reference types="vite/client" />
import { describe, expect, it } from 'vitest';
import {
  cacheKey,
  decide,
  measurementOrder,
  modelSizeFor,
  parseBackendName,
  recoveryOrder,
  type CandidateResult,
} from '../../../workers/backend-decision';

const measured = (
  backend: CandidateResult['backend'],
  msPerStep: number,
  extra: Partial<CandidateResult> = {},
): CandidateResult => ({
  backend,
  status: 'measured',
  msPerStep,
  firstStepMs: msPerStep * 3,
  timedSteps: 2,
  software: false,
  note: '',
  ...extra,
});

describe('backend decision', () => {
  it('measures hardware first, software last, and cpu only as a fallback for wasm', () => {
    expect(measurementOrder({ webgpu: true, webgl: true })).toEqual([
      'wasm',
      'cpu',
      'webgpu',
      'webgl',
    ]);
    expect(measurementOrder({ webgpu: false, webgl: false })).toEqual([
      'webgpu',
      'webgl',
      'wasm',
      'cpu',
    ]);
    expect(measurementOrder({ webgpu: true })).toEqual(['webgl', 'wasm', 'cpu', 'webgpu']);
  });

  it('picks the fastest and says by how much the others lost', () => {
    const fallback = measured('webgpu', 15000, {
      timedSteps: 0,
      firstStepMs: 15000,
      software: true,
      note: 'fallback adapter: swiftshader',
    });
    const wasm = measured('wasm', 25, { firstStepMs: 75 });
    const cpu: CandidateResult = {
      ...measured('cpu', 0),
      status: 'skipped',
      msPerStep: null,
      firstStepMs: null,
      note: 'wasm works',
    };
    const { backend, reason } = decide([fallback, wasm, cpu]);
    expect(backend).toBe('wasm');
    expect(reason).toBe(
      'WASM is the fastest here: WASM 25 ms/step; ' +
        "WebGPU 15000 ms for the first step (fallback adapter: swiftshader), 200.0× slower than WASM's first; " +
        'CPU skipped (wasm works)',
    );
  });

  it('prefers the earlier candidate on a tie and fails with every reason when none runs', () => {
    expect(decide([measured('wasm', 10), measured('webgpu', 10)]).backend).toBe('webgpu');
    const none: CandidateResult[] = [
      { ...measured('webgpu', 0), status: 'unavailable', msPerStep: null, note: 'no adapter' },
      { ...measured('wasm', 0), status: 'failed', msPerStep: null, note: 'no wasm' },
    ];
    expect(() => decide(none)).toThrow(
      /WebGPU unavailable \(no adapter\); WASM failed \(no wasm\)/,
    );
  });

  it('scales the default model to the backend', () => {
    expect(modelSizeFor('webgpu', 20, false)).toBe('nano');
    expect(modelSizeFor('webgpu', 200, false)).toBe('micro');
    // A 2-core laptop's wasm measures ~36 ms: nano, which the lessons need (micro writes garble).
    expect(modelSizeFor('wasm', 36, false)).toBe('nano');
    expect(modelSizeFor('wasm', 120, false)).toBe('nano'); // the same laptop, loaded
    expect(modelSizeFor('wasm', 400, false)).toBe('micro');
    expect(modelSizeFor('webgpu', null, true)).toBe('micro');
    expect(modelSizeFor('webgpu', null, false)).toBe('nano');
    expect(modelSizeFor('cpu', null, false)).toBe('micro');
  });

  it('validates override names and orders recovery from the lost backend on', () => {
    expect(parseBackendName('webgl')).toBe('webgl');
    expect(() => parseBackendName('tpu')).toThrow(
      'backend: is "tpu"; expected one of webgpu, webgl, wasm, cpu',
    );
    expect(recoveryOrder('webgpu')).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
    expect(recoveryOrder('wasm')).toEqual(['wasm', 'cpu', 'webgpu', 'webgl']);
  });

  it('keys the cache by browser and GPU', () => {
    const a = { vendor: 'google', architecture: 'swiftshader', description: '' };
    const k1 = cacheKey('UA/1', a, true, 'ANGLE (SwiftShader)');
    expect(k1).toBe(
      'v1 | UA/1 | webgpu: google/swiftshader//fallback=true | webgl: ANGLE (SwiftShader)',
    );
    expect(cacheKey('UA/2', a, true, 'ANGLE (SwiftShader)')).not.toBe(k1);
    expect(cacheKey('UA/1', null, null, null)).toBe('v1 | UA/1 | webgpu: none | webgl: none');
  });
});
