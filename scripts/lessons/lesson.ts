/**
 * One run of a preset's default lesson, as a person would go through it on the
 * page, in Node on tfjs's wasm backend: the base model the page would load on a
 * machine without a GPU, SFT on the preset's demonstrations, a ranking queue of
 * K samples for the first prompts, rankings by the preset's labeler with
 * Bradley–Terry noise (the stand-in for the person), the reward model, then PPO
 * and RRHF from the same SFT model. Every hyperparameter comes from the page's
 * settings table through src/lib/settings/run-settings.ts, and SFT, PPO and RRHF run
 * through the policy worker's own loop tasks (workers/policy-tasks.ts).
 *
 * The judge is the preset's gold labeler, which gives no credit to a text cut
 * off before its ending (src/core/labelers.ts `isFinished`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  EOS_ID,
  bestOfN,
  bestOfNKlBound,
  corpusUnits,
  mean,
  mulberry32,
  pairAgreement,
  pairedWinRate,
  sample,
  totalAgreement,
  type CharTokenizer,
  type GPT,
  type Proportion,
  type TokenPreference,
  type RankedPreference,
  type Sequence,
  withCutOffAnswersIf,
} from '../../src/core/index';
import { makeLabeler, noisyRanking, type Labeler } from '../../src/core/labelers';
import type { Preset } from '../../src/core/presets';
import { splitHeldout } from '../../src/lib/stages/reward-data';
import {
  automaticModelSize,
  optimiserRequest,
  presetSettings,
  rankSampling,
  rewardLoopSettings,
  sftLoopSettings,
} from '../../src/lib/settings/run-settings';
import { SETTINGS, type Settings } from '../../src/lib/settings/settings';
import { modelSizeFor } from '../../workers/backend-decision';
import { ModelSlot } from '../../workers/model-slot';
import { responseIds } from '../../workers/model-setup';
import { measurePolicy } from '../../workers/policy-measures';
import type { Scorer, TrainRequest } from '../../workers/policy-requests';
import { makePolicyTask } from '../../workers/policy-tasks';
import { ROOT, copyOf, loadBase, trainRewardModel } from './pipeline';

export interface LessonOptions {
  seed: number;
  /** Prompts the stand-in person ranks. */
  rankings: number;
  /** Bradley–Terry temperature of the stand-in person. */
  noise: number;
  /** Answers per held-out prompt in the evaluation. */
  answersPerPrompt: number;
  /** Milliseconds per micro training step the page would measure on wasm (decides the model). */
  wasmMsPerStep: number;
  /** Settings changed from the page's defaults (what-if runs; the report lists them). */
  overrides?: Partial<Settings>;
  /**
   * When set, every optimiser (and best-of-n) is rewarded by the gold labeler's own score
   * times this scale, in place of the reward model: a perfect reward model, which tells
   * what the policy can learn in the lesson's run when the reward is right. The reward
   * model is still trained and measured as usual.
   */
  goldReward?: number;
  /** Which methods beyond PPO and RRHF to measure too (all when left out). */
  methods?: readonly Method[];
  log?: (line: string) => void;
}

export interface LessonResult {
  seed: number;
  model: string;
  rmAgreement: number;
  rmHeldoutAccuracy: number;
  /** The leave-one-out accuracy on the person's own rankings that the Reward stage shows. */
  rmLeaveOneOut: number;
  gold: { base: number; sft: number; ppo: number; rrhf: number };
  winRateVsSft: { ppo: Proportion; rrhf: Proportion };
  kl: { ppo: number; rrhf: number };
  klTarget: number | null;
  eosShare: number;
  wordShare: number;
  /** The corpus-unit share of each model's answers on its own. */
  wordShareBy: { sft: number; ppo: number; rrhf: number };
  /** Every held-out answer, for reading what each model wrote. */
  answers: { sft: string[]; ppo: string[]; rrhf: string[] };
  seconds: { sft: number; queue: number; rm: number; ppo: number; rrhf: number };
  examples: { sft: string; ppo: string; rrhf: string };
  /** Mean RM and gold score of the first and last 3 iterations' own samples. */
  rollouts: { ppo: RolloutTrace; rrhf: RolloutTrace };
  /** DPO from the same SFT model, straight from the same rankings (no reward model). */
  dpo?: MethodRow;
  /** GRPO from the same SFT model against the same reward model. */
  grpo?: MethodRow;
  /** Best-of-n from the SFT model: n answers per held-out answer, the reward model's best kept. */
  bon?: MethodRow;
  /** Presets with a fixed β: the same PPO with the default adaptive KL controller. */
  adaptive?: {
    gold: number;
    winRateVsSft: Proportion;
    kl: number;
    rollouts: RolloutTrace;
    seconds: number;
  };
}

