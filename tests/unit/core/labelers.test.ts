import { describe, expect, it } from 'vitest';
import { validateLabelerSpec, type LabelerSpec } from '../../../src/core/labeler-spec';
import { makeLabeler, noisyRanking } from '../../../src/core/labelers';
import { endingSentiment } from '../../../src/core/story-ending';
import {
  detectAnimals,
  hasDialogue,
  mentionsWord,
  requestedAnimal,
  sentenceCount,
  wordCount,
} from '../../../src/core/text-attributes';
import { mulberry32 } from '../../../src/core/random';

describe('detectors', () => {
  it('mentionsWord matches whole words, ignoring case, and Chinese by substring', () => {
    expect(mentionsWord('The Cat sat.', 'cat')).toBe(true);
    expect(mentionsWord('Concatenate them.', 'cat')).toBe(false);
    expect(mentionsWord('A toy boat.', 'toy boat')).toBe(true);
    expect(mentionsWord('小猫在睡觉。', '小猫')).toBe(true);
    expect(mentionsWord('小狗在睡觉。', '小猫')).toBe(false);
    expect(() => mentionsWord('x', ' ')).toThrow(/word/);
  });

  it('detectAnimals finds each animal once, in order of first mention', () => {
    expect(detectAnimals('The dog chased a cat, two dogs and a kitten.')).toEqual(['dog', 'cat']);
    expect(detectAnimals('Bunnies and mice.')).toEqual(['rabbit', 'mouse']);
    expect(detectAnimals('No animals here, only a concatenation.')).toEqual([]);
  });

  it('detectAnimals reads Chinese longest-first and ignores everyday look-alikes', () => {
    expect(detectAnimals('熊猫和小熊是好朋友。')).toEqual(['panda', 'bear']);
    expect(detectAnimals('猫头鹰看见了小猫。')).toEqual(['owl', 'cat']);
    expect(detectAnimals('他马上喝了牛奶。')).toEqual([]);
    expect(detectAnimals('A fox met 小兔子.')).toEqual(['fox', 'rabbit']);
  });

  it('hasDialogue needs quoted words, not apostrophes', () => {
    expect(hasDialogue('"Hello," said Tom.')).toBe(true);
    expect(hasDialogue('小明说：“你好！”')).toBe(true);
    expect(hasDialogue("It is Tom's ball, isn't it.")).toBe(false);
    expect(hasDialogue('Tom said hello.')).toBe(false);
    expect(hasDialogue('An empty "" pair.')).toBe(false);
  });

  it('wordCount counts Latin words and Chinese characters', () => {
    expect(wordCount("Tom's cat sat down.")).toBe(4);
    expect(wordCount('小猫哭了。')).toBe(4);
    expect(wordCount('Tom 和小猫')).toBe(4);
    expect(wordCount('')).toBe(0);
  });

  it('sentenceCount keeps "…?" asked X together and splits Chinese at 。！？', () => {
    expect(sentenceCount('"Where is it?" asked Tom. He looked.')).toBe(2);
    expect(sentenceCount('Tom ran. "Stop!" said Max.')).toBe(2);
    expect(sentenceCount('Tom said, "Can I play?" Max nodded.')).toBe(2);
    expect(sentenceCount('Tom ran. And then')).toBe(2);
    expect(sentenceCount('小猫哭了。它很难过！')).toBe(2);
    expect(sentenceCount('小明说：“你好！”小红笑了。')).toBe(2);
    expect(sentenceCount('Write a story.\nOnce there was a cat.')).toBe(2);
    expect(sentenceCount('  ')).toBe(0);
  });
});

describe('endingSentiment', () => {
  it.each([
    ['Tom lost his kite. At last he found it, and they laughed together.', 'happy'],
    ['Tom lost his kite. He never found it, and he cried.', 'sad'],
    ['Tom lost his kite. Maybe it will come back tomorrow.', 'open'],
    ['Tom lost his kite. Will he ever find it?', 'open'],
    ['Tom was sad. From that day on, he was never lonely again.', 'happy'],
    ['Tom smiled. But he was not happy.', 'sad'],
    ["The party was fun. Tom didn't cry.", 'happy'],
    ['Tom cried. Then he smiled. He went home.', 'happy'],
    ['Tom went home.', 'open'],
    ['', 'open'],
    ['小猫的风筝不见了。最后，它找到了风筝，开心地笑了。', 'happy'],
    ['小猫的风筝不见了。它再也没有找到，难过地哭了。', 'sad'],
    ['小猫的风筝不见了。也许明天它就能找到。', 'open'],
    ['小猫没有朋友。从那天起，它再也不孤单了。', 'happy'],
    ['小猫有很多玩具。可是它一点也不开心。', 'sad'],
    ['风筝到底去哪里了呢？', 'open'],
  ] as const)('%s → %s', (text, expected) => {
    expect(endingSentiment(text)).toBe(expected);
  });
});

