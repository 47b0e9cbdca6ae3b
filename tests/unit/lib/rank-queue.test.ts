import { describe, expect, it } from 'vitest';
import { RankQueue, promptCycle, type Sampler } from '../../../src/lib/ranking/rank-queue';

/** A sampler whose calls finish only when the test says so. */
function controlledSampler() {
  const calls: { prompt: string; finish: () => void; stream: (t: string[]) => void }[] = [];
  const sampler: Sampler = (prompt, onText) =>
    new Promise((resolve) => {
      calls.push({
        prompt,
        stream: onText,
        finish: () => resolve([`${prompt}-a`, `${prompt}-b`]),
      });
    });
  return { calls, sampler };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('RankQueue', () => {
  it('generates the current prompt first, then the next one while the current is ranked', async () => {
    const { calls, sampler } = controlledSampler();
    let n = 0;
    const q = new RankQueue({ sampler, nextPrompt: () => `p${n++}` });
    q.fill();
    await tick();
    expect(calls.map((c) => c.prompt)).toEqual(['p0']);
    expect(q.current?.status).toBe('generating');
    expect(q.upcoming?.status).toBe('waiting');

    calls[0].stream(['he', 'on']);
    expect(q.current?.samples).toEqual(['he', 'on']);
    calls[0].finish();
    await tick();
    expect(q.current?.status).toBe('ready');
    // The next prompt is already being generated while p0 is on screen.
    expect(calls.map((c) => c.prompt)).toEqual(['p0', 'p1']);
    expect(q.upcoming?.status).toBe('generating');

    calls[1].finish();
    await tick();
    const next = q.advance();
    expect(next?.prompt).toBe('p1');
    expect(next?.status).toBe('ready');
    expect(next?.samples).toEqual(['p1-a', 'p1-b']);
    await tick();
    expect(calls.map((c) => c.prompt)).toEqual(['p0', 'p1', 'p2']);
  });

  it('records a failed generation and can retry it', async () => {
    let fail = true;
    const q = new RankQueue({
      sampler: async (p) => {
        if (fail) throw new Error('worker stopped');
        return [p];
      },
      nextPrompt: () => 'p',
    });
    q.fill();
    await q.idle();
    expect(q.current?.status).toBe('failed');
    expect(q.current?.error).toBe('worker stopped');
    fail = false;
    q.retry();
    await q.idle();
    expect(q.current?.status).toBe('ready');
  });

  it('reset drops both slots and generation queued before it never starts', async () => {
    const { calls, sampler } = controlledSampler();
    const q = new RankQueue({ sampler, nextPrompt: () => 'p' });
    q.fill();
    await tick();
    q.reset();
    calls[0].finish();
    await tick();
    expect(calls).toHaveLength(1); // the upcoming one was dropped before it began
    expect(q.current).toBeNull();
  });

  it('lets a wrapper track items (Svelte state)', () => {
    const seen: string[] = [];
    const q = new RankQueue({
      sampler: async () => [],
      nextPrompt: () => 'x',
      track: (item) => {
        seen.push(item.prompt);
        return item;
      },
    });
    q.fill();
    expect(seen).toEqual(['x', 'x']);
  });
});

describe('promptCycle', () => {
  it('visits every prompt once per round', () => {
    let s = 1;
    const rng = () => ((s = (s * 16807) % 2147483647) - 1) / 2147483646;
    const next = promptCycle(['a', 'b', 'c'], rng);
    const round1 = [next(), next(), next()].sort();
    const round2 = [next(), next(), next()].sort();
    expect(round1).toEqual(['a', 'b', 'c']);
    expect(round2).toEqual(['a', 'b', 'c']);
  });
});

describe('RankQueue with new settings', () => {
  it('renewUpcoming keeps the prompt on screen and regenerates the next one', async () => {
    const { calls, sampler } = controlledSampler();
    let n = 0;
    const q = new RankQueue({ sampler, nextPrompt: () => `p${n++}` });
    q.fill();
    await tick();
    calls[0].finish();
    await tick();
    q.renewUpcoming();
    expect(q.current?.prompt).toBe('p0');
    expect(q.upcoming?.prompt).toBe('p2');
    calls[1].finish(); // p1 finishes unseen
    await tick();
    expect(calls.map((c) => c.prompt)).toEqual(['p0', 'p1', 'p2']);
  });
});
