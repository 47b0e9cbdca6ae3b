import { describe, expect, it } from 'vitest';
import type { LabelerSpec } from '../../../src/core/labeler-spec';
import {
  headlineParts,
  labelerDescription,
  propertyName,
  recentShare,
  shareOfScores,
  type Translate,
} from '../../../src/lib/measures/gold-headline';
import { en } from '../../../src/lib/i18n/en';
import { fill } from '../../../src/lib/i18n/format';
import { zh } from '../../../src/lib/i18n/zh';

const inEnglish: Translate = (key, params) => fill(en[key], params);
const inChinese: Translate = (key, params) => fill(zh[key], params);

describe('propertyName', () => {
  it('names each labeler kind’s property', () => {
    const cases: [LabelerSpec, string][] = [
      [{ kind: 'happy-ending' }, 'Answers with a happy ending'],
      [{ kind: 'mentions-requested-animal' }, 'Answers that name the animal asked for'],
      [{ kind: 'short-and-sweet', targetWords: [6, 12] }, 'Answers of 6–12 words'],
      [{ kind: 'uses-dialogue' }, 'Answers with dialogue'],
    ];
    for (const [spec, name] of cases) expect(propertyName(spec, inEnglish)).toBe(name);
    expect(propertyName({ kind: 'happy-ending' }, inChinese)).toBe('结局圆满的回答');
  });

  it('builds a sentence from a weighted labeler’s terms, negating negative weights', () => {
    const spec: LabelerSpec = {
      kind: 'weighted',
      terms: [
        { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
        { test: { kind: 'dialogue' }, weight: 0.5 },
        { test: { kind: 'requested-animal' }, weight: 0.5 },
        { test: { kind: 'mentions', word: 'wolf' }, weight: -1 },
        { test: { kind: 'length', unit: 'words', min: 5, max: 9 }, weight: 0 },
      ],
    };
    expect(propertyName(spec, inEnglish)).toBe(
      'Answers that end happily, have dialogue, name the animal asked for and do not mention “wolf”',
    );
    expect(propertyName(spec, inChinese)).toBe(
      '结局圆满、含有对话、提到所问动物且不提“wolf”的回答',
    );
    // One positive term is the property of that test alone (the happy-ending presets' gold).
    expect(
      propertyName(
        { kind: 'weighted', terms: [{ test: { kind: 'ending', sentiment: 'happy' }, weight: 1 }] },
        inEnglish,
      ),
    ).toBe('Answers with a happy ending');
    expect(
      propertyName(
        { kind: 'weighted', terms: [{ test: { kind: 'ending', sentiment: 'happy' }, weight: -1 }] },
        inEnglish,
      ),
    ).toBe('Answers that do not end happily');
  });

  it('falls back to full marks when no term carries weight', () => {
    const spec: LabelerSpec = {
      kind: 'weighted',
      terms: [{ test: { kind: 'dialogue' }, weight: 0 }],
    };
    expect(propertyName(spec, inEnglish)).toBe('Answers the gold labeler gives full marks');
  });
});

describe('shares', () => {
  it('counts full marks (score ≥ 1) among the SFT model’s answers', () => {
    // 2 of 5 have the property; 0.99 does not.
    expect(shareOfScores([1, 0.5, 0.99, 1, 0])).toEqual({ share: 0.4, answers: 5, iterations: 0 });
    expect(shareOfScores([])).toBeNull();
  });

  it('averages the last three iterations, skipping gaps', () => {
    const series = { x: [1, 2, 3, 4, 5], y: [0, 0.25, NaN, 0.5, 0.75] };
    // (0.25 + 0.5 + 0.75) / 3
    expect(recentShare(series, 16)).toEqual({ share: 0.5, answers: 48, iterations: 3 });
    expect(recentShare({ x: [1], y: [0.125] }, 8)).toEqual({
      share: 0.125,
      answers: 8,
      iterations: 1,
    });
    expect(recentShare(undefined, 16)).toBeNull();
    expect(recentShare({ x: [], y: [] }, 16)).toBeNull();
  });
});

describe('headlineParts', () => {
  const sft = { share: 0.18, answers: 32, iterations: 0 };
  const ppo = { share: 0.83, answers: 48, iterations: 3 };

  it('shows SFT, then the optimisers chosen, in lane order; unknown parts stay null', () => {
    expect(headlineParts(['ppo', 'rrhf'], { sft, ppo: null, rrhf: null })).toEqual([
      { id: 'sft', model: 'SFT', reading: sft },
      { id: 'ppo', model: 'PPO', reading: null },
      { id: 'rrhf', model: 'RRHF', reading: null },
    ]);
    expect(headlineParts(['ppo'], { sft, ppo, rrhf: null }).map((p) => p.model)).toEqual([
      'SFT',
      'PPO',
    ]);
    // A reading of an optimiser not chosen is not shown; one chosen but not given is null.
    expect(headlineParts(['rrhf'], { sft: null, ppo }).map((p) => p.model)).toEqual([
      'SFT',
      'RRHF',
    ]);
    expect(headlineParts(['dpo', 'grpo'], { sft, grpo: ppo })).toEqual([
      { id: 'sft', model: 'SFT', reading: sft },
      { id: 'dpo', model: 'DPO', reading: null },
      { id: 'grpo', model: 'GRPO', reading: ppo },
    ]);
  });
});

describe('labelerDescription', () => {
  it('says what each labeler prefers, with its numbers, and that cut-off text scores 0', () => {
    const short: LabelerSpec = { kind: 'short-and-sweet', targetWords: [6, 12], falloffWords: 4 };
    expect(labelerDescription(short, inEnglish)).toBe(
      'Prefers stories of 6–12 words (Chinese: characters); shorter ones score less, and each word over 12 costs 1/4. A story cut off before its ending scores 0.',
    );
    const weighted: LabelerSpec = {
      kind: 'weighted',
      terms: [
        { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
        { test: { kind: 'length', unit: 'words', min: 24, max: 60 }, weight: 2 },
      ],
    };
    expect(labelerDescription(weighted, inEnglish)).toBe(
      'A weighted mix: 1 × end happily, 2 × are 24–60 words long. A story cut off before its ending scores 0.',
    );
  });

  it('has no English words in Chinese', () => {
    const specs: LabelerSpec[] = [
      { kind: 'happy-ending' },
      { kind: 'mentions-requested-animal' },
      { kind: 'short-and-sweet', targetWords: [6, 12] },
      { kind: 'uses-dialogue' },
      { kind: 'weighted', terms: [{ test: { kind: 'dialogue' }, weight: 0.5 }] },
    ];
    for (const spec of specs) {
      const text = labelerDescription(spec, inChinese);
      expect(text, spec.kind).toMatch(/[\u4e00-\u9fff]/);
      expect(text, spec.kind).not.toMatch(/[A-Za-z]{2,}/);
    }
    // Falloff defaults to the range's top: each word over 12 costs 1/12.
    expect(labelerDescription(specs[2], inChinese)).toContain('扣 1/12');
  });
});
