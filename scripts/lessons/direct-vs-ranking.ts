/**
 * Rankings or grades? InstructGPT collects rankings because labelers agree
 * more on which of two answers is better than on an absolute score. Two
 * simulated labelers with the same taste but a personal calibration (one
 * lenient, one harsh) and some noise each label half of the SFT model's
 * samples, once as 1–7 grades and once as rankings; a reward model is trained
 * on each (direct-score objective on the grades, pairwise on the rankings)
 * from the same SFT start, and both are scored on held-out samples ordered by
 * the labelers' shared (noiseless) taste.
 *
 *   npx tsx scripts/lessons/direct-vs-ranking.ts [--preset happy-and-talkative] [--prompts 24]
 */
import { makeLabeler } from '../../src/core/labelers';
import {
  gradeToTarget,
  labelGroup,
  mulberry32,
  pairAgreement,
  ranksFromScores,
  totalAgreement,
  type Grader,
  type TokenPreference,
} from '../../src/core/index';
import {
  argument,
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
const preset = readPreset(argument('preset', 'happy-and-talkative'));
const promptCount = Number(argument('prompts', '24'));
const seeds = Number(argument('seeds', '3'));
const k = 4;
const maxNewTokens = 64;
const taste = makeLabeler(preset.labeler);
/** The same taste, calibrated differently: InstructGPT's labelers disagreed on scale more than on order. */
const graders: Grader[] = [
  { noise: 0.15, offset: 0.2 },
  { noise: 0.15, offset: -0.2 },
];

const { model: base, tokenizer: tok } = await loadBase(`${preset.language}-micro`);
await sft(base, tok, preset.demonstrations, { steps: 60, lr: 1e-3, batchSize: 16, seed: 1 });

const prompts = Array.from(
  { length: promptCount },
  (_, i) => preset.prompts[i % preset.prompts.length],
);
const train = await sampleGroups(base, tok, prompts, k, { maxNewTokens, seed: 3 });
// Each held-out prompt answered three times over, for enough held-out pairs.
const heldoutPrompts = [
  ...preset.heldoutPrompts,
  ...preset.heldoutPrompts,
  ...preset.heldoutPrompts,
];
const heldout = await sampleGroups(base, tok, heldoutPrompts, k, { maxNewTokens, seed: 5 });
const test: TokenPreference[] = heldout
  .map((g) => ({
    prompt: tok.encode(g.prompt),
    completions: g.texts.map((t) => responseSeq(tok, g.prompt, t).response),
    ranks: ranksFromScores(g.texts.map((t) => taste.score(t, g.prompt))),
  }))
  .filter((g) => new Set(g.ranks).size > 1);

const results: Record<string, number[]> = {
  rankAgreement: [],
  gradeAgreement: [],
  sameGrade: [],
  untiedGradePairs: [],
  pairwise: [],
  direct: [],
};
for (let seed = 1; seed <= seeds; seed++) {
  const rng = mulberry32(seed * 101);
  // Both labelers label every training group, so their agreement can be measured.
  const labels = train.map((g) => {
    const said = graders.map((gr) =>
      labelGroup(
        g.texts.map((t) => taste.score(t, g.prompt)),
        gr,
        rng,
      ),
    );
    return { grades: said.map((x) => x.grades), ranks: said.map((x) => x.ranks) };
  });
  const rankAgree = totalAgreement(labels.map((l) => pairAgreement(l.ranks[0], l.ranks[1])));
  const gradeAgree = totalAgreement(
    labels.map((l) => pairAgreement(l.grades[0], l.grades[1], [true, true])),
  );
  const sameGrade =
    labels.reduce((n, l) => n + l.grades[0].filter((g, i) => g === l.grades[1][i]).length, 0) /
    (labels.length * k);
  results.rankAgreement.push(rankAgree.share);
  results.gradeAgreement.push(gradeAgree.share);
  results.sameGrade.push(sameGrade);
  results.untiedGradePairs.push(gradeAgree.pairs / rankAgree.pairs);

  // Each group is labeled by one of them (alternating), as a crowd of two would.
  const completions = (g: (typeof train)[number]) =>
    g.texts.map((t) => responseSeq(tok, g.prompt, t).response);
  const ranked: TokenPreference[] = train.map((g, i) => ({
    prompt: tok.encode(g.prompt),
    completions: completions(g),
    ranks: labels[i].ranks[i % 2],
  }));
  const graded: TokenPreference[] = train.map((g, i) => ({
    prompt: tok.encode(g.prompt),
    completions: completions(g),
    grades: labels[i].grades[i % 2].map(gradeToTarget),
  }));
  for (const [objective, groups] of [
    ['pairwise', ranked],
    ['direct', graded],
  ] as const) {
    const { trainer } = await trainRewardModel(base, groups, {
      steps: 60,
      lr: 5e-4,
      batchSize: 8,
      seed,
      objective,
    });
    trainer.objective = 'pairwise'; // accuracy on held-out rankings, whatever the objective
    const r = await trainer.evaluate(test);
    results[objective].push(r.accuracy);
    trainer.dispose();
    trainer.model.dispose();
  }
  console.log(
    `seed ${seed}: labelers agree on ${fmt(rankAgree.share)} of ranked pairs, ${fmt(gradeAgree.share)} of ` +
      `${gradeAgree.pairs}/${rankAgree.pairs} untied graded pairs, same grade ${fmt(sameGrade)}; ` +
      `held-out accuracy pairwise ${fmt(results.pairwise.at(-1)!)}, direct ${fmt(results.direct.at(-1)!)} ` +
      `(${test.length} groups)`,
  );
}
const summary = Object.fromEntries(
  Object.entries(results).map(([key, xs]) => {
    const m = xs.reduce((a, b) => a + b, 0) / xs.length;
    const sd = Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / Math.max(xs.length - 1, 1));
    return [key, { mean: m, sd, values: xs }];
  }),
);
console.log(
  JSON.stringify(
    { preset: preset.id, groups: train.length, heldout: test.length, ...summary },
    null,
    2,
  ),
);
