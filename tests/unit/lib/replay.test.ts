// Replaying training on the page: a run keeps the answers of its latest
// iterations (the oldest dropped); the session keeps them per run in a bound
// of its own and gives back those up to a restored run's checkpoint.
import { describe, expect, it } from 'vitest';
import type { IterationSample } from '../../../workers/iteration-samples';
import { ReplayStore, restoreIterations } from '../../../src/lib/persistence/replay-store';
import { PlaygroundStore } from '../../../src/lib/persistence/storage';
import {
  MAX_REPLAY_ITERATIONS,
  answerKl,
  keepLatest,
  klScale,
  type IterationRecord,
} from '../../../src/lib/stages/replay';

const answer = (tokenKl: number[], response = 'ab'): IterationSample => ({
  prompt: 'p',
  response,
  tokens: [...response],
  tokenKl,
  rm: 0.5,
  gold: NaN,
});
const at = (step: number): IterationRecord => ({ step, samples: [answer([step, -step])] });
const steps = (xs: readonly { step: number }[]) => xs.map((x) => x.step);

describe('keepLatest: the iterations a run keeps', () => {
  it('keeps them in step order, a repeated step replacing the older', () => {
    let kept: IterationRecord[] = [];
    for (const s of [1, 2, 4, 3]) kept = keepLatest(kept, at(s), 5);
    expect(steps(kept)).toEqual([1, 2, 3, 4]);
    kept = keepLatest(kept, { step: 2, samples: [] }, 5);
    expect(steps(kept)).toEqual([1, 2, 3, 4]);
    expect(kept[1].samples).toEqual([]);
  });

  it('drops the oldest when full', () => {
    let kept: IterationRecord[] = [];
    for (let s = 1; s <= 12; s++) kept = keepLatest(kept, at(s), 5);
    expect(steps(kept)).toEqual([8, 9, 10, 11, 12]);
    expect(MAX_REPLAY_ITERATIONS).toBe(300);
  });
});

describe('the KL of an answer and the colour scale', () => {
  it('sums the tokens’ KL (a token without one left out) and scales to the largest |KL|', () => {
    expect(answerKl(answer([0.25, -0.5, NaN, 1]))).toBeCloseTo(0.75, 12);
    expect(klScale([{ step: 1, samples: [answer([0.2, -1.5]), answer([0.7])] }])).toBe(1.5);
    expect(klScale([{ step: 1, samples: [answer([0.001, -0.002])] }])).toBe(0.05);
    expect(klScale([])).toBe(0.05);
  });
});

describe('the session’s store of iterations (in memory without IndexedDB)', () => {
  const row = (run: string, step: number, sessionId = 's1') => ({
    sessionId,
    run,
    savedAt: 0,
    ...at(step),
  });

  it('gives back what was written, oldest first, and forgets the oldest past its bound', async () => {
    const store = new ReplayStore(new PlaygroundStore(), 4);
    for (const s of [3, 1, 2]) await store.put(row('ppo', s));
    await store.put(row('dpo', 1));
    await store.put(row('ppo', 1, 's2'));
    expect(steps(await store.of('s1', 'ppo'))).toEqual([1, 2, 3]);
    expect((await store.of('s1', 'ppo'))[2].samples[0].tokenKl).toEqual([3, -3]);
    for (let s = 4; s <= 7; s++) await store.put(row('ppo', s));
    expect(steps(await store.of('s1', 'ppo'))).toEqual([4, 5, 6, 7]);
    expect(steps(await store.of('s1', 'dpo'))).toEqual([1]);
    expect(steps(await store.of('s2', 'ppo'))).toEqual([1]);
    await store.delete('s1', 'ppo');
    expect(await store.of('s1', 'ppo')).toEqual([]);
    expect(steps(await store.of('s1', 'dpo'))).toEqual([1]);
  });

  it('restores each run up to the step of its checkpoint, and no run without one', async () => {
    const store = new ReplayStore(new PlaygroundStore());
    for (let s = 1; s <= 6; s++) await store.put(row('ppo', s));
    await store.put(row('grpo', 1));
    const runs = {
      ppo: { iterations: [] as IterationRecord[] },
      grpo: { iterations: [at(9)] },
    };
    await restoreIterations(store, 's1', runs, { ppo: 4 });
    expect(steps(runs.ppo.iterations)).toEqual([1, 2, 3, 4]);
    expect(runs.ppo.iterations[3]).toEqual(at(4));
    expect(steps(runs.grpo.iterations)).toEqual([9]);
  });
});
