import { describe, expect, it } from 'vitest';
import {
  SETTINGS,
  SETTING_KEYS,
  defaultSettings,
  keysOf,
  parseValue,
  problemsFor,
  validateSettings,
} from '../../../src/lib/settings/settings';
import { fill } from '../../../src/lib/i18n/format';
import { zh } from '../../../src/lib/i18n/zh';

describe('settings schema', () => {
  it('every default passes its own validation', () => {
    expect(validateSettings(defaultSettings())).toEqual({});
  });

  it('defaults carry the published values where they transfer', () => {
    const d = defaultSettings();
    // TRL PPOConfig: cliprange 0.2, cliprange_value 0.2, vf_coef 0.1, init_kl_coef 0.2,
    // target 6; its ppo_epochs 4 × minibatches of 8 become 2 × minibatches of 4 here: the
    // same 8 updates an iteration (docs/lessons.md); InstructGPT K = 4..9; RRHF length norm 1. The KL horizon
    // is TRL's 10000 scaled to a 30-iteration lesson: β may move by 5% per iteration.
    expect(d['ppo.clipRange']).toBe(0.2);
    expect(d['ppo.clipRangeValue']).toBe(0.2);
    expect(d['ppo.vfCoef']).toBe(0.1);
    expect(d['ppo.ppoEpochs'] * (d['ppo.batchSize'] / d['ppo.miniBatchSize'])).toBe(8);
    expect(d['ppo.klCoef']).toBe(0.2);
    expect(d['ppo.klTarget']).toBe(6);
    expect(d['ppo.klHorizon']).toBe(4 * d['ppo.batchSize']);
    expect(d['sample.k']).toBe(4);
    expect(d['rrhf.lengthPenalty']).toBe(1);
    expect(d['rrhf.topP']).toBe(0.9);
    expect(d['rm.objective']).toBe('pairwise');
  });

  it('every setting has a label, help and a source, and belongs to a group', () => {
    for (const key of SETTING_KEYS) {
      const s = SETTINGS[key];
      expect(s.label.length, key).toBeGreaterThan(0);
      expect(s.help.length, key).toBeGreaterThan(0);
      expect(s.source.length, key).toBeGreaterThan(0);
      expect(key.startsWith(s.group === 'sampling' ? 'sample.' : `${s.group}.`), key).toBe(true);
    }
    expect(keysOf('rrhf')).toContain('rrhf.lengthPenalty');
  });
});

describe('parsing what a person types', () => {
  it('accepts decimals and exponents', () => {
    expect(parseValue('ppo.lr', '3e-4')).toEqual({ ok: true, value: 3e-4 });
    expect(parseValue('sample.temperature', ' 0.7 ')).toEqual({ ok: true, value: 0.7 });
    expect(parseValue('sample.topP', '.9')).toEqual({ ok: true, value: 0.9 });
  });

  it('says what is wrong with a bad value', () => {
    const bad = (key: Parameters<typeof parseValue>[0], raw: string) => {
      const r = parseValue(key, raw);
      return r.ok ? 'accepted' : r.problem;
    };
    expect(bad('sample.k', '12')).toMatch(/12 is out of range: expected ≥ 2 and ≤ 9/);
    expect(bad('sample.k', '3.5')).toMatch(/whole number/);
    expect(bad('ppo.lr', '')).toMatch(/Enter a number/);
    expect(bad('ppo.lr', 'fast')).toMatch(/not a number/);
    expect(bad('ppo.lr', '0x10')).toMatch(/not a number/);
    expect(bad('sample.topP', '0')).toMatch(/> 0/);
    expect(bad('ppo.clipRange', '-0.2')).toMatch(/out of range/);
    expect(bad('rm.objective', 'vibes')).toMatch(/Choose one of/);
  });
});

describe('rules across settings', () => {
  it('a minibatch larger than the batch is reported on the minibatch', () => {
    const s = { ...defaultSettings(), 'ppo.batchSize': 4, 'ppo.miniBatchSize': 8 };
    expect(validateSettings(s)['ppo.miniBatchSize']).toMatch(/larger than the 4 rollouts/);
  });

  it('new tokens must fit the context after the longest prompt', () => {
    const s = { ...defaultSettings(), 'sample.maxNewTokens': 100 };
    const problems = validateSettings(s, { contextLength: 128, longestPrompt: 60 });
    expect(problems['sample.maxNewTokens']).toMatch(/at most 68 new tokens fit/);
    expect(validateSettings(s, { contextLength: 128, longestPrompt: 28 })).toEqual({});
  });

  it('problemsFor lists only the stages asked for, with group and label', () => {
    const s = { ...defaultSettings(), 'ppo.lr': 5, 'sft.steps': 0 };
    const problems = validateSettings(s);
    expect(problemsFor(['sft'], problems)).toEqual([
      'Supervised fine-tuning · Steps: 0 is out of range: expected ≥ 1 and ≤ 100000.',
    ]);
    expect(problemsFor(['ppo'], problems)[0]).toMatch(/^PPO · Learning rate: 5 is out of range/);
  });
});

describe('problems in the reader’s language', () => {
  const chinese = (key: keyof typeof zh, params?: Record<string, string | number>) =>
    fill(zh[key], params);

  it('says in Chinese what is wrong, with the same numbers', () => {
    expect(parseValue('ppo.lr', 'abc', chinese)).toEqual({
      ok: false,
      problem: '“abc”不是一个数。',
    });
    expect(parseValue('sample.k', '2.5', chinese)).toEqual({
      ok: false,
      problem: '请输入一个整数（≥ 2 且 ≤ 9）。',
    });
    const s = { ...defaultSettings(), 'sft.steps': 0, 'ppo.miniBatchSize': 32 };
    const problems = validateSettings(s, { contextLength: 128, longestPrompt: 100 }, chinese);
    expect(problems['sft.steps']).toBe('0 超出范围：应当 ≥ 1 且 ≤ 100000。');
    expect(problems['ppo.miniBatchSize']).toBe('小批量（32）比每次迭代的 16 个 rollout 还大。');
    expect(problems['sample.maxNewTokens']).toBe(
      '最长的提示占了 128 个 token 上下文中的 100 个：最多只能再生成 28 个新 token。',
    );
  });

  it('names the setting as the caller asks', () => {
    const problems = validateSettings({ ...defaultSettings(), 'sft.steps': 0 }, undefined, chinese);
    expect(problemsFor(['sft'], problems, () => '监督微调 · 步数')).toEqual([
      '监督微调 · 步数: 0 超出范围：应当 ≥ 1 且 ≤ 100000。',
    ]);
  });
});