describe('requestedAnimal', () => {
  it.each([
    ['Write a story about a cat named Tom.\n', 'cat'],
    ['Tell me a story about Tom the dog.\n', 'dog'],
    ['Write a story about an owl and a fox.\n', 'owl'],
    ['写一个关于小兔子的故事。\n', 'rabbit'],
    ['写一个有对话的故事，主角是熊猫乐乐。\n', 'panda'],
    ['Write a story about the sea.\n', undefined],
  ])('%j → %s', (prompt, animal) => {
    expect(requestedAnimal(prompt)).toBe(animal);
  });
});

describe('makeLabeler', () => {
  it('happy-ending scores happy 1, open 0.5, sad 0', () => {
    const l = makeLabeler({ kind: 'happy-ending' });
    expect(l.score('Tom found it and smiled.')).toBe(1);
    expect(l.score('Maybe Tom will find it.')).toBe(0.5);
    expect(l.score('Tom cried.')).toBe(0);
    expect(l.score('小狗高兴地笑了。')).toBe(1);
    expect(l.id).toBe('happy-ending');
    expect(l.description.length).toBeGreaterThan(0);
  });

  it('mentions-requested-animal reads the animal from the prompt', () => {
    const l = makeLabeler({ kind: 'mentions-requested-animal' });
    const prompt = 'Write a story about a cat named Tom.\n';
    expect(l.score('Tom the cat slept.', prompt)).toBe(1);
    expect(l.score('Tom the dog slept.', prompt)).toBe(0.25);
    expect(l.score('Tom slept.', prompt)).toBe(0);
    expect(l.score('小兔子睡着了。', '写一个关于小兔子的故事。\n')).toBe(1);
    expect(l.score('小猫睡着了。', '写一个关于小兔子的故事。\n')).toBe(0.25);
    // Without a prompt, any animal will do.
    expect(l.score('A fox slept.')).toBe(1);
    expect(l.score('Nobody slept.')).toBe(0);
  });

  it('short-and-sweet is 1 inside the range and falls off linearly outside', () => {
    const l = makeLabeler({ kind: 'short-and-sweet', targetWords: [10, 20] });
    const words = (n: number) => Array.from({ length: n }, () => 'cat').join(' ') + '.';
    expect(l.score(words(15))).toBe(1);
    expect(l.score(words(10))).toBe(1);
    expect(l.score(words(5))).toBeCloseTo(0.5, 12); // 5 / 10
    expect(l.score(words(30))).toBeCloseTo(0.5, 12); // 1 − (30 − 20) / 20
    expect(l.score(words(45))).toBe(0);
    // A steeper fall past the range: each word over 20 costs 1/4.
    const steep = makeLabeler({ kind: 'short-and-sweet', targetWords: [10, 20], falloffWords: 4 });
    expect(steep.score(words(20))).toBe(1);
    expect(steep.score(words(21))).toBeCloseTo(0.75, 12);
    expect(steep.score(words(23))).toBeCloseTo(0.25, 12);
    expect(steep.score(words(24))).toBe(0);
    expect(steep.score(words(5))).toBeCloseTo(0.5, 12); // below the range as before
    expect(() =>
      validateLabelerSpec({ kind: 'short-and-sweet', targetWords: [1, 2], falloffWords: 0 }),
    ).toThrow(/labeler\.falloffWords/);
  });

  it('uses-dialogue is 1 with quoted speech, else 0', () => {
    const l = makeLabeler({ kind: 'uses-dialogue' });
    expect(l.score('"Hi," said Tom.')).toBe(1);
    expect(l.score('Tom said hi.')).toBe(0);
  });

  it('weighted rescales Σ wᵢ·tᵢ from [−N, P] to [0, 1]', () => {
    const spec: LabelerSpec = {
      kind: 'weighted',
      terms: [
        { test: { kind: 'ending', sentiment: 'happy' }, weight: 1 },
        { test: { kind: 'dialogue' }, weight: 1 },
        { test: { kind: 'mentions', word: 'wolf' }, weight: -2 },
      ],
    };
    const l = makeLabeler(spec);
    // P = 2, N = 2: score = (raw + 2) / 4.
    expect(l.score('"Hi," said Tom. They laughed.')).toBe(1); // raw 2
    expect(l.score('Tom laughed.')).toBe(0.75); // raw 1
    expect(l.score('The wolf came, and Tom cried.')).toBe(0); // raw −2
    expect(l.score('The wolf came, and Tom laughed.')).toBe(0.25); // raw −1
    expect(l.description).toMatch(/has dialogue/);
  });

  it('weighted length and requested-animal tests', () => {
    const l = makeLabeler({
      kind: 'weighted',
      terms: [
        { test: { kind: 'length', unit: 'sentences', min: 1, max: 2 }, weight: 1 },
        { test: { kind: 'requested-animal' }, weight: 1 },
      ],
    });
    expect(l.score('A cat sat. It slept.', 'Write a story about a cat.\n')).toBe(1);
    expect(l.score('A dog sat. It slept. It woke. It ran.', 'Write a story about a cat.\n')).toBe(
      0.125, // (0 + 0.25) / 2: four sentences is 2·max, a dog is not the cat
    );
  });

  it('keeps every score in [0, 1]', () => {
    const labelers = [
      makeLabeler({ kind: 'happy-ending' }),
      makeLabeler({ kind: 'mentions-requested-animal' }),
      makeLabeler({ kind: 'short-and-sweet', targetWords: [3, 6] }),
      makeLabeler({ kind: 'uses-dialogue' }),
    ];
    const texts = [
      '',
      '?!',
      'cat cat cat cat cat cat cat cat cat cat cat cat cat',
      '“”“',
      '哭哭笑',
    ];
    for (const l of labelers) {
      for (const t of texts) {
        const s = l.score(t, 'Write a story about a cat.\n');
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }
    }
  });
});

