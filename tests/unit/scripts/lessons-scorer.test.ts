// What `npm run lessons` rewards the optimisers by: the reward model, or with
// --gold-reward the gold labeler's own score times a scale (a perfect reward model).
import { describe, expect, it } from 'vitest';
import { lessonScorer } from '../../../scripts/lessons/lesson';
import { makeLabeler } from '../../../src/core/labelers';

const gold = makeLabeler({ kind: 'mentions-requested-animal' });
const prompt = 'Tell a story about a bear.\n';
const items = [
  { prompt, response: 'Sam the bear went home.' }, // the animal asked for: 1
  { prompt, response: 'Sam the cat went home.' }, // another animal: 0.25
  { prompt, response: 'Sam went home.' }, // no animal: 0
  { prompt, response: 'Sam the bear went' }, // cut off before its ending: no credit
];

describe('lessonScorer', () => {
  it('scores by the gold labeler times the scale, by hand: 4, 1, 0 and 0', async () => {
    let asked = 0;
    const scorer = lessonScorer(4, gold, async (xs) => {
      asked += xs.length;
      return xs.map(() => 99);
    });
    expect(await scorer.score(items)).toEqual([4, 1, 0, 0]);
    expect(asked).toBe(0); // the reward model is not consulted
  });

  it('reads the prompt: the same story is worth 1 for a cat prompt', async () => {
    const scorer = lessonScorer(4, gold, async () => []);
    const [s] = await scorer.score([
      { prompt: 'Write about a cat in the park.\n', response: 'Sam the bear went home.' },
    ]);
    expect(s).toBe(1);
  });

  it('without a scale, passes the reward model’s scores through unchanged', async () => {
    const scorer = lessonScorer(undefined, gold, async (xs) => xs.map((_, i) => i - 1.5));
    expect(await scorer.score(items)).toEqual([-1.5, -0.5, 0.5, 1.5]);
  });
});
