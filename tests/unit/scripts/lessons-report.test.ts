// The lessons report prints each target's median beside a ✅ or ❌; the
// number shown must meet the target exactly when the median does.
import { describe, expect, it } from 'vitest';
import type { LessonResult } from '../../../scripts/lessons/lesson';
import { beside, passes, renderSummary, targets } from '../../../scripts/lessons/report';
import type { Preset } from '../../../src/core/presets';

const atLeast97 = (v: number) => v >= 97;
const atMost120 = (v: number) => v <= 120;

describe('a median beside its target', () => {
  it('keeps one decimal when rounding stays on the same side of the bar', () => {
    expect(beside(96.8, atLeast97, 1)).toBe('96.8');
    expect(beside(98.04, atLeast97, 1)).toBe('98.0');
    expect(beside(97, atLeast97, 1)).toBe('97.0');
  });

  it('adds decimals when rounding would carry a miss over the bar', () => {
    expect(beside(96.96, atLeast97, 1)).toBe('96.96');
    expect(beside(96.996, atLeast97, 1)).toBe('96.996');
    expect(beside(120.4, atMost120, 0)).toBe('120.4');
  });

  it('does not add decimals to a met target that rounds onto the bar', () => {
    expect(beside(119.6, atMost120, 0)).toBe('120');
    expect(beside(120, atMost120, 0)).toBe('120');
  });
});

// The report's first table counts, for each preset, the seeds that pass and
// the targets met, from results made here by hand (counted by hand below).
describe('the report at a glance', () => {
  const preset = (id: string, title: string): Preset => ({
    id,
    title,
    description: '',
    language: 'en',
    baseModel: 'nano',
    prompts: [],
    heldoutPrompts: [],
    demonstrations: [],
    labeler: { kind: 'happy-ending' } as Preset['labeler'],
    labelerNoise: 0.2,
  });
  const trace = (rmFirst: number, rmLast: number) => ({
    rmFirst,
    rmLast,
    goldFirst: 0,
    goldLast: 0,
    klLast: 0,
    betaLast: 0.2,
  });
  const win = (rate: number) => ({ rate, low: rate - 0.1, high: rate + 0.1, n: 48 });
  /** One seed: SFT's gold, then PPO's and RRHF's gold and win rates vs SFT. */
  const seed = (
    n: number,
    sft: number,
    [ppo, ppoWin]: [number, number],
    [rrhf, rrhfWin]: [number, number],
    extra: Partial<LessonResult> = {},
  ): LessonResult =>
    ({
      seed: n,
      model: 'en-nano',
      rmAgreement: 0.8,
      rmHeldoutAccuracy: 0.8,
      rmLeaveOneOut: 0.8,
      gold: { base: 0.1, sft, ppo, rrhf },
      winRateVsSft: { ppo: win(ppoWin), rrhf: win(rrhfWin) },
      kl: { ppo: 4, rrhf: 5 },
      klTarget: 6,
      eosShare: 0.95,
      wordShare: 0.98,
      wordShareBy: { sft: 0.98, ppo: 0.98, rrhf: 0.98 },
      answers: { sft: [], ppo: [], rrhf: [] },
      seconds: { sft: 20, queue: 2, rm: 1, ppo: 100, rrhf: 150 },
      examples: { sft: '', ppo: '', rrhf: '' },
      rollouts: { ppo: trace(0, 1), rrhf: trace(0, 1) },
      ...extra,
    }) as LessonResult;

  it('counts passes with a lift of exactly 0.30 and a win rate of exactly 70%', () => {
    const rs = [
      seed(1, 0.4, [0.7, 0.7], [0.69, 0.9]), // PPO: +0.30 at 70%, passes; RRHF +0.29
      seed(2, 0.4, [0.9, 0.69], [0.9, 0.7]), // PPO under 70%; RRHF passes
      seed(3, 0.2, [0.6, 0.8], [0.6, 0.8]), // both pass
    ];
    expect(passes(rs, 'ppo')).toBe(2);
    expect(passes(rs, 'rrhf')).toBe(2);
  });

  it('gives each preset a row and names each target missed', () => {
    const good = [1, 2, 3, 4, 5].map((n) => seed(n, 0.3, [0.8, 0.8], [0.8, 0.8]));
    // RRHF passes in 3 of 5 (needs 4); corpus words median 96%.
    const weak = [1, 2, 3, 4, 5].map((n) =>
      seed(n, 0.3, [0.8, 0.8], n <= 3 ? [0.8, 0.8] : [0.4, 0.5], { wordShare: 0.96 }),
    );
    const md = renderSummary([
      { preset: preset('good', 'Good'), rs: good },
      { preset: preset('weak', 'Weak one'), rs: weak },
    ]);
    const rows = md.split('\n').filter((l) => l.startsWith('| ['));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toContain('[Good](#good-good)');
    expect(rows[0]).toContain('| 8 of 8 ✅ |');
    expect(rows[0]).toContain('| 5 of 5 | 5 of 5 |');
    expect(rows[0]).toContain('| 0.30 → 0.80 · 0.80 |');
    // The default path: 20 + 2 + 1 + 100 s.
    expect(rows[0]).toContain('| 100 s · 123 s |');
    expect(rows[1]).toContain('[Weak one](#weak-one-weak)');
    expect(rows[1]).toContain('| 6 of 8 |');
    expect(rows[1]).toContain('| 5 of 5 | 3 of 5 |');
    expect(md).toContain(
      '- Weak one: RRHF: gold ≥ SFT + 0.30 and win rate ≥ 70% in ≥ 4 of 5 seeds (3)',
    );
    expect(md).toContain('- Weak one: ≥ 97% corpus words (median 96.0%)');
    expect(md.match(/^- /gm)).toHaveLength(2);
  });

  it('counts reward-hacking by its own targets, not the ones its lesson breaks', () => {
    // Fixed β: RM up, gold below SFT in seeds 1–4; adaptive KL lifts gold by ≥ 0.2 in all 5.
    const rs = [1, 2, 3, 4, 5].map((n) =>
      seed(n, 0.4, [n <= 4 ? 0.1 : 0.5, 0.3], [0.4, 0.5], {
        wordShare: 0.9,
        rollouts: { ppo: trace(0, 2), rrhf: trace(0, 0) },
        adaptive: { gold: 0.6, winRateVsSft: win(0.7), kl: 5, rollouts: trace(0, 1), seconds: 1 },
      }),
    );
    const ts = targets(preset('reward-hacking', 'Reward hacking'), rs);
    expect(ts.filter((t) => t[1] === null).map((t) => t[0].split(':')[0])).toEqual([
      'RRHF',
      '≥ 97% corpus words (median 90.0%)',
      'PPO run ≤ 120 s (median 100 s)',
    ]);
    expect(ts.filter((t) => t[1] === false)).toEqual([]);
    const md = renderSummary([{ preset: preset('reward-hacking', 'Reward hacking'), rs }]);
    expect(md).toContain('| 5 of 5 ✅ |');
    expect(md).toContain('β 0.01 hacks in 4 of 5; adaptive KL rescues 5 of 5');
    expect(md).toContain('Every target is met.');
  });
});