/** The methods beyond PPO and RRHF that train, measured beside them. */
const TRAINED = ['dpo', 'grpo'] as const;
/** ...and best-of-n, which only samples. */
export const METHODS = [...TRAINED, 'bon'] as const;
export type Method = (typeof METHODS)[number];
/** Best-of-n's n in the lesson. */
export const BON_N = 16;

/** One of those methods, on the held-out prompts. */
export interface MethodRow {
  gold: number;
  winRateVsSft: Proportion;
  kl: number;
  seconds: number;
  example: string;
  /** The run's own samples, first and last iterations (none for best-of-n). */
  rollouts?: RolloutTrace;
}

export interface RolloutTrace {
  rmFirst: number;
  rmLast: number;
  goldFirst: number;
  goldLast: number;
  klLast: number;
  betaLast: number;
}

/** What the page runs for this preset on a machine whose best backend is wasm. */
export function lessonPlan(
  preset: Preset,
  wasmMsPerStep: number,
  overrides: Partial<Settings> = {},
) {
  const settings = { ...presetSettings(preset).settings, ...overrides };
  const size = automaticModelSize(preset, modelSizeFor('wasm', wasmMsPerStep, false));
  return { settings, model: `${preset.language}-${size}`, size };
}

export interface Answers {
  prompts: string[];
  texts: string[];
  ended: boolean[];
}

export async function answer(
  model: GPT,
  tok: CharTokenizer,
  prompts: string[],
  k: number,
  s: Settings,
  seed: number,
): Promise<Answers> {
  const rows = prompts.flatMap((p) => Array.from({ length: k }, () => tok.encode(p)));
  const o = rankSampling(s, k);
  const out = await sample(model, rows, { ...o, seed });
  return {
    prompts: prompts.flatMap((p) => Array.from({ length: k }, () => p)),
    texts: out.tokens.map((t) => tok.decode(t)),
    ended: out.tokens.map((t) => t.at(-1) === EOS_ID),
  };
}

/** SFT as the Demonstrate stage runs it: the policy worker's own loop task, in place on the policy slot. */
export async function demonstrate(
  ctx: Parameters<typeof makePolicyTask>[0],
  preset: Preset,
  s: Settings,
  seed: number,
): Promise<{ steps: number; loss: number }> {
  const settings = sftLoopSettings(s, seed);
  const run = await runTask(
    makePolicyTask(ctx, { kind: 'sft', examples: preset.demonstrations, settings }),
    settings.maxSteps,
  );
  return { steps: settings.maxSteps, loss: run.last['sft/loss'] };
}

/**
 * The stand-in person's rankings: K SFT answers to each of the first
 * `rankings` prompts (the ranking queue), ranked by the preset's labeler with
 * Bradley–Terry noise.
 */
export async function standInRankings(
  model: GPT,
  tok: CharTokenizer,
  preset: Preset,
  s: Settings,
  o: { seed: number; rankings: number; noise: number },
): Promise<RankedPreference[]> {
  const k = s['sample.k'];
  const person = makeLabeler(preset.rankingLabeler ?? preset.labeler);
  const prompts = Array.from(
    { length: o.rankings },
    (_, i) => preset.prompts[i % preset.prompts.length],
  );
  const queue = await answer(model, tok, prompts, k, s, 2000 + o.seed);
  const rng = mulberry32(3000 + o.seed);
  return prompts.map((prompt, g) => {
    const texts = queue.texts.slice(g * k, g * k + k);
    return {
      prompt,
      completions: texts,
      ranks: noisyRanking(
        texts.map((x) => person.score(x, prompt)),
        o.noise,
        rng,
      ),
    };
  });
}

