import { describe, expect, it } from 'vitest';
import { keepSpread } from '../../../src/lib/stages/training-run.svelte';

const steps = (xs: { step: number }[]) => xs.map((x) => x.step);

describe('keepSpread: checkpoints kept along a run', () => {
  it('keeps all while there is room, in step order, a repeated step replacing the older', () => {
    let kept: { step: number; v: string }[] = [];
    for (const step of [10, 30, 20]) kept = keepSpread(kept, { step, v: 'a' }, 4);
    expect(steps(kept)).toEqual([10, 20, 30]);
    kept = keepSpread(kept, { step: 20, v: 'b' }, 4);
    expect(kept.map((k) => `${k.step}${k.v}`)).toEqual(['10a', '20b', '30a']);
  });

  it('thins the older ones evenly when full, keeping the first and the latest', () => {
    let kept: { step: number }[] = [];
    for (let s = 10; s <= 100; s += 10) kept = keepSpread(kept, { step: s }, 4);
    // By hand, max 4: 10..40 fill it; 50 → [10,30] + 50; 60 → [10,30,50,60];
    // 70 → [10,50] + 70; 80 → [10,50,70,80]; 90 → [10,70] + 90; 100 → [10,70,90,100].
    expect(steps(kept)).toEqual([10, 70, 90, 100]);
    expect(kept.length).toBeLessThanOrEqual(4);
  });
});
