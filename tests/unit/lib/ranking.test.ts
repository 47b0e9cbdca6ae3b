import { describe, expect, it } from 'vitest';
import { comparisonCount } from '../../../src/core/preferences';
import {
  applyAction,
  checkSubmit,
  completed,
  describeRanking,
  emptyRanking,
  keyAction,
  pairsOf,
  pick,
  placeAt,
  sampleNotes,
  tie,
  toRanks,
  undo,
  unplace,
  unrankedSamples,
  type RankingState,
} from '../../../src/lib/ranking/ranking';

/** Types keys as the person would; returns the state and the last problem reported. */
function typeKeys(k: number, keys: string[]): { state: RankingState; problem?: string } {
  let state = emptyRanking(k);
  let problem: string | undefined;
  for (const key of keys) {
    const a = keyAction(key, k);
    if (!a) continue;
    const r = applyAction(state, a);
    state = r.state;
    problem = r.problem;
  }
  return { state, problem };
}

/** Pairs with different places, counted by brute force over all orderings of i < j. */
function bruteForcePairs(ranks: number[]): number {
  let n = 0;
  ranks.forEach((a, i) => ranks.forEach((b, j) => (n += i < j && a !== b ? 1 : 0)));
  return n;
}

describe('ranking by keyboard', () => {
  it('digits pick best-first and give the core rank convention', () => {
    const { state } = typeKeys(4, ['3', '1', '4', '2']);
    expect(state.tiers).toEqual([[2], [0], [3], [1]]);
    // ranks[i] = place of sample i: sample 3 (index 2) is best.
    expect(toRanks(state)).toEqual([1, 3, 0, 2]);
    expect(describeRanking(state)).toBe('3 > 1 > 4 > 2');
  });

  it('`=` ties the next pick with the previous one', () => {
    const { state } = typeKeys(4, ['2', '=', '4', '1', '3']);
    expect(state.tiers).toEqual([[1, 3], [0], [2]]);
    expect(toRanks(state)).toEqual([1, 0, 2, 0]);
    expect(describeRanking(state)).toBe('2 = 4 > 1 > 3');
  });

  it('Backspace undoes picks and ties one at a time', () => {
    let { state } = typeKeys(3, ['1', '=', '2']);
    state = undo(state).state;
    expect(state.tiers).toEqual([[0]]);
    expect(state.tiePending).toBe(true);
    state = undo(state).state;
    expect(state.tiePending).toBe(false);
    state = undo(state).state;
    expect(state.tiers).toEqual([]);
    expect(undo(state).problem).toMatch(/Nothing to undo/);
  });

  it('refuses a digit already ranked or out of range, and says why', () => {
    let r = typeKeys(3, ['1', '1']);
    expect(r.problem).toMatch(/already ranked/);
    expect(r.state.tiers).toEqual([[0]]);
    r = typeKeys(3, ['7']);
    expect(r.problem).toMatch(/no sample 7.*1 to 3/);
    expect(r.state.tiers).toEqual([]);
  });

  it('`=` before any pick is refused', () => {
    expect(tie(emptyRanking(4)).problem).toMatch(/best sample first/);
  });

  it('maps keys to actions', () => {
    expect(keyAction('5', 9)).toEqual({ type: 'pick', sample: 4 });
    expect(keyAction('=', 4)).toEqual({ type: 'tie' });
    expect(keyAction('Backspace', 4)).toEqual({ type: 'undo' });
    expect(keyAction('s', 4)).toEqual({ type: 'skip' });
    expect(keyAction('Enter', 4)).toEqual({ type: 'submit' });
    expect(keyAction('a', 2)).toEqual({ type: 'pick', sample: 0 });
    expect(keyAction('b', 2)).toEqual({ type: 'pick', sample: 1 });
    expect(keyAction('a', 4)).toBeNull();
    expect(keyAction('0', 4)).toBeNull();
    expect(keyAction('x', 4)).toBeNull();
  });
});

