import { describe, expect, it } from 'vitest';
import { defaultSettings, parseValue, SETTINGS } from '../../../src/lib/settings/settings';
import { pickMessage, type Translate } from '../../../src/lib/i18n/format';
import { zh } from '../../../src/lib/i18n/zh';

import {
  MAX_URL_CHARS,
  clampSetting,
  decodeUrlState,
  describeProblems,
  encodeUrlState,
  parseOrigin,
  quote,
} from '../../../src/lib/share/url-state';
import type { ShareState } from '../../../src/lib/share/url-params';

const base: ShareState = {
  preset: 'happy-endings',
  stage: 'start',
  seed: 1,
  settings: defaultSettings(),
};

describe('URL codec', () => {
  it('round-trips every kind of key through the hash', () => {
    const s: ShareState = {
      preset: 'uses-dialogue',
      stage: 'optimise',
      seed: 1234,
      lang: 'zh',
      theme: 'dark',
      backend: 'wasm',
      model: 'micro',
      optimise: 'rrhf',
      hide: ['backend', 'ppo', 'sample.topK'],
      settings: {
        ...defaultSettings(),
        'ppo.lr': 3e-4,
        'sample.k': 2,
        'sample.topP': 0.9,
        'rm.objective': 'direct',
        'ppo.klHorizon': 20_000,
      },
    };
    const hash = encodeUrlState(s);
    const { state, problems } = decodeUrlState('', `#${hash}`);
    expect(problems).toEqual([]);
    expect(state).toEqual({
      preset: 'uses-dialogue',
      stage: 'optimise',
      seed: 1234,
      lang: 'zh',
      theme: 'dark',
      backend: 'wasm',
      model: 'micro',
      optimise: 'rrhf',
      hide: ['backend', 'ppo', 'sample.topK'],
      settings: {
        'ppo.lr': 3e-4,
        'sample.k': 2,
        'sample.topP': 0.9,
        'rm.objective': 'direct',
        'ppo.klHorizon': 20_000,
      },
    });
    // Defaults stay out of the link, and lists keep their commas readable.
    expect(hash).not.toContain('sft.lr');
    expect(hash).toContain('hide=backend,ppo,sample.topK');
  });

  it('keeps a default link short', () => {
    expect(encodeUrlState(base)).toBe('preset=happy-endings&stage=start');
  });

  it('reads the query too, the hash winning', () => {
    const { state } = decodeUrlState('?stage=rank&embed=1&sample.k=3', '#stage=reward');
    expect(state.stage).toBe('reward');
    expect(state.embed).toBe(true);
    expect(state.settings['sample.k']).toBe(3);
  });

  it('clamps numbers out of range and rounds whole numbers, and says so', () => {
    const { state, problems } = decodeUrlState(
      '',
      '#sample.k=40&ppo.lr=-1&sample.topP=0&sft.batchSize=3.4&seed=-5',
    );
    expect(state.settings).toEqual({
      'sample.k': SETTINGS['sample.k'].max,
      'ppo.lr': SETTINGS['ppo.lr'].min,
      'sample.topP': 0.05,
      'sft.batchSize': 3,
    });
    expect(state.seed).toBe(0);
    expect(problems).toEqual([
      'sample.k=40 is out of range (≥ 2 and ≤ 9): clamped to 9',
      'ppo.lr=-1 is out of range (≥ 1e-7 and ≤ 0.01): clamped to 1e-7',
      'sample.topP=0 is out of range (> 0 and ≤ 1): clamped to 0.05',
      'sft.batchSize=3.4 rounded to 3',
      'seed=-5 clamped to 0',
    ]);
  });

  it('reads a number as the settings panel does: decimals and exponents, nothing else', () => {
    for (const text of ['3e-4', '.005', '+1E-3', '0.0003']) {
      expect(parseValue('ppo.lr', text).ok, text).toBe(true);
      expect(
        decodeUrlState('', `#ppo.lr=${encodeURIComponent(text)}`).state.settings['ppo.lr'],
        text,
      ).toBeCloseTo(Number(text), 12);
    }
    for (const text of ['0x10', '1_000', 'Infinity', '1e', '']) {
      expect(parseValue('ppo.lr', text).ok, text).toBe(false);
      const { state, problems } = decodeUrlState('', `#ppo.lr=${encodeURIComponent(text)}`);
      expect(state.settings['ppo.lr'], text).toBeUndefined();
      expect(problems[0], text).toMatch(/^ppo\.lr=.* is not a number/);
    }
  });

  it('says in the reader’s language what it changed, one key or several', () => {
    const one = decodeUrlState('', '#sample.k=40&nope=1');
    expect(describeProblems(one.problems)).toBe(
      'This link was adjusted: sample.k=40 is out of range (≥ 2 and ≤ 9): clamped to 9; unknown key “nope” ignored.',
    );
    const chinese: Translate = (key, params) => pickMessage(zh, key, params, 'zh');
    const zhOne = decodeUrlState('', '#sample.k=40&nope=1&stage=x', chinese);
    expect(describeProblems(zhOne.problems, chinese)).toBe(
      '这个链接被调整了：sample.k=40 超出范围（≥ 2 且 ≤ 9）：已限制为 9; stage=x 已忽略：应为 ' +
        'start, demonstrate, rank, reward, optimise, evaluate 之一; 未知的键 “nope” 已忽略。',
    );
  });

  it('clampSetting leaves a value in range alone', () => {
    expect(clampSetting('ppo.clipRange', 0.3)).toEqual({ value: 0.3 });
  });

  it('reads one or two optimisers in any order, and names what a wrong choice should be', () => {
    expect(decodeUrlState('', '#optimise=grpo,dpo').state.optimise).toBe('dpo,grpo');
    expect(decodeUrlState('?optimise=rrhf,ppo', '').state.optimise).toBe('both');
    expect(decodeUrlState('?optimise=dpo', '').state.optimise).toBe('dpo');
    for (const bad of ['ppo,ppo', 'ppo,rrhf,dpo', 'sft']) {
      const { state, problems } = decodeUrlState(`?optimise=${bad}`, '');
      expect(state.optimise).toBeUndefined();
      expect(problems).toEqual([
        `optimise=${bad} ignored: expected one or two of ppo, rrhf, dpo, grpo, joined by a comma (or both)`,
      ]);
    }
  });

  it('drops values that are not values, and reports unknown keys without running anything', () => {
    const hostile =
      '#ppo.lr=javascript:alert(1)&stage=__proto__&preset=../../etc/passwd' +
      '&theme=%3Cscript%3Ealert(1)%3C/script%3E&hostOrigin=javascript:alert(1)' +
      '&%3Cimg%20src=x%20onerror=alert(1)%3E=1&__proto__=x&constructor=y&hide=settings,evil';
    const { state, problems } = decodeUrlState('', hostile);
    expect(state).toEqual({ settings: {}, hide: ['settings'] });
    expect(({} as Record<string, unknown>).x).toBeUndefined(); // nothing polluted
    expect(problems).toHaveLength(7);
    expect(problems[0]).toBe(
      'ppo.lr=javascript:alert(1) is not a number: kept the saved value, or the default 2e-5',
    );
    // The key ends at its first '=': what a browser would parse, quoted as text.
    expect(problems.at(-1)).toBe('unknown keys “<img src”, “__proto__”, “constructor” ignored');
    expect(problems.join(' ')).toMatch(/hide: “evil” ignored/);
  });

  it('names the value in effect when a later value of the same key is dropped', () => {
    const number = decodeUrlState('?ppo.lr=3e-4', '#ppo.lr=abc');
    expect(number.state.settings['ppo.lr']).toBe(3e-4);
    expect(number.problems).toEqual([
      'ppo.lr=abc is not a number: kept 3e-4 from earlier in the link',
    ]);
    const choice = decodeUrlState('?rm.objective=direct', '#rm.objective=best');
    expect(choice.state.settings['rm.objective']).toBe('direct');
    expect(choice.problems).toEqual([
      'rm.objective=best is not one of pairwise, direct: kept direct from earlier in the link',
    ]);
  });

  it('bounds what it reads: long values, long addresses, control characters', () => {
    const long = decodeUrlState('', `#preset=${'a'.repeat(300)}`);
    expect(long.state.preset).toBeUndefined();
    expect(long.problems[0]).toMatch(/a 300-character value ignored/);
    const huge = decodeUrlState('', `#x=${'b'.repeat(MAX_URL_CHARS)}`);
    expect(huge.problems[0]).toMatch(/longer than 8192 characters/);
    expect(quote('a\u0000b\u202ec', 40)).toBe('abc');
  });

  it('accepts only exact origins for hostOrigin', () => {
    expect(parseOrigin('https://blog.example.org')).toBe('https://blog.example.org');
    expect(parseOrigin('http://127.0.0.1:8080/')).toBe('http://127.0.0.1:8080');
    expect(parseOrigin('https://blog.example.org/post')).toBeNull();
    expect(parseOrigin('javascript:alert(1)')).toBeNull();
    expect(parseOrigin('*')).toBeNull();
  });
});
