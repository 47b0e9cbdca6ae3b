/**
 * Where should a preset's reward head read? For each seed, the lesson's own
 * first half (SFT, the ranking queue, the stand-in person's rankings, the 8
 * rankings the page trains on), then one reward model per readout, each
 * trained as the page trains it, and each one's agreement with gold on the
 * lesson's fresh SFT answers to the held-out prompts (as `npm run lessons`
 * reports it). The numbers behind each preset's `rm.readout` (docs/lessons.md).
 *
 *   npx tsx scripts/lessons/readouts.ts --preset short-and-sweet --seeds 1,2,3,4,5
 */
import { REWARD_READOUTS, type RewardReadout } from '../../src/core/index';
import { rewardLoopSettings } from '../../src/lib/settings/run-settings';
import { splitHeldout } from '../../src/lib/stages/reward-data';
import { ModelSlot } from '../../workers/model-slot';
import {
  demonstrate,
  freshAgreement,
  freshAnswers,
  lessonPlan,
  rewardGroups,
  standInRankings,
} from './lesson';
import {
  argument,
  copyOf,
  lessonMsPerStep,
  loadBase,
  readPreset,
  trainRewardModel,
  wasmBackend,
} from './pipeline';
import { median } from './report';

await wasmBackend();
const preset = readPreset(argument('preset', 'happy-endings'));
const seeds = argument('seeds', '1,2,3,4,5').split(',').map(Number);
const rankings = Number(argument('rankings', '10'));
const noise = Number(argument('noise', '0.2'));
const plan = lessonPlan(preset, await lessonMsPerStep());
const s = plan.settings;
const shares: Record<RewardReadout, number[]> = { ending: [], mean: [], last: [] };

for (const seed of seeds) {
  // As runLesson (lesson.ts) does it, with the same seeds.
  const { model: base, tokenizer: tok } = await loadBase(plan.model);
  const policy = await ModelSlot.create(base, tok);
  const ref = await ModelSlot.create(await copyOf(base), tok);
  const scorer = () => {
    throw new Error('SFT needs no scorer');
  };
  await demonstrate({ policy, ref, scorer }, preset, s, seed);
  const sftModel = policy.model;
  const ranked = await standInRankings(sftModel, tok, preset, s, { seed, rankings, noise });
  const { train } = splitHeldout(
    ranked.filter((r) => new Set(r.ranks).size > 1),
    s['rm.heldoutShare'],
  );
  const fresh = await freshAnswers(sftModel, tok, preset, s, seed);
  const line: string[] = [];
  for (const readout of REWARD_READOUTS) {
    const rs = rewardLoopSettings({ ...s, 'rm.readout': readout }, seed);
    const { rm, trainer } = await trainRewardModel(sftModel, rewardGroups(tok, train, rs.cutOff), {
      ...rs,
      steps: rs.maxSteps,
    });
    const agreement = freshAgreement(fresh, await trainer.score(fresh.seqs));
    shares[readout].push(agreement.share);
    line.push(`${readout} ${(agreement.share * 100).toFixed(0)}% of ${agreement.pairs} pairs`);
    trainer.dispose();
    rm.dispose();
  }
  console.log(`seed ${seed}: ${line.join(' · ')}`);
  policy.model.dispose();
  ref.model.dispose();
}
const pc = (x: number) => `${(x * 100).toFixed(1)}%`;
console.log(
  `${preset.id}, ${seeds.length} seeds, agreement with gold on fresh pairs (median; per seed): ` +
    REWARD_READOUTS.map(
      (r) =>
        `${r} ${pc(median(shares[r]))} (${shares[r].map((x) => (x * 100).toFixed(0)).join(', ')})`,
    ).join(' · '),
);
