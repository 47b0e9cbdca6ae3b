import { describe, expect, it } from 'vitest';
import { splitHeldout } from '../../../src/lib/stages/reward-data';
import { fewerSteps, rankingsForHeldout, rmQuality } from '../../../src/lib/measures/rm-quality';

const base = { ready: true, rankings: 10, heldoutRankings: 2, heldoutPairs: 12, heldoutShare: 0.2 };

describe('rmQuality', () => {
  it('says nothing before the reward model is trained', () => {
    expect(rmQuality({ ...base, ready: false, heldout: null })).toEqual({ kind: 'untrained' });
  });

  it('calls a held-out accuracy at or below chance weak, above it ok', () => {
    expect(rmQuality({ ...base, heldout: { accuracy: 0.5, pairs: 12 } })).toEqual({
      kind: 'weak',
      accuracy: 0.5,
      pairs: 12,
      method: 'heldout',
    });
    expect(rmQuality({ ...base, heldout: { accuracy: 0.25, pairs: 12 } }).kind).toBe('weak');
    expect(rmQuality({ ...base, heldout: { accuracy: 7 / 12, pairs: 12 } })).toEqual({
      kind: 'ok',
      accuracy: 7 / 12,
      pairs: 12,
      method: 'heldout',
    });
  });

  it('prefers the leave-one-out accuracy over every ranking while it is current', () => {
    const cv = { accuracy: 0.8, pairs: 60, rankings: base.rankings };
    // Two held-out rankings at chance, but every ranking held out in turn says 80%.
    expect(
      rmQuality({ ...base, heldout: { accuracy: 0.5, pairs: 12 }, crossValidated: cv }),
    ).toEqual({ kind: 'ok', accuracy: 0.8, pairs: 60, method: 'leave-one-out' });
    expect(
      rmQuality({ ...base, heldout: null, crossValidated: { ...cv, accuracy: 0.45 } }),
    ).toMatchObject({
      kind: 'weak',
      method: 'leave-one-out',
    });
    // More rankings came since: the old estimate no longer speaks for the model.
    expect(
      rmQuality({
        ...base,
        heldout: { accuracy: 0.5, pairs: 12 },
        crossValidated: { ...cv, rankings: base.rankings - 1 },
      }),
    ).toMatchObject({ kind: 'weak', method: 'heldout' });
  });

  it('says it is measuring while the leave-one-out test runs, never unknown meanwhile', () => {
    // Three rankings hold none out: without the running test this would read 'unknown'.
    const few = { ...base, rankings: 3, heldoutRankings: 0, heldout: null };
    expect(rmQuality({ ...few, crossValidating: true })).toEqual({ kind: 'measuring' });
    expect(rmQuality({ ...few, crossValidating: false }).kind).toBe('unknown');
    // From the end of training on, before it is ready to optimise against.
    expect(rmQuality({ ...few, ready: false, crossValidating: true }).kind).toBe('measuring');
  });

  it('does not call an RM weak that nothing held out can test', () => {
    expect(rmQuality({ ...base, rankings: 3, heldoutRankings: 0, heldout: null })).toEqual({
      kind: 'unknown',
      have: 3,
      need: 5,
    });
    expect(
      rmQuality({ ...base, rankings: 3, heldoutRankings: 0, heldoutShare: 0, heldout: null }),
    ).toEqual({ kind: 'unknown', have: 3, need: null });
    // Held-out rankings came after training, or every held-out pair was a tie.
    expect(rmQuality({ ...base, heldout: null })).toEqual({ kind: 'unmeasured', heldout: 2 });
    expect(rmQuality({ ...base, heldoutPairs: 0, heldout: { accuracy: 0, pairs: 0 } }).kind).toBe(
      'unmeasured',
    );
    // More held-out rankings since it was measured: the old accuracy says nothing of them.
    expect(
      rmQuality({ ...base, heldoutPairs: 18, heldout: { accuracy: 0.25, pairs: 12 } }),
    ).toEqual({ kind: 'unmeasured', heldout: 2 });
  });
});

describe('rankingsForHeldout', () => {
  it('is the count at which splitHeldout first holds one out', () => {
    for (const share of [0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5]) {
      const n = rankingsForHeldout(share)!;
      const items = Array.from({ length: n }, (_, i) => i);
      expect(splitHeldout(items.slice(0, n - 1), share).heldout, `share ${share}`).toEqual([]);
      expect(splitHeldout(items, share).heldout, `share ${share}`).toEqual([n - 1]);
    }
    expect(rankingsForHeldout(0.2)).toBe(5);
    expect(rankingsForHeldout(0.3)).toBe(4);
    expect(rankingsForHeldout(0)).toBeNull();
  });
});

describe('fewerSteps', () => {
  it('halves the steps, never below one', () => {
    expect(fewerSteps(60)).toBe(30);
    expect(fewerSteps(3)).toBe(1);
    expect(fewerSteps(1)).toBe(1);
  });
});
