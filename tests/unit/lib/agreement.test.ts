// Composed labelers (the labeler panel's "compose its taste") and the
// agreement figures between judges, on small cases counted by hand.
import { describe, expect, it } from 'vitest';
import { type LabelerSpec } from '../../../src/core/labeler-spec';
import { makeLabeler } from '../../../src/core/labelers';
import {
  agreementReport,
  againstScores,
  type RankingLike,
} from '../../../src/lib/measures/agreement';
import { splitStories } from '../../../src/lib/stages/pretraining-text.svelte';

/** What the composer builds from its rows: every attribute test, with weights. */
const composed: LabelerSpec = {
  kind: 'weighted',
  terms: [
    { test: { kind: 'mentions', word: 'friend' }, weight: 2 },
    { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
    { test: { kind: 'length', unit: 'words', min: 4, max: 8 }, weight: 1 },
    { test: { kind: 'dialogue' }, weight: -1 },
  ],
};

describe('a composed labeler', () => {
  const l = makeLabeler(composed);
  // P = 2 + 1 + 1 = 4, N = 1: score = (Σ wᵢ·tᵢ + 1) / 5.
  it.each([
    // friend ✓, happy ✓, 6 words ✓, no dialogue: (2 + 1 + 1 + 1) / 5
    ['Tom met a friend. They smiled.', 1],
    // friend ✗, happy ✗ (sad), 5 words ✓, no dialogue: (0 + 0 + 1 + 1) / 5
    ['The cat cried all night.', 0.4],
    // friend ✓, open ending, 6 words ✓, dialogue: (2 + 0 + 1 − 1 + 1) / 5
    ['"Where is my friend?" asked Tom.', 0.6],
    // 13 words: length score 1 − (13 − 8)/8 = 0.375; happy ✓: (0 + 1 + 0.375 + 1) / 5
    ['The little dog ran and ran and then it smiled at the sun.', 0.475],
  ])('%j scores %f', (text, score) => {
    expect(l.score(text)).toBeCloseTo(score, 12);
  });

  it('describes itself from its tests', () => {
    expect(l.description).toBe(
      'Weighted mix: 2 × mentions "friend", 1 × ends happily, 1 × is 4–8 words long, -1 × has dialogue',
    );
  });
});

describe('agreement between judges', () => {
  const happy = makeLabeler({ kind: 'happy-ending' });
  const dialogue = makeLabeler({ kind: 'uses-dialogue' });
  const samples = ['They smiled.', 'She cried.', '"Hi," said Sam.'];
  // happy-ending scores [1, 0, 0.5]; uses-dialogue scores [0, 0, 1].
  const person: RankingLike = { prompt: 'p', samples, ranks: [0, 2, 1], by: 'person' };
  const byLabeler: RankingLike = { prompt: 'p', samples, ranks: [1, 0, 2], by: 'labeler' };

  it('person against a labeler: pairs ordered alike, ties skipped', () => {
    // Person: 0 > 2 > 1. Happy: 0 > 2 > 1. All three pairs agree.
    expect(againstScores([person], happy)).toEqual({ same: 3, pairs: 3, share: 1 });
    // Dialogue ties samples 0 and 1; pairs (0,2): person 0 > 2, dialogue 2 > 0 ✗;
    // (1,2): person 2 > 1, dialogue 2 > 1 ✓.
    expect(againstScores([person], dialogue)).toEqual({ same: 1, pairs: 2, share: 0.5 });
  });

  it('the report separates the person, the labelers and the gold judge', () => {
    const report = agreementReport([person, byLabeler], {
      first: happy,
      second: dialogue,
      gold: happy,
      // Each labeler's order as ranks: happy 0 > 2 > 1, dialogue 2 > 0 > 1.
      rank: (_r, _i, slot) => (slot === 'first' ? [0, 2, 1] : [1, 2, 0]),
    });
    // Labeler 1 [0, 2, 1] vs labeler 2 [1, 2, 0] on both rankings:
    // (0,1) both put 0 first ✓, (0,2) ✗, (1,2) both put 2 first ✓ → 4 of 6.
    expect(report.labelers).toEqual({ same: 4, pairs: 6, share: 4 / 6 });
    expect(report.personFirst.share).toBe(1);
    expect(report.personSecond?.share).toBe(0.5);
    // The labeler's ranking 1 > 0 > 2 against happy's 0 > 2 > 1: only (0,2) agrees.
    expect(report.labelerGold).toEqual({ same: 1, pairs: 3, share: 1 / 3 });
  });

  it('without a second labeler there is no labeler-to-labeler figure', () => {
    const report = agreementReport([person], {
      first: happy,
      second: null,
      gold: happy,
      rank: () => [0, 1, 2],
    });
    expect(report.labelers).toBeNull();
    expect(report.personSecond).toBeNull();
    expect(report.labelerGold.pairs).toBe(0);
  });
});

describe('held-out pretraining text', () => {
  it('deals alternate stories to the PPO-ptx mix and to the perplexity measure', () => {
    const { mix, measure } = splitStories('A one.\n\nB two.\n\nC three.\n\n\nD four.\n');
    expect(mix).toBe('A one.\n\nC three.');
    expect(measure).toBe('B two.\n\nD four.\n');
  });
});
