import { describe, expect, it } from 'vitest';
import {
  FrameScheduler,
  MetricLog,
  alignSeries,
  allPositive,
  ema,
  toCsv,
} from '../../../src/lib/measures/metrics';

describe('MetricLog', () => {
  it('keeps a series per run and metric and tells subscribers which run changed', () => {
    const log = new MetricLog();
    const seen: string[] = [];
    const off = log.subscribe((run) => seen.push(run));
    log.push('ppo', 1, { 'env/reward_mean': 0.5, 'objective/kl': 0.01 });
    log.push('ppo', 2, { 'env/reward_mean': 0.7 });
    log.push('rrhf', 1, { 'rrhf/loss/total': 2 });
    expect(log.get('ppo', 'env/reward_mean')).toEqual({ x: [1, 2], y: [0.5, 0.7] });
    expect(log.count('ppo', 'objective/kl')).toBe(1);
    expect(log.last('ppo', 'env/reward_mean')).toBe(0.7);
    expect(log.metricsOf('ppo').sort()).toEqual(['env/reward_mean', 'objective/kl']);
    off();
    log.clear('ppo');
    expect(log.count('ppo', 'env/reward_mean')).toBe(0);
    expect(seen).toEqual(['ppo', 'ppo', 'rrhf']);
  });
});

describe('ema', () => {
  it('matches a hand computation with debiasing', () => {
    // w = 0.5: s1 = 0.5·1 = 0.5 → /0.5 = 1; s2 = 0.25 + 0.5·3 = 1.75 → /0.75 = 2.3333…
    const out = ema([1, 3], 0.5);
    expect(out[0]).toBeCloseTo(1, 12);
    expect(out[1]).toBeCloseTo(7 / 3, 12);
  });

  it('is the identity at weight 0 and constant on a constant series', () => {
    expect(ema([4, 5, 6], 0)).toEqual([4, 5, 6]);
    for (const v of ema([2, 2, 2, 2], 0.9)) expect(v).toBeCloseTo(2, 12);
  });

  it('leaves gaps for non-finite values and skips them', () => {
    const out = ema([1, NaN, 3], 0.5);
    expect(out[1]).toBeNull();
    expect(out[2]).toBeCloseTo(7 / 3, 12);
  });

  it('rejects a weight outside [0, 1)', () => {
    expect(() => ema([1], 1)).toThrow(RangeError);
  });
});

describe('aligning and exporting', () => {
  const ppo = { name: 'ppo env/reward_mean', series: { x: [1, 2, 3], y: [0.1, 0.2, 0.3] } };
  const rrhf = { name: 'rrhf env/reward_mean', series: { x: [2, 4], y: [0.5, NaN] } };

  it('puts series on the union of their steps with null gaps', () => {
    expect(alignSeries([ppo, rrhf])).toEqual({
      x: [1, 2, 3, 4],
      ys: [
        [0.1, 0.2, 0.3, null],
        [null, 0.5, null, null],
      ],
    });
  });

  it('writes CSV with a step column', () => {
    expect(toCsv([ppo, rrhf])).toBe(
      'step,ppo env/reward_mean,rrhf env/reward_mean\n1,0.1,\n2,0.2,0.5\n3,0.3,\n4,,\n',
    );
    expect(toCsv([{ name: 'a,"b"', series: { x: [], y: [] } }])).toBe('step,"a,""b"""\n');
  });

  it('knows when a log axis is possible', () => {
    expect(allPositive([ppo])).toBe(true);
    expect(allPositive([{ name: 'x', series: { x: [1], y: [-1] } }])).toBe(false);
  });
});

describe('FrameScheduler', () => {
  it('runs once per frame however often it is asked', () => {
    const frames: (() => void)[] = [];
    let runs = 0;
    const s = new FrameScheduler(
      () => runs++,
      (cb) => frames.push(cb),
      () => undefined,
    );
    for (let i = 0; i < 100; i++) s.request();
    expect(frames).toHaveLength(1);
    frames.shift()?.();
    expect(runs).toBe(1);
    s.request();
    expect(frames).toHaveLength(1);
  });
});

describe('MetricLog.trend', () => {
  it('means the first n and the last nLast finite points', () => {
    const log = new MetricLog();
    [0.5, NaN, 0.6, 0.7, 0.9, 1.0].forEach((y, i) => log.push('live', i, { acc: y }));
    // Finite points 0.5, 0.6, 0.7, 0.9, 1.0: first two mean 0.55, last three mean 13/15.
    const t = log.trend('live', 'acc', 2, 3);
    expect(t.first).toBeCloseTo(0.55, 12);
    expect(t.last).toBeCloseTo(2.6 / 3, 12);
    expect(t.points).toBe(5);
    expect(log.trend('live', 'missing').points).toBe(0);
    expect(log.trend('live', 'missing').first).toBeNaN();
  });
});
