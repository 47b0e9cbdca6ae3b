/**
 * Stage-to-stage effects: a stage emits what happened, and the listeners wired
 * once in wiring.ts react in the order they are listed. Checked with recording
 * stand-ins for the stages, against the reactions written out by hand.
 */
import { describe, expect, it } from 'vitest';
import { PageEvents } from '../../../src/lib/page-events';
import { wireStages, type WiredPage } from '../../../src/lib/wiring';
import type { Preset } from '../../../src/core/presets';

function recordingPage(): { page: WiredPage; calls: string[] } {
  const calls: string[] = [];
  const rec = (name: string) => () => void calls.push(name);
  const page: WiredPage = {
    events: new PageEvents(),
    sft: { onNewBase: rec('sft.onNewBase') },
    rm: { onNewBase: rec('rm.onNewBase') },
    ranking: {
      onNewPolicy: rec('ranking.onNewPolicy'),
      onSamplingChanged: rec('ranking.onSamplingChanged'),
    },
    optimise: {
      onNewBase: rec('optimise.onNewBase'),
      onNewSft: rec('optimise.onNewSft'),
      claimMainForSft: async (fixed: boolean) =>
        void calls.push(`optimise.claimMainForSft(${fixed})`),
      samples: {
        onNewRewardModel: async () => {
          await new Promise((r) => setTimeout(r, 5));
          calls.push('optimise.samples.onNewRewardModel');
        },
      },
    },
    evaluation: { onNewBase: rec('evaluation.onNewBase') },
    frontier: { clear: rec('frontier.clear') },
    raters: { onPreset: (p: Preset) => void calls.push(`raters.onPreset(${p.id})`) },
    variants: { reset: rec('variants.reset') },
    shelf: { clear: rec('shelf.clear') },
    blind: { reset: rec('blind.reset') },
  };
  wireStages(page);
  return { page, calls };
}

describe('page events', () => {
  it('call their listeners in order, with the arguments, and settle after the asynchronous ones', async () => {
    const events = new PageEvents();
    const seen: string[] = [];
    events.on('preset', (p) => void seen.push(`a:${p.id}`));
    events.on('preset', async (p) => {
      await new Promise((r) => setTimeout(r, 5));
      seen.push(`b:${p.id}`);
    });
    events.on('preset', (p) => void seen.push(`c:${p.id}`));
    const done = events.emit('preset', { id: 'x' } as Preset);
    // The synchronous listeners have run before emit returns; the asynchronous one has started.
    expect(seen).toEqual(['a:x', 'c:x']);
    await done;
    expect(seen).toEqual(['a:x', 'c:x', 'b:x']);
    // An event nobody listens to settles at once.
    await expect(events.emit('sampling')).resolves.toBeUndefined();
  });

  it('a failing listener rejects the emit', async () => {
    const events = new PageEvents();
    events.on('sft', () => {
      throw new Error('no model');
    });
    await expect(events.emit('sft')).rejects.toThrow('no model');
  });
});

describe('the wiring', () => {
  it('a new base model resets every stage trained on the old one, and the ranking queue', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('base');
    expect(calls).toEqual([
      'sft.onNewBase',
      'rm.onNewBase',
      'optimise.onNewBase',
      'evaluation.onNewBase',
      'frontier.clear',
      'shelf.clear',
      'blind.reset',
      'ranking.onNewPolicy',
    ]);
  });

  it('a fixed SFT model reaches the optimisers, the samples to rank and the frontier', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('sft');
    expect(calls).toEqual(['optimise.onNewSft', 'ranking.onNewPolicy', 'frontier.clear']);
  });

  it('SFT starting takes the main lane back from the optimisers', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('sftStarting', true);
    expect(calls).toEqual(['optimise.claimMainForSft(true)']);
  });

  it('a new reward model rescores the samples on Optimise, and emit waits for it', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('rewardModel');
    // The frontier clears at once; the rescoring is asynchronous and ends after.
    expect(calls).toEqual(['frontier.clear', 'optimise.samples.onNewRewardModel']);
  });

  it('a preset brings its raters and clears what belonged to the last one', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('preset', { id: 'happy-endings' } as Preset);
    expect(calls).toEqual([
      'raters.onPreset(happy-endings)',
      'variants.reset',
      'shelf.clear',
      'blind.reset',
    ]);
  });

  it('a sampling setting draws the waiting samples again', async () => {
    const { page, calls } = recordingPage();
    await page.events.emit('sampling');
    expect(calls).toEqual(['ranking.onSamplingChanged']);
  });
});
