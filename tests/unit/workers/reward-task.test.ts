// The reward worker's loop reads the head where the settings say: the loss of
// its first step is the float64 pairwise loss of rewards read by hand at that
// readout, and a loop with another readout on the same model does not keep the
// trainer (and the readout) of the last one.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type * as tfNs from '@tensorflow/tfjs';
import { createGPT } from '../../../src/core/model/gpt';
import { rankingToPairs } from '../../../src/core/preferences';
import type { RewardReadout } from '../../../src/core/train/reward-head';
import { forgetTrainer, rewardTask } from '../../../workers/reward-task';
import { useBackend } from '../../helpers/tf';
import { referenceRewards } from '../core/train/reference-rewards';
import { mulberry32, randomString, tinyConfig } from '../core/train/synthetic';

let tf: typeof tfNs;
beforeAll(async () => {
  tf = await useBackend('cpu');
});
afterEach(() => forgetTrainer());

const rng = mulberry32(21);
// One ranked prompt (so every batch is this group), answers longer and shorter than the ending.
const group = {
  prompt: randomString(3, rng),
  completions: [randomString(14, rng), randomString(4, rng), randomString(9, rng)],
  ranks: [1, 0, 2],
};
const seqs = group.completions.map((c) => ({ prompt: group.prompt, response: c }));

/** −1/|P| Σ log σ(r_better − r_worse) over the group's pairs, in float64. */
function pairwiseLoss(r: number[]): number {
  const pairs = rankingToPairs(group.ranks);
  return pairs.reduce((s, [a, b]) => s + Math.log1p(Math.exp(-(r[a] - r[b]))), 0) / pairs.length;
}

async function firstLoss(model: ReturnType<typeof createGPT>, readout?: RewardReadout) {
  const task = rewardTask(() => model, [group], {
    lr: 1e-2,
    batchSize: 1,
    maxSteps: 1,
    seed: 1,
    trains: 'head',
    ...(readout ? { readout } : {}),
  });
  const m = await task.step();
  task.dispose();
  return m['rm/loss'];
}

describe('rewardTask', () => {
  it.each(['mean', 'last'] as const)('trains the head read at the %s readout', async (readout) => {
    const model = createGPT({ ...tinyConfig, scalarHead: true }, 5);
    model.named
      .get('score.weight')!
      .assign(tf.randomNormal([tinyConfig.nEmbd, 1], 0, 0.5, 'float32', 6));
    const expected = pairwiseLoss(await referenceRewards(model, seqs, readout));
    const atEnding = pairwiseLoss(await referenceRewards(model, seqs, 'ending'));
    // The readouts differ on this model, so the check below can tell them apart.
    expect(Math.abs(expected - atEnding)).toBeGreaterThan(1e-2);
    expect(await firstLoss(model, readout)).toBeCloseTo(expected, 4);

    // The next loop on the same model with the default readout (the ending) reads the ending.
    const next = pairwiseLoss(await referenceRewards(model, seqs, 'ending'));
    expect(await firstLoss(model)).toBeCloseTo(next, 4);
    model.dispose();
  });
});
