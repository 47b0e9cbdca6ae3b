import { describe, expect, it } from 'vitest';
import { PROTOCOL, checkCommand } from '../../../src/lib/share/embed-api';

const msg = (fields: Record<string, unknown>) => ({ protocol: PROTOCOL, ...fields });

describe('embed message schema', () => {
  it('accepts each command with its fields', () => {
    expect(checkCommand(msg({ type: 'setStage', stage: 'rank', id: 1 }))).toEqual({
      ok: true,
      command: { type: 'setStage', stage: 'rank' },
      id: 1,
    });
    expect(checkCommand(msg({ type: 'play' }))).toEqual({
      ok: true,
      command: { type: 'play' },
      id: null,
    });
    expect(checkCommand(msg({ type: 'pause', run: 'ppo', id: 'a' }))).toMatchObject({
      ok: true,
      command: { type: 'pause', run: 'ppo' },
    });
    expect(checkCommand(msg({ type: 'loadPreset', preset: 'short-and-sweet' })).ok).toBe(true);
    expect(checkCommand(msg({ type: 'setMetricsEvery', every: 5 })).ok).toBe(true);
  });

  it('ignores messages of other protocols without a reply', () => {
    for (const data of [null, 'play', { type: 'play' }, { protocol: 'x', type: 'play' }]) {
      expect(checkCommand(data)).toEqual({ ok: false, problem: null, id: null });
    }
  });

  it('refuses what the schema does not allow, saying why', () => {
    const problem = (fields: Record<string, unknown>) => {
      const r = checkCommand(msg(fields));
      return r.ok ? 'accepted' : r.problem;
    };
    expect(problem({ type: 'eval', code: 'alert(1)' })).toMatch(
      /^type must be one of setStage, play/,
    );
    expect(problem({ type: 'setStage' })).toBe('setStage needs “stage”');
    expect(problem({ type: 'setStage', stage: '__proto__' })).toMatch(
      /^setStage.stage must be one of/,
    );
    expect(problem({ type: 'play', run: 'all' })).toBe(
      'play.run must be one of sft, rm, ppo, rrhf, dpo, grpo',
    );
    expect(problem({ type: 'step', run: 'grpo' })).toBe('accepted');
    expect(problem({ type: 'play', extra: 1 })).toBe('play takes no field “extra”');
    // Names every object inherits are not fields either (an own `__proto__` comes from JSON or a clone).
    for (const name of ['toString', 'valueOf', 'constructor', 'hasOwnProperty', '__proto__']) {
      const data = JSON.parse(`{"type": "step", "${name}": 1}`) as Record<string, unknown>;
      expect(Object.keys(data)).toContain(name);
      expect(problem(data)).toBe(`step takes no field “${name}”`);
    }
    expect(problem({ type: 'loadPreset', preset: '../x' })).toMatch(/must be a preset id/);
    expect(problem({ type: 'setMetricsEvery', every: 0.5 })).toMatch(/whole number/);
    expect(problem({ type: 'play', id: { x: 1 } })).toMatch(/^id must be/);
  });
});