/** Rankings as the reward worker trains on them: token ids, with each best answer cut off and ranked last when asked. */
export function rewardGroups(
  tok: CharTokenizer,
  rankings: RankedPreference[],
  cutOff = false,
): TokenPreference[] {
  return withCutOffAnswersIf(rankings, cutOff).map((r: RankedPreference & { added?: number }) => ({
    prompt: tok.encode(r.prompt),
    completions: r.completions.map((x) => responseIds(tok, x)),
    ranks: r.ranks,
    ...(r.added ? { added: r.added } : {}),
  }));
}

/** Fresh SFT answers to the held-out prompts (K each), as token sequences, with their gold scores. */
export async function freshAnswers(
  model: GPT,
  tok: CharTokenizer,
  preset: Preset,
  s: Settings,
  seed: number,
): Promise<{ seqs: Sequence[]; gold: number[]; k: number }> {
  const k = s['sample.k'];
  const gold = makeLabeler(preset.labeler);
  const fresh = await answer(model, tok, preset.heldoutPrompts, k, s, 4000 + seed);
  return {
    seqs: fresh.texts.map((x, i) => ({
      prompt: tok.encode(fresh.prompts[i]),
      response: responseIds(tok, x),
    })),
    gold: fresh.texts.map((x, i) => gold.score(x, fresh.prompts[i])),
    k,
  };
}

/** A reward model's agreement with gold on those answers: over each prompt's pairs that gold tells apart. */
export function freshAgreement(
  fresh: { gold: number[]; k: number },
  rewards: number[],
): { share: number; pairs: number } {
  const { gold, k } = fresh;
  return totalAgreement(
    Array.from({ length: gold.length / k }, (_, j) =>
      pairAgreement(rewards.slice(j * k, j * k + k), gold.slice(j * k, j * k + k), [true, true]),
    ),
  );
}

export async function runTask(task: ReturnType<typeof makePolicyTask>, steps: number) {
  let last: Record<string, number> = {};
  const history: Record<string, number>[] = [];
  for (let i = 0; i < steps; i++) {
    last = await task.step();
    history.push(last);
  }
  task.dispose();
  return { last, history };
}

const corpusCache = new Map<string, Set<string>>();
/** Words (en) or character bigrams (zh) of all the text the models learn from: stories and instruction pairs. */
function corpusVocabulary(lang: 'en' | 'zh'): Set<string> {
  let v = corpusCache.get(lang);
  if (!v) {
    const dir = path.join(ROOT, `public/corpus/${lang}`);
    const pairs = readFileSync(path.join(dir, 'sft.train.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => {
        const pair = JSON.parse(line) as { prompt: string; response: string };
        return `${pair.prompt}${pair.response}`;
      });
    const text = [readFileSync(path.join(dir, 'train.txt'), 'utf8'), ...pairs].join('\n\n');
    v = new Set(corpusUnits(text, lang));
    corpusCache.set(lang, v);
  }
  return v;
}

/**
 * What the optimisers are rewarded by: the reward model's scores, or, with `goldReward`
 * set, the gold labeler's own score of each answer to its prompt times that scale.
 */
export function lessonScorer(
  goldReward: number | undefined,
  gold: Pick<Labeler, 'score'>,
  rewardModel: Scorer['score'],
): Scorer {
  return {
    score: async (items) =>
      goldReward === undefined
        ? rewardModel(items)
        : items.map((it) => goldReward * gold.score(it.response, it.prompt)),
  };
}