describe('validateLabelerSpec', () => {
  it('accepts every kind and names the bad field otherwise', () => {
    expect(validateLabelerSpec({ kind: 'uses-dialogue' })).toEqual({ kind: 'uses-dialogue' });
    expect(() => validateLabelerSpec({ kind: 'nope' })).toThrow(/^labeler\.kind: /);
    expect(() => validateLabelerSpec({ kind: 'short-and-sweet', targetWords: [5] })).toThrow(
      /labeler\.targetWords/,
    );
    expect(() => validateLabelerSpec({ kind: 'short-and-sweet', targetWords: [9, 3] })).toThrow(
      /labeler\.targetWords/,
    );
    expect(() =>
      validateLabelerSpec({
        kind: 'weighted',
        terms: [
          { test: { kind: 'dialogue' }, weight: 1 },
          { test: { kind: 'dialogue' }, weight: Number.NaN },
        ],
      }),
    ).toThrow(/labeler\.terms\[1\]\.weight/);
    expect(() =>
      validateLabelerSpec({ kind: 'weighted', terms: [{ test: { kind: 'ending' }, weight: 1 }] }),
    ).toThrow(/labeler\.terms\[0\]\.test\.sentiment/);
    expect(() => makeLabeler({ kind: 'bogus' } as unknown as LabelerSpec)).toThrow(/kind/);
  });
});

describe('noisyRanking', () => {
  it('at temperature 0 sorts by score, best first, ties sharing a place', () => {
    const rng = () => 0.5;
    expect(noisyRanking([0.2, 0.9, 0.5], 0, rng)).toEqual([2, 0, 1]);
    expect(noisyRanking([1, 0, 1, 0.5], 0, rng)).toEqual([0, 2, 0, 1]);
    expect(noisyRanking([], 0, rng)).toEqual([]);
  });

  it('at temperature > 0 returns a permutation of places', () => {
    const rng = mulberry32(3);
    for (let n = 0; n < 20; n++) {
      const ranks = noisyRanking([0.1, 0.5, 0.5, 0.9, 0], 0.3, rng);
      expect([...ranks].sort()).toEqual([0, 1, 2, 3, 4]);
    }
  });

  it('matches Bradley–Terry for two items: P(first) = σ((s₀ − s₁)/T)', () => {
    const rng = mulberry32(11);
    const draws = 6000;
    let first = 0;
    for (let n = 0; n < draws; n++) if (noisyRanking([1, 0], 0.5, rng)[0] === 0) first++;
    const expected = 1 / (1 + Math.exp(-2)); // 0.8808
    // Binomial standard error √(p(1−p)/n) ≈ 0.0042; allow about 5 of them.
    expect(Math.abs(first / draws - expected)).toBeLessThan(0.02);
  });

  it('at a very high temperature puts each item first about equally often', () => {
    const rng = mulberry32(5);
    const draws = 6000;
    const counts = [0, 0, 0];
    for (let n = 0; n < draws; n++) {
      const ranks = noisyRanking([1, 0.5, 0], 1e6, rng);
      counts[ranks.indexOf(0)]++;
    }
    for (const c of counts) expect(Math.abs(c / draws - 1 / 3)).toBeLessThan(0.04);
  });

  it('rejects bad input', () => {
    expect(() => noisyRanking([1, Number.NaN], 0, Math.random)).toThrow(/scores/);
    expect(() => noisyRanking([1, 2], -1, Math.random)).toThrow(/temperature/);
  });
});
