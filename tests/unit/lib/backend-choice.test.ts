// The backend label, in English by default and in the language of the
// translator the page passes (the badge passes its `t`).
import { describe, expect, it } from 'vitest';
import { backendLabel, type Translate } from '../../../src/lib/backend-choice';
import type { BackendReport } from '../../../workers/backend-decision';
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