describe('submitting', () => {
  it('refuses an incomplete ranking, naming the missing samples, and keeps it', () => {
    const { state } = typeKeys(5, ['2', '4']);
    const check = checkSubmit(state);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toMatch(/Samples 1, 3, 5 are not ranked/);
    expect(state.tiers).toEqual([[1], [3]]);
  });

  it('places the one sample left last (K−1 picks are a full ranking)', () => {
    const { state } = typeKeys(4, ['4', '2', '1']);
    expect(checkSubmit(state)).toEqual({ ok: true, ranks: [2, 1, 3, 0] });
    expect(completed(state).tiers).toEqual([[3], [1], [0], [2]]);
  });

  it('`=` then Enter ties the last sample with the previous one', () => {
    const { state } = typeKeys(3, ['3', '1', '=']);
    expect(checkSubmit(state)).toEqual({ ok: true, ranks: [1, 1, 0] });
  });

  it('K = 2: one key decides the A/B choice', () => {
    expect(checkSubmit(typeKeys(2, ['b']).state)).toEqual({ ok: true, ranks: [1, 0] });
    expect(checkSubmit(typeKeys(2, ['1']).state)).toEqual({ ok: true, ranks: [0, 1] });
  });

  it('refuses a ranking where everything is tied (no comparison to learn from)', () => {
    const { state } = typeKeys(3, ['1', '=', '2', '=', '3']);
    const check = checkSubmit(state);
    expect(check.ok).toBe(false);
    if (!check.ok) expect(check.problem).toMatch(/tied/);
  });
});

describe('drag and drop, touch', () => {
  it('places a sample at a position, moves it, and ties it by dropping onto a tier', () => {
    let s = emptyRanking(4);
    s = placeAt(s, 2, 0, false).state; // [3]
    s = placeAt(s, 0, 1, false).state; // [3] [1]
    s = placeAt(s, 1, 0, false).state; // [2] [3] [1]
    expect(s.tiers).toEqual([[1], [2], [0]]);
    s = placeAt(s, 0, 0, true).state; // 1 joins the top tier
    expect(s.tiers).toEqual([[1, 0], [2]]);
    s = placeAt(s, 3, 99, false).state; // past the end: last
    expect(s.tiers).toEqual([[1, 0], [2], [3]]);
    expect(toRanks(s)).toEqual([0, 0, 1, 2]);
  });

  it('moving the only member of a tier does not leave an empty tier', () => {
    let s = typeKeys(3, ['1', '2', '3']).state;
    s = placeAt(s, 0, 2, false).state;
    expect(s.tiers).toEqual([[1], [2], [0]]);
  });

  it('unplace returns a sample to the unranked ones; undo brings it back', () => {
    let s = typeKeys(3, ['1', '2']).state;
    s = unplace(s, 0).state;
    expect(unrankedSamples(s)).toEqual([0, 2]);
    s = undo(s).state;
    expect(s.tiers).toEqual([[0], [1]]);
  });

  it('a drop that changes nothing adds no undo step', () => {
    const s = typeKeys(3, ['1', '2']).state;
    expect(placeAt(s, 0, 0, false).state).toBe(s);
  });

  it('pick after drag shares one history', () => {
    let s = placeAt(emptyRanking(3), 1, 0, false).state;
    s = pick(s, 2).state;
    expect(s.history).toHaveLength(2);
  });
});

describe('comparisons', () => {
  it('C(K,2) without ties', () => {
    expect([2, 3, 4, 9].map(pairsOf)).toEqual([1, 3, 6, 36]);
    expect(comparisonCount([3, 0, 2, 1])).toBe(6);
  });

  it('ties give no pair, as the InstructGPT loss has it', () => {
    for (const ranks of [
      [0, 0, 1, 2],
      [0, 0, 0, 1],
      [1, 1, 1, 1],
      [0, 1, 0, 1, 2, 2],
    ]) {
      expect(comparisonCount(ranks)).toBe(bruteForcePairs(ranks));
    }
    expect(comparisonCount([0, 0, 1, 2])).toBe(5);
  });

  it('rejects K outside 2..9', () => {
    expect(() => emptyRanking(1)).toThrow(/2 to 9/);
    expect(() => emptyRanking(10)).toThrow(/2 to 9/);
  });
});

describe('notes on the samples themselves', () => {
  const same = (as: number) => ({ kind: 'same', as });
  const empty = { kind: 'empty' };
  it('points each repeat at its first copy', () => {
    expect(sampleNotes(['a b', 'c', 'a b', 'a b'])).toEqual([null, null, same(0), same(0)]);
    expect(sampleNotes(['x', 'y', 'z'])).toEqual([null, null, null]);
  });
  it('says which are empty, and leaves near-copies alone', () => {
    expect(sampleNotes(['', ' ', 'He won.', 'He won. '])).toEqual([empty, empty, null, null]);
  });
});
