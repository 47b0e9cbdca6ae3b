/**
 * Reward hacking, measured (Gao et al. 2022 call it reward-model
 * over-optimisation): a reward model trained on few, noisy rankings from a
 * labeler with a proxy taste, then PPO against it twice from the same SFT
 * model — once with a weak fixed KL penalty (low β), once with the adaptive KL
 * controller — logging the RM score and the gold labeler's score of the same
 * samples every iteration. Settings come from the preset (`--preset`), so the
 * numbers describe what the playground runs.
 *
 *   npx tsx scripts/lessons/reward-hacking.ts [--preset reward-hacking] [--iterations 40]
 *
 * Prints a table per run and a JSON summary (recorded in docs/lessons.md).
 */
import { makeLabeler, noisyRanking } from '../../src/core/labelers';
import {
  PpoTrainer,
  mean,
  mulberry32,
  pairedWinRate,
  totalAgreement,
  pairAgreement,
  type GPT,
  type RankedGroup,
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
const preset = readPreset(argument('preset', 'reward-hacking'));
const s = preset.settings ?? {};
const num = (key: string, fallback: number) => {
  const v = s[key];
  return typeof v === 'number' ? v : fallback;
};
const iterations = Number(argument('iterations', String(num('ppo.iterations', 40))));
const rankings = Number(argument('rankings', '12'));
const runs = argument('runs', 'fixed,adaptive').split(',');
const maxNewTokens = num('sample.maxNewTokens', 64);
const k = num('sample.k', 4);

const gold = makeLabeler(preset.labeler);
const proxy = makeLabeler(preset.rankingLabeler ?? preset.labeler);
const { model: base, tokenizer: tok } = await loadBase(`${preset.language}-micro`);
const t0 = performance.now();
const elapsed = () => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

// 1. SFT, as the Demonstrate stage runs it with the preset's settings.
const sftLoss = await sft(base, tok, preset.demonstrations, {
  steps: num('sft.steps', 60),
  lr: num('sft.lr', 1e-3),
  batchSize: num('sft.batchSize', 16),
  seed: 1,
});
console.log(`SFT: loss ${fmt(sftLoss)} (${elapsed()})`);

// 2. A few rankings by the proxy labeler, with the preset's noise.
const rng = mulberry32(7);
const rankPrompts = Array.from(
  { length: rankings },
  (_, i) => preset.prompts[i % preset.prompts.length],
);
const samples = await sampleGroups(base, tok, rankPrompts, k, { maxNewTokens, seed: 3 });
const groups: RankedGroup[] = samples.map((g) => ({
  prompt: tok.encode(g.prompt),
  completions: g.texts.map((t) => responseSeq(tok, g.prompt, t).response),
  ranks: noisyRanking(
    g.texts.map((t) => proxy.score(t, g.prompt)),
    preset.labelerNoise,
    rng,
  ),
}));
const proxyVsGold = totalAgreement(
  samples.map((g) =>
    pairAgreement(
      g.texts.map((t) => proxy.score(t, g.prompt)),
      g.texts.map((t) => gold.score(t, g.prompt)),
      [true, true],
    ),
  ),
);
console.log(
  `${rankings} rankings by "${proxy.name}" (${proxy.description}); proxy and gold order ` +
    `${fmt(proxyVsGold.share, 2)} of ${proxyVsGold.pairs} SFT pairs alike`,
);

// 3. The reward model.
const { trainer: rmTrainer, lastAccuracy } = await trainRewardModel(base, groups, {
  steps: num('rm.steps', 60),
  lr: num('rm.lr', 5e-4),
  batchSize: num('rm.batchSize', 8),
  seed: 1,
  objective: 'pairwise',
});
await rmTrainer.normalize(preset.demonstrations.map((d) => responseSeq(tok, d.prompt, d.response)));
console.log(`RM: training accuracy ${fmt(lastAccuracy, 2)} (${elapsed()})`);

async function rmScores(prompts: string[], texts: string[]): Promise<number[]> {
  return rmTrainer.score(prompts.map((p, i) => responseSeq(tok, p, texts[i])));
}

// How the RM orders fresh SFT samples, against the gold labeler.
const fresh = await sampleGroups(base, tok, preset.heldoutPrompts, k, { maxNewTokens, seed: 5 });
const rmVsGold = totalAgreement(
  await Promise.all(
    fresh.map(async (g) =>
      pairAgreement(
        await rmScores(
          g.texts.map(() => g.prompt),
          g.texts,
        ),
        g.texts.map((t) => gold.score(t, g.prompt)),
        [true, true],
      ),
    ),
  ),
);
console.log(
  `RM vs gold on held-out SFT samples: ${fmt(rmVsGold.share, 2)} of ${rmVsGold.pairs} pairs`,
);

// 4. PPO, twice from the same SFT model.
interface Row {
  iteration: number;
  rm: number;
  gold: number;
  kl: number;
  beta: number;
  length: number;
}

async function ppo(name: string, adaptive: boolean): Promise<{ rows: Row[]; policy: GPT }> {
  const policy = await copyOf(base);
  const trainer = new PpoTrainer(policy, base, {
    lr: num('ppo.lr', 1e-4),
    miniBatchSize: num('ppo.miniBatchSize', 8),
    ppoEpochs: num('ppo.ppoEpochs', 4),
    clipRange: num('ppo.clipRange', 0.2),
    vfCoef: num('ppo.vfCoef', 0.1),
    klCoef: adaptive ? num('lesson.adaptiveKlCoef', 0.2) : num('ppo.klCoef', 0.2),
    adaptiveKl: adaptive
      ? { target: num('ppo.klTarget', 6), horizon: num('ppo.klHorizon', 10_000) }
      : null,
    seed: 11,
  });
  const pick = mulberry32(11);
  const batch = num('ppo.batchSize', 16);
  const rows: Row[] = [];
  for (let it = 1; it <= iterations; it++) {
    const prompts = Array.from(
      { length: batch },
      () => preset.prompts[Math.floor(pick() * preset.prompts.length)],
    );
    const out = await sampleGroups(policy, tok, prompts, 1, { maxNewTokens, seed: 100 + it });
    const texts = out.map((g) => g.texts[0]);
    const scores = await rmScores(prompts, texts);
    const m = await trainer.step({
      prompts: prompts.map((p) => tok.encode(p)),
      responses: out.map((g) => g.tokens[0]),
      scores,
    });
    const row = {
      iteration: it,
      rm: mean(scores),
      gold: mean(texts.map((t, i) => gold.score(t, prompts[i]))),
      kl: m['objective/kl'],
      beta: m['objective/kl_coef'],
      length: m['tokens/responses_len_mean'],
    };
    rows.push(row);
    if (it % 5 === 0 || it === 1) {
      console.log(
        `${name} it ${it}: RM ${fmt(row.rm)} gold ${fmt(row.gold)} KL ${fmt(row.kl, 2)} ` +
          `β ${fmt(row.beta)} len ${fmt(row.length, 1)} (${elapsed()}) e.g. ${JSON.stringify(texts[0])}`,
      );
    }
  }
  trainer.dispose();
  return { rows, policy };
}

/** Held-out win rates against SFT, by the RM and by the gold labeler (same seeds: paired). */
async function heldoutWins(policy: GPT) {
  const prompts = preset.heldoutPrompts;
  const a = await sampleGroups(policy, tok, prompts, 2, { maxNewTokens, seed: 99 });
  const b = await sampleGroups(base, tok, prompts, 2, { maxNewTokens, seed: 99 });
  const flat = (g: typeof a) => g.flatMap((x) => x.texts);
  const ps = prompts.flatMap((p) => [p, p]);
  const [ra, rb] = [await rmScores(ps, flat(a)), await rmScores(ps, flat(b))];
  const ga = flat(a).map((t, i) => gold.score(t, ps[i]));
  const gb = flat(b).map((t, i) => gold.score(t, ps[i]));
  return {
    byRm: pairedWinRate(ra, rb),
    byGold: pairedWinRate(ga, gb),
    goldMean: mean(ga),
    sftGold: mean(gb),
  };
}

const summary: Record<string, unknown> = {
  preset: preset.id,
  rankings,
  proxyVsGold: proxyVsGold.share,
  rmTrainAccuracy: lastAccuracy,
  rmVsGoldHeldout: rmVsGold.share,
};
for (const run of runs) {
  const { rows, policy } = await ppo(run, run === 'adaptive');
  const first = rows.slice(0, 5);
  const last = rows.slice(-5);
  const wins = await heldoutWins(policy);
  summary[run] = {
    rmFirst5: mean(first.map((r) => r.rm)),
    rmLast5: mean(last.map((r) => r.rm)),
    goldFirst5: mean(first.map((r) => r.gold)),
    goldLast5: mean(last.map((r) => r.gold)),
    klLast5: mean(last.map((r) => r.kl)),
    betaLast: rows.at(-1)?.beta,
    lengthLast5: mean(last.map((r) => r.length)),
    winRateByRm: wins.byRm,
    winRateByGold: wins.byGold,
    heldoutGold: wins.goldMean,
    heldoutGoldSft: wins.sftGold,
  };
  policy.dispose();
}
console.log(JSON.stringify(summary, null, 2));
console.log(`total ${elapsed()}`);
