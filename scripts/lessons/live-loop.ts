/**
 * The live loop (Christiano et al. 2017) in Node, sequentially interleaved:
 * one ranking by the simulated labeler per PPO iteration, the reward model
 * trained a few more steps on all rankings every `rmEvery` rankings (and
 * re-centred on the demonstrations), PPO against it. Logs the gold score of
 * PPO's samples and the RM's agreement with the gold labeler on each new
 * ranking's samples before it learns from them — what the browser test checks.
 *
 *   npx tsx scripts/lessons/live-loop.ts [--preset happy-endings] [--iterations 60]
 */
import { makeLabeler, noisyRanking } from '../../src/core/labelers';
import {
  PpoTrainer,
  mean,
  mulberry32,
  pairAgreement,
  type TokenPreference,
} from '../../src/core/index';
import {
  argument,
  copyOf,
  fmt,
  loadBase,
  readPreset,
  responseSeq,
  sampleGroups,
  sft,
  trainRewardModel,
  wasmBackend,
} from './pipeline';

await wasmBackend();
const preset = readPreset(argument('preset', 'happy-endings'));
const iterations = Number(argument('iterations', '60'));
const warmup = Number(argument('warmup', '10'));
const rmEvery = Number(argument('rm-every', '2'));
const rmSteps = Number(argument('rm-steps', '5'));
const firstSteps = Number(argument('first-steps', '60'));
const seed = Number(argument('seed', '0'));
const noise = Number(argument('noise', String(preset.labelerNoise)));
const lr = Number(argument('lr', '1e-4'));
const batch = Number(argument('batch', '16'));
const maxNewTokens = Number(argument('tokens', '80'));
const gold = makeLabeler(preset.labeler);
const { model: base, tokenizer: tok } = await loadBase(`${preset.language}-micro`);
await sft(base, tok, preset.demonstrations, { steps: 60, lr: 1e-3, batchSize: 16, seed: 1 });
const policy = await copyOf(base);

const rng = mulberry32(7 + seed);
let promptIndex = 0;
const groups: TokenPreference[] = [];
async function rankOne(seed: number): Promise<string[]> {
  const prompt = preset.prompts[promptIndex++ % preset.prompts.length];
  const [g] = await sampleGroups(policy, tok, [prompt], 4, { maxNewTokens, seed });
  const ranks = noisyRanking(
    g.texts.map((t) => gold.score(t, prompt)),
    noise,
    rng,
  );
  groups.push({
    prompt: tok.encode(prompt),
    completions: g.texts.map((t) => responseSeq(tok, prompt, t).response),
    ranks,
  });
  return g.texts.map((t) => t);
}

for (let i = 0; i < warmup; i++) await rankOne(1000 + i + 97 * seed);
const { trainer: rm } = await trainRewardModel(base, groups, {
  steps: firstSteps,
  lr: 5e-4,
  batchSize: 8,
  seed: 1,
  objective: 'pairwise',
});
const demos = preset.demonstrations.map((d) => responseSeq(tok, d.prompt, d.response));
await rm.normalize(demos);
const rmRng = mulberry32(3);

const ppo = new PpoTrainer(policy, base, {
  lr,
  miniBatchSize: 8,
  ppoEpochs: 4,
  klCoef: 0.2,
  seed: 11 + seed,
});
const pick = mulberry32(11 + seed);
const goldLog: number[] = [];
const freshLog: number[] = [];
for (let it = 1; it <= iterations; it++) {
  // One new ranking, scored by the RM before it learns from it.
  const prompt = preset.prompts[promptIndex % preset.prompts.length];
  const texts = await rankOne(2000 + it + 97 * seed);
  const rmScores = await rm.score(texts.map((t) => responseSeq(tok, prompt, t)));
  const a = pairAgreement(
    rmScores,
    texts.map((t) => gold.score(t, prompt)),
    [true, true],
  );
  if (a.pairs > 0) freshLog.push(a.same / a.pairs);
  if (it % rmEvery === 0) {
    for (let s = 0; s < rmSteps; s++) {
      await rm.step(Array.from({ length: 8 }, () => groups[Math.floor(rmRng() * groups.length)]));
    }
    await rm.normalize(demos);
  }
  const prompts = Array.from(
    { length: batch },
    () => preset.prompts[Math.floor(pick() * preset.prompts.length)],
  );
  const out = await sampleGroups(policy, tok, prompts, 1, {
    maxNewTokens,
    seed: 100 + it + 97 * seed,
  });
  const samples = out.map((g) => g.texts[0]);
  const scores = await rm.score(prompts.map((p, i) => responseSeq(tok, p, samples[i])));
  const m = await ppo.step({
    prompts: prompts.map((p) => tok.encode(p)),
    responses: out.map((g) => g.tokens[0]),
    scores,
  });
  goldLog.push(mean(samples.map((t, i) => gold.score(t, prompts[i]))));
  if (it % 10 === 0) {
    console.log(
      `it ${it}: gold ${fmt(mean(goldLog.slice(-10)))} RM fresh ${fmt(mean(freshLog.slice(-10)))} ` +
        `KL ${fmt(m['objective/kl'], 1)} len ${fmt(m['tokens/responses_len_mean'], 1)} e.g. ${JSON.stringify(samples[0])}`,
    );
  }
}
console.log(
  JSON.stringify({
    goldFirst5: mean(goldLog.slice(0, 5)),
    goldLast5: mean(goldLog.slice(-5)),
    freshFirst8: mean(freshLog.slice(0, 8)),
    freshLast8: mean(freshLog.slice(-8)),
  }),
);
