import { describe, expect, it } from 'vitest';
import {
  OPTIMISE_MODES,
  answersPerIteration,
  goldMetric,
  modeOf,
  optimisersOf,
  toggleOptimiser,
} from '../../../src/lib/optimisers';
import { defaultSettings } from '../../../src/lib/settings/settings';

describe('optimise modes', () => {
  it('are each optimiser alone and each unordered pair once, PPO with RRHF written "both"', () => {
    // 4 alone + C(4, 2) = 6 pairs, written out by hand.
    expect([...OPTIMISE_MODES].sort()).toEqual(
      [
        'ppo',
        'rrhf',
        'dpo',
        'grpo',
        'both',
        'ppo,dpo',
        'ppo,grpo',
        'rrhf,dpo',
        'rrhf,grpo',
        'dpo,grpo',
      ].sort(),
    );
    for (const mode of OPTIMISE_MODES) expect(modeOf(optimisersOf(mode)!)).toBe(mode);
  });

  it('read back in lane order whatever order they are written in; nonsense is null', () => {
    expect(optimisersOf('both')).toEqual(['ppo', 'rrhf']);
    expect(optimisersOf('dpo')).toEqual(['dpo']);
    expect(optimisersOf('grpo,ppo')).toEqual(['ppo', 'grpo']);
    expect(modeOf(['rrhf', 'ppo'])).toBe('both');
    expect(modeOf(['grpo', 'dpo'])).toBe('dpo,grpo');
    for (const bad of ['', 'sft', 'ppo,ppo', 'ppo,rrhf,dpo', 'PPO', 'ppo,']) {
      expect(optimisersOf(bad)).toBeNull();
    }
    expect(() => modeOf([])).toThrow(/one or two/);
  });
});

describe('toggleOptimiser', () => {
  it('adds a second, removes one but never the last, and a third keeps the one ticked last', () => {
    expect(toggleOptimiser(['ppo'], 'dpo', null)).toBe('ppo,dpo');
    expect(toggleOptimiser(['ppo', 'rrhf'], 'rrhf', null)).toBe('ppo');
    expect(toggleOptimiser(['dpo'], 'dpo', 'dpo')).toBe('dpo');
    // PPO and RRHF chosen, RRHF ticked last: GRPO replaces PPO.
    expect(toggleOptimiser(['ppo', 'rrhf'], 'grpo', 'rrhf')).toBe('rrhf,grpo');
    expect(toggleOptimiser(['ppo', 'rrhf'], 'grpo', 'ppo')).toBe('ppo,grpo');
    // Nothing ticked yet on this page (the default, or a link): the first stays, PPO racing DPO.
    expect(toggleOptimiser(['ppo', 'rrhf'], 'dpo', null)).toBe('ppo,dpo');
    expect(toggleOptimiser(['dpo', 'grpo'], 'rrhf', null)).toBe('rrhf,dpo');
  });
});

describe('what the headline counts per iteration', () => {
  it('follows each loop: PPO its batch, RRHF and GRPO batch × k, DPO its 4 answers', () => {
    const s = { ...defaultSettings(), 'ppo.batchSize': 16, 'rrhf.batchSize': 2, 'rrhf.k': 4 };
    const g = { ...s, 'grpo.batchSize': 3, 'grpo.k': 5 };
    expect(answersPerIteration('ppo', s)).toBe(16);
    expect(answersPerIteration('rrhf', s)).toBe(8);
    expect(answersPerIteration('grpo', g)).toBe(15);
    expect(answersPerIteration('dpo', s)).toBe(4);
    expect(goldMetric('ppo')).toBe('env/gold_mean');
    expect(goldMetric('grpo')).toBe('grpo/gold_mean');
  });
});
