import { describe, expect, it } from 'vitest';
import {
  demonstrationsJsonl,
  metricsCsv,
  preferencesJsonl,
  rankingToPairs,
  rankingsJsonl,
} from '../../../src/lib/share/export-formats';

const parse = (jsonl: string) =>
  jsonl
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as unknown);

describe('TRL preference export', () => {
  it('writes one {prompt, chosen, rejected} line per ranked pair, ties giving none', () => {
    // Samples a, b, c, d ranked a = b > d > c: C(4,2) = 6 pairs minus the tie a–b,
    // best first by the chosen one, then by the rejected one.
    const ranking = {
      prompt: 'Tell a story.\n',
      completions: ['a', 'b', 'c', 'd'],
      ranks: [0, 0, 2, 1],
    };
    const lines = parse(preferencesJsonl([ranking]));
    expect(lines).toEqual([
      { prompt: 'Tell a story.\n', chosen: 'a', rejected: 'd' },
      { prompt: 'Tell a story.\n', chosen: 'a', rejected: 'c' },
      { prompt: 'Tell a story.\n', chosen: 'b', rejected: 'd' },
      { prompt: 'Tell a story.\n', chosen: 'b', rejected: 'c' },
      { prompt: 'Tell a story.\n', chosen: 'd', rejected: 'c' },
    ]);
    // Exactly TRL's field names and string values, nothing else.
    for (const l of lines)
      expect(Object.keys(l as object).sort()).toEqual(['chosen', 'prompt', 'rejected']);
  });

  it('an A/B choice is one pair; all tied is none', () => {
    expect(rankingToPairs({ prompt: 'p\n', completions: ['x', 'y'], ranks: [1, 0] })).toEqual([
      { prompt: 'p\n', chosen: 'y', rejected: 'x' },
    ]);
    expect(rankingToPairs({ prompt: 'p\n', completions: ['x', 'y'], ranks: [0, 0] })).toEqual([]);
  });

  it('escapes text as JSON: newlines, quotes and non-Latin text stay one line each', () => {
    const jsonl = preferencesJsonl([
      { prompt: '说一个"故事"\n', completions: ['第一\n行', '</script>'], ranks: [0, 1] },
    ]);
    expect(jsonl.split('\n')).toHaveLength(2); // one line and the final newline
    expect(parse(jsonl)[0]).toEqual({
      prompt: '说一个"故事"\n',
      chosen: '第一\n行',
      rejected: '</script>',
    });
  });
});

describe('other exports', () => {
  it('full rankings keep prompt, completions and ranks', () => {
    const r = { prompt: 'p\n', completions: ['a', 'b', 'c'], ranks: [2, 0, 1] };
    expect(parse(rankingsJsonl([r]))).toEqual([r]);
    // Graded samples keep their 1–7 grades too.
    const graded = { ...r, grades: [2, 7, 5] };
    expect(parse(rankingsJsonl([graded]))).toEqual([graded]);
  });

  it('demonstrations use TRL prompt–completion names', () => {
    expect(parse(demonstrationsJsonl([{ prompt: 'p\n', response: 'r' }]))).toEqual([
      { prompt: 'p\n', completion: 'r' },
    ]);
  });

  it('metrics are a long CSV: run, metric, step, value', () => {
    const csv = metricsCsv({
      ppo: { 'env/reward_mean': { x: [1, 2], y: [0.5, NaN] } },
      sft: { 'sft/loss': { x: [1], y: [2.25] } },
    });
    expect(csv).toBe(
      'run,metric,step,value\nppo,env/reward_mean,1,0.5\nppo,env/reward_mean,2,NaN\nsft,sft/loss,1,2.25\n',
    );
  });
});
