import { describe, expect, it } from 'vitest';
import {
  bestOfNCurve,
  bestOfNExpectation,
  goldTurn,
  type FrontierPoint,
} from '../../../src/lib/measures/frontier';
import { mulberry32 } from '../../../src/core/random';

/** Every n-subset of 0..N−1 (the brute-force reference). */
function subsets(N: number, n: number): number[][] {
  if (n === 0) return [[]];
  const out: number[][] = [];
  const walk = (start: number, chosen: number[]) => {
    if (chosen.length === n) return void out.push(chosen);
    for (let i = start; i < N; i++) walk(i + 1, [...chosen, i]);
  };
  walk(0, []);
  return out;
}

describe('best-of-n expectation', () => {
  it('equals the mean over every n-subset of the gold and RM score of its RM-best answer', () => {
    const rng = mulberry32(7);
    const samples = Array.from({ length: 7 }, () => ({ rm: rng() * 4 - 2, gold: rng() }));
    for (let n = 1; n <= 7; n++) {
      const all = subsets(7, n);
      let gold = 0;
      let rm = 0;
      for (const s of all) {
        const best = s.reduce((b, i) => (samples[i].rm > samples[b].rm ? i : b), s[0]);
        gold += samples[best].gold;
        rm += samples[best].rm;
      }
      const e = bestOfNExpectation(samples, n);
      expect(e.gold).toBeCloseTo(gold / all.length, 12);
      expect(e.rm).toBeCloseTo(rm / all.length, 12);
    }
  });

  it('is the plain mean at n = 1 and the RM-best answer at n = N; other n are refused', () => {
    const s = [
      { rm: 0.1, gold: 1 },
      { rm: 0.9, gold: 0 },
      { rm: 0.5, gold: 0.5 },
    ];
    expect(bestOfNExpectation(s, 1)).toEqual({ rm: 0.5, gold: 0.5 });
    expect(bestOfNExpectation(s, 3)).toEqual({ rm: 0.9, gold: 0 });
    // n = 2 by hand: subsets {a,b}→b, {a,c}→c, {b,c}→b: gold (0 + 0.5 + 0)/3.
    expect(bestOfNExpectation(s, 2).gold).toBeCloseTo(1 / 6, 12);
    expect(() => bestOfNExpectation(s, 4)).toThrow(/from 1 to the 3 samples/);
    expect(() => bestOfNExpectation(s, 0)).toThrow(RangeError);
  });

  it('makes a curve over n = 1, 2, 4, … averaged over prompts, at KL log n − (n−1)/n', () => {
    const a = [
      { rm: 0, gold: 0 },
      { rm: 1, gold: 1 },
    ];
    const b = [
      { rm: 1, gold: 0 },
      { rm: 0, gold: 1 },
    ];
    const curve = bestOfNCurve([a, b], 2);
    expect(curve.map((p) => p.at)).toEqual(['n = 1', 'n = 2']);
    expect(curve[0]).toMatchObject({ kl: 0, gold: 0.5, rm: 0.5 });
    // n = 2: prompt a keeps gold 1, prompt b keeps gold 0 (the RM prefers the wrong one).
    expect(curve[1].gold).toBe(0.5);
    expect(curve[1].rm).toBe(1);
    expect(curve[1].kl).toBeCloseTo(Math.log(2) - 0.5, 12);
  });
});

describe('goldTurn', () => {
  const path = (golds: number[]): FrontierPoint[] =>
    golds.map((gold, i) => ({ at: `${i}`, kl: i, gold, rm: i }));

  it('marks the highest gold when a later point falls more than the drop below it', () => {
    expect(goldTurn(path([0.2, 0.5, 0.7, 0.4, 0.3]))).toBe(2);
    expect(goldTurn(path([0.2, 0.5, 0.7, 0.68]))).toBeNull(); // within 0.05: holds
    expect(goldTurn(path([0.2, 0.5, 0.7]))).toBeNull(); // still rising
    expect(goldTurn(path([0.7, 0.1]))).toBeNull(); // too few points to call a turn
  });
});