export async function runLesson(preset: Preset, o: LessonOptions): Promise<LessonResult> {
  const log = o.log ?? (() => {});
  const plan = lessonPlan(preset, o.wasmMsPerStep, o.overrides);
  const s = plan.settings;
  const gold = makeLabeler(preset.labeler);
  const { model: base, tokenizer: tok } = await loadBase(plan.model);
  const heldout = preset.heldoutPrompts;
  const goldOf = (a: Answers) => a.texts.map((t, i) => gold.score(t, a.prompts[i]));
  const evalSeed = 1000 + o.seed;
  const timer = () => {
    const t0 = performance.now();
    return () => (performance.now() - t0) / 1000;
  };

  const baseAnswers = await answer(base, tok, heldout, o.answersPerPrompt, s, evalSeed);

  // 1. SFT (the Demonstrate stage), in place on the policy slot.
  let t = timer();
  const policySlot = await ModelSlot.create(base, tok);
  const refSlot = await ModelSlot.create(await copyOf(base), tok);
  const ctx = { policy: policySlot, ref: refSlot, scorer: () => scorer };
  const sft = await demonstrate(ctx, preset, s, o.seed);
  const sftModel = await copyOf(base);
  const seconds = { sft: t(), queue: 0, rm: 0, ppo: 0, rrhf: 0 };
  log(`SFT ${sft.steps} steps, loss ${sft.loss.toFixed(3)} (${seconds.sft.toFixed(0)} s)`);

  // 2. The ranking queue: K samples for each of the first prompts, then the rankings.
  t = timer();
  const rankings = await standInRankings(sftModel, tok, preset, s, o);
  seconds.queue = t();
  const k = s['sample.k'];
  log(`ranking queue: ${o.rankings} prompts × ${k} samples (${seconds.queue.toFixed(1)} s)`);

  // 3. The reward model: a copy of SFT, trained on the rankings the page would train on.
  t = timer();
  const groups = rankings.filter((r) => new Set(r.ranks).size > 1);
  const { train, heldout: heldoutGroups } = splitHeldout(groups, s['rm.heldoutShare']);
  const rmSettings = rewardLoopSettings(s, o.seed);
  // As the reward worker trains: with each ranking's best answer cut off, ranked last, when asked.
  const forTraining = (rs: RankedPreference[]) => rewardGroups(tok, rs, rmSettings.cutOff);
  const { rm, trainer: rmTrainer } = await trainRewardModel(sftModel, forTraining(train), {
    ...rmSettings,
    steps: rmSettings.maxSteps,
  });
  await rmTrainer.normalize(
    preset.demonstrations.map((d) => ({
      prompt: tok.encode(d.prompt),
      response: responseIds(tok, d.response),
    })),
  );
  const rmHeldout =
    heldoutGroups.length > 0
      ? (await rmTrainer.evaluate(rewardGroups(tok, heldoutGroups))).accuracy
      : NaN;
  seconds.rm = t();
  // What the Reward stage shows: every ranking held out in turn (a frozen trunk only).
  const rmLeaveOneOut =
    rmSettings.trains === 'head' && rmSettings.objective === 'pairwise'
      ? (
          await rmTrainer.crossValidate(forTraining(groups), {
            steps: rmSettings.maxSteps,
            lr: rmSettings.lr,
          })
        ).accuracy
      : NaN;
  const scorer = lessonScorer(o.goldReward, gold, (items) =>
    rmTrainer.score(
      items.map((it) => ({
        prompt: tok.encode(it.prompt),
        response: responseIds(tok, it.response),
      })),
    ),
  );

  // The reward model's agreement with gold on fresh SFT samples of held-out prompts.
  const fresh = await freshAnswers(sftModel, tok, preset, s, o.seed);
  const agreement = freshAgreement(fresh, await rmTrainer.score(fresh.seqs));
  log(
    `RM: held-out rankings ${rmHeldout.toFixed(2)}, leave-one-out ${rmLeaveOneOut.toFixed(2)}, agrees with gold on ${(agreement.share * 100).toFixed(0)}% of ${agreement.pairs} pairs (${seconds.rm.toFixed(0)} s)`,
  );

  // 4. PPO, RRHF, DPO and GRPO, each from the SFT weights.
  // What the page would send the policy worker for each method (the page's own
  // request builder). DPO gets every ranking the person made: it has no reward
  // model to hold any out for.
  const requestFor = (
    kind: 'ppo' | 'rrhf' | (typeof TRAINED)[number],
    st: Settings,
  ): TrainRequest =>
    optimiserRequest(kind, st, o.seed, {
      prompts: preset.prompts,
      gold: preset.labeler,
      groups: () => rankings.map((r) => ({ ...r, candidates: r.completions })),
    });
  const optimise = async (kind: 'ppo' | 'rrhf' | (typeof TRAINED)[number], st: Settings = s) => {
    const tt = timer();
    policySlot.model.dispose();
    policySlot.model = await copyOf(sftModel);
    refSlot.model.dispose();
    refSlot.model = await copyOf(sftModel);
    const req = requestFor(kind, st);
    const settings = req.settings as { maxSteps: number };
    const run = await runTask(makePolicyTask(ctx, req), settings.maxSteps);
    const sec = tt();
    const at = (key: string, part: 'first' | 'last') =>
      mean((part === 'first' ? run.history.slice(0, 3) : run.history.slice(-3)).map((m) => m[key]));
    const goldKey = kind === 'ppo' ? 'env/gold_mean' : `${kind}/gold_mean`;
    const rmKey = kind === 'ppo' ? 'env/reward_mean' : `${kind}/reward_mean`;
    const trace: RolloutTrace = {
      rmFirst: at(rmKey, 'first'),
      rmLast: at(rmKey, 'last'),
      goldFirst: at(goldKey, 'first'),
      goldLast: at(goldKey, 'last'),
      klLast: kind === 'ppo' ? at('objective/kl', 'last') : NaN,
      betaLast: kind === 'ppo' ? run.last['objective/kl_coef'] : NaN,
    };
    log(
      `${kind.toUpperCase()} ${settings.maxSteps} ${kind === 'dpo' ? 'steps' : 'iterations'}: rollout RM ${trace.rmFirst.toFixed(2)} → ${trace.rmLast.toFixed(2)}, ` +
        `gold ${trace.goldFirst.toFixed(2)} → ${trace.goldLast.toFixed(2)}` +
        (kind === 'ppo' ? `, KL ${trace.klLast.toFixed(1)}, β ${trace.betaLast.toFixed(3)}` : '') +
        ` (${sec.toFixed(0)} s)`,
    );
    const policy = await copyOf(policySlot.model);
    return { policy, sec, trace };
  };
  const ppo = await optimise('ppo');
  seconds.ppo = ppo.sec;
  const rrhf = await optimise('rrhf');
  seconds.rrhf = rrhf.sec;
  const methods: Partial<Record<Method, Awaited<ReturnType<typeof optimise>>>> = {};
  const wanted = (m: Method) => !o.methods || o.methods.includes(m);
  for (const m of TRAINED) if (wanted(m)) methods[m] = await optimise(m);
  // A preset with a fixed β (the reward-hacking lesson) is also run with the page's
  // default adaptive KL controller, from the same SFT model and reward model.
  const adaptive =
    s['ppo.klMode'] === 'fixed'
      ? await optimise('ppo', {
          ...s,
          'ppo.klMode': 'adaptive',
          'ppo.klCoef': SETTINGS['ppo.klCoef'].default,
        })
      : null;

  // Best-of-n from the SFT model: each held-out answer is the reward model's
  // best of BON_N drawn for it (the same sampling settings as every model).
  const bestOfSft = async () => {
    const tb = timer();
    const pool = await answer(sftModel, tok, heldout, o.answersPerPrompt * BON_N, s, 6000 + o.seed);
    const poolRm = await scorer.score(
      pool.texts.map((x, i) => ({ prompt: pool.prompts[i], response: x })),
    );
    const picked = Array.from({ length: pool.texts.length / BON_N }, (_, j) => {
      const from = j * BON_N;
      return from + bestOfN(poolRm.slice(from, from + BON_N));
    });
    const answers: Answers = {
      prompts: picked.map((i) => pool.prompts[i]),
      texts: picked.map((i) => pool.texts[i]),
      ended: picked.map((i) => pool.ended[i]),
    };
    const seconds = tb();
    log(`best-of-${BON_N}: ${pool.texts.length} SFT answers scored (${seconds.toFixed(0)} s)`);
    return { answers, seconds };
  };
  const bon = wanted('bon') ? await bestOfSft() : null;

  // 5. Held-out evaluation: the same seeds for every model, so answers pair up.
  const sftAnswers = await answer(sftModel, tok, heldout, o.answersPerPrompt, s, evalSeed);
  const ppoAnswers = await answer(ppo.policy, tok, heldout, o.answersPerPrompt, s, evalSeed);
  const rrhfAnswers = await answer(rrhf.policy, tok, heldout, o.answersPerPrompt, s, evalSeed);
  const g = {
    base: goldOf(baseAnswers),
    sft: goldOf(sftAnswers),
    ppo: goldOf(ppoAnswers),
    rrhf: goldOf(rrhfAnswers),
  };
  const adaptiveGold = adaptive
    ? goldOf(await answer(adaptive.policy, tok, heldout, o.answersPerPrompt, s, evalSeed))
    : null;
  const measure = (policy: GPT) =>
    measurePolicy(policy, sftModel, tok, {
      prompts: heldout,
      k: o.answersPerPrompt,
      maxNewTokens: s['sample.maxNewTokens'],
      seed: 5000 + o.seed,
      text: '',
      windows: 0,
    });
  const kl = { ppo: (await measure(ppo.policy)).kl, rrhf: (await measure(rrhf.policy)).kl };
  const trained = [sftAnswers, ppoAnswers, rrhfAnswers];
  const ended = trained.flatMap((a) => a.ended);
  const vocabulary = corpusVocabulary(preset.language);
  const unitsOf = (a: Answers) =>
    a.texts.flatMap((text, i) => {
      const u = corpusUnits(text, preset.language);
      return a.ended[i] ? u : u.slice(0, -1); // a cut-off last word is no word
    });
  const shareOf = (units: string[]) =>
    units.filter((u) => vocabulary.has(u)).length / Math.max(units.length, 1);
  const units = trained.flatMap(unitsOf);
  const result: LessonResult = {
    seed: o.seed,
    model: plan.model,
    rmAgreement: agreement.share,
    rmHeldoutAccuracy: rmHeldout,
    rmLeaveOneOut,
    gold: { base: mean(g.base), sft: mean(g.sft), ppo: mean(g.ppo), rrhf: mean(g.rrhf) },
    winRateVsSft: { ppo: pairedWinRate(g.ppo, g.sft), rrhf: pairedWinRate(g.rrhf, g.sft) },
    kl,
    klTarget: s['ppo.klMode'] === 'adaptive' ? s['ppo.klTarget'] : null,
    eosShare: ended.filter(Boolean).length / ended.length,
    wordShare: shareOf(units),
    wordShareBy: {
      sft: shareOf(unitsOf(sftAnswers)),
      ppo: shareOf(unitsOf(ppoAnswers)),
      rrhf: shareOf(unitsOf(rrhfAnswers)),
    },
    answers: { sft: sftAnswers.texts, ppo: ppoAnswers.texts, rrhf: rrhfAnswers.texts },
    seconds,
    examples: { sft: sftAnswers.texts[0], ppo: ppoAnswers.texts[0], rrhf: rrhfAnswers.texts[0] },
    rollouts: { ppo: ppo.trace, rrhf: rrhf.trace },
    ...(adaptive && adaptiveGold
      ? {
          adaptive: {
            gold: mean(adaptiveGold),
            winRateVsSft: pairedWinRate(adaptiveGold, g.sft),
            kl: (await measure(adaptive.policy)).kl,
            rollouts: adaptive.trace,
            seconds: adaptive.sec,
          },
        }
      : {}),
  };
  rmTrainer.dispose();
  if (bon) {
    const bonGold = goldOf(bon.answers);
    result.bon = {
      gold: mean(bonGold),
      winRateVsSft: pairedWinRate(bonGold, g.sft),
      kl: bestOfNKlBound(BON_N),
      seconds: bon.seconds,
      example: bon.answers.texts[0],
    };
  }
  for (const m of TRAINED) {
    const run = methods[m];
    if (!run) continue;
    const answers = await answer(run.policy, tok, heldout, o.answersPerPrompt, s, evalSeed);
    const gold = goldOf(answers);
    result[m] = {
      gold: mean(gold),
      winRateVsSft: pairedWinRate(gold, g.sft),
      kl: (await measure(run.policy)).kl,
      seconds: run.sec,
      example: answers.texts[0],
      rollouts: run.trace,
    };
    run.policy.dispose();
  }
  for (const m of [ppo.policy, rrhf.policy, sftModel, rm]) m.dispose();
  adaptive?.policy.dispose();
  policySlot.drop();
  refSlot.drop();
  return result;
}
