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
import {
  REWARD_READOUTS,
  mulberry32,
  pairAgreement,
  totalAgreement,
  type RewardReadout,
} from '../../src/core/index';
import { makeLabeler, noisyRanking } from '../../src/core/labelers';
import { rewardLoopSettings, sftLoopSettings } from '../../src/lib/settings/run-settings';
import { splitHeldout } from '../../src/lib/stages/reward-data';
import { ModelSlot } from '../../workers/model-slot';
import { responseIds } from '../../workers/model-setup';
import { makePolicyTask } from '../../workers/policy-tasks';
import { answer, lessonPlan } from './lesson';
import { argument, copyOf, loadBase, readPreset, trainRewardModel, wasmBackend } from './pipeline';
import { median } from './report';

await wasmBackend();
const preset = readPreset(argument('preset', 'happy-endings'));
const seeds = argument('seeds', '1,2,3,4,5').split(',').map(Number);
const rankings = Number(argument('rankings', '10'));
const noise = Number(argument('noise', '0.2'));
const plan = lessonPlan(preset, 40);
const s = plan.settings;
const k = s['sample.k'];
const gold = makeLabeler(preset.labeler);
const person = makeLabeler(preset.rankingLabeler ?? preset.labeler);
const shares: Record<RewardReadout, number[]> = { ending: [], mean: [], last: [] };

for (const seed of seeds) {
  // As runLesson (lesson.ts) does it, with the same seeds.
  const { model: base, tokenizer: tok } = await loadBase(plan.model);
  const policy = await ModelSlot.create(base, tok);
  const ref = await ModelSlot.create(await copyOf(base), tok);
  const sftSettings = sftLoopSettings(s, seed);
  const task = makePolicyTask(
    {
      policy,
      ref,
      scorer: () => {
        throw new Error('SFT needs no scorer');
      },
    },
    { kind: 'sft', examples: preset.demonstrations, settings: sftSettings },
  );
  for (let i = 0; i < sftSettings.maxSteps; i++) await task.step();
  task.dispose();
  const sftModel = policy.model;
  const rankPrompts = Array.from(
    { length: rankings },
    (_, i) => preset.prompts[i % preset.prompts.length],
  );
  const queue = await answer(sftModel, tok, rankPrompts, k, s, 2000 + seed);
  const rng = mulberry32(3000 + seed);
  const groups = rankPrompts
    .map((prompt, g) => {
      const texts = queue.texts.slice(g * k, g * k + k);
      const ranks = noisyRanking(
        texts.map((x) => person.score(x, prompt)),
        noise,
        rng,
      );
      return {
        prompt: tok.encode(prompt),
        completions: texts.map((x) => responseIds(tok, x)),
        ranks,
      };
    })
    .filter((g) => new Set(g.ranks).size > 1);
  const { train } = splitHeldout(groups, s['rm.heldoutShare']);
  const fresh = await answer(sftModel, tok, preset.heldoutPrompts, k, s, 4000 + seed);
  const freshGold = fresh.texts.map((x, i) => gold.score(x, fresh.prompts[i]));
  const freshSeqs = fresh.texts.map((x, i) => ({
    prompt: tok.encode(fresh.prompts[i]),
    response: responseIds(tok, x),
  }));
  const line: string[] = [];
  for (const readout of REWARD_READOUTS) {
    const rs = rewardLoopSettings({ ...s, 'rm.readout': readout }, seed);
    const { rm, trainer } = await trainRewardModel(sftModel, train, { ...rs, steps: rs.maxSteps });
    const r = await trainer.score(freshSeqs);
    const agreement = totalAgreement(
      preset.heldoutPrompts.map((_, g) =>
        pairAgreement(r.slice(g * k, g * k + k), freshGold.slice(g * k, g * k + k), [true, true]),
      ),
    );
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
