// The policy worker's loops that learn from feedback: PPO against the reward
// worker's scores (arriving over the workers' own MessageChannel), and RRHF on
// candidates scored by the reward model or ranked by a person. Both can score
// their samples with a gold labeler the optimiser never sees.
import {
  ArgumentError,
  EOS_ID,
  PPO_DEFAULTS,
  PpoTrainer,
  RrhfTrainer,
  mean,
  mulberry32,
  penaliseMissingEos,
  randomWindows,
  ranksToScores,
  sample,
  type RrhfGroup,
} from '../src/core';
import { assertOneOf } from '../src/core/errors';
import { validateLabelerSpec, type LabelerSpec } from '../src/core/labeler-spec';
import { makeLabeler } from '../src/core/labelers';
import { describeSamples, iterationSamples, shownRows } from './iteration-samples';
import { checkK, encodePrompts } from './model-setup';
import {
  RRHF_CANDIDATE_SOURCES,
  type PolicyContext,
  type SampleSettings,
  type TrainRequest,
} from './policy-requests';
import { makeTask, maxNewTokensFor, picker } from './trainer-task';

/**
 * Scores texts with the gold labeler: the mean score, and the share of answers
 * with the preset's property (full marks), under `prefix`/gold_mean and
 * `prefix`/gold_share; nothing when there is no gold labeler.
 */
export function goldScorer(spec: LabelerSpec | undefined, prefix: 'env' | 'rrhf' | 'dpo' | 'grpo') {
  const labeler = spec ? makeLabeler(validateLabelerSpec(spec, 'settings.gold')) : null;
  type Item = { prompt: string; response: string };
  /** Each answer's gold score; NaN without a gold labeler. */
  const each = (items: Item[]) =>
    items.map((it) => (labeler ? labeler.score(it.response, it.prompt) : NaN));
  const summary = (items: Item[]): Record<string, number> => {
    if (!labeler || items.length === 0) return {};
    const scores = each(items);
    return {
      [`${prefix}/gold_mean`]: mean(scores),
      [`${prefix}/gold_share`]: scores.filter((x) => x >= 1).length / scores.length,
    };
  };
  return Object.assign(summary, { each });
}

/**
 * The reward worker's scores of sampled answers as an optimiser (PPO, RRHF,
 * GRPO) learns from them: an answer that did not end within the sample loses
 * the missing-EOS penalty (TRL's missing_eos_penalty; 0 unless asked).
 */
export async function optimiserScores(
  ctx: PolicyContext,
  items: { prompt: string; response: string }[],
  responses: number[][],
  settings: SampleSettings,
): Promise<number[]> {
  return penaliseMissingEos(
    await ctx.scorer().score(items),
    responses,
    settings.missingEosPenalty ?? 0,
  );
}

/** Length of the PPO-ptx pretraining windows: long enough for context, short enough to stay cheap. */
const PTX_WINDOW = 64;

export function ppoTask(ctx: PolicyContext, prompts: string[], s: TrainRequest & { kind: 'ppo' }) {
  const st = s.settings;
  const maxNewTokens = maxNewTokensFor(ctx, st);
  const tok = ctx.policy.tokenizer;
  const enc = encodePrompts(tok, prompts, ctx.policy.model.config.blockSize - maxNewTokens);
  const r = picker(st.seed ?? 0);
  const ppo = s.ppo ?? {};
  const gold = goldScorer(st.gold, 'env');
  const ptxTokens =
    (ppo.ptxCoef ?? 0) > 0 ? tok.encode(typeof st.ptxText === 'string' ? st.ptxText : '') : null;
  if (ptxTokens && ptxTokens.length <= PTX_WINDOW) {
    throw new ArgumentError(
      'settings.ptxText',
      'is too short for PPO-ptx; give held-out pretraining text',
    );
  }
  const ptxRng = mulberry32((st.seed ?? 0) + 1);
  return makeTask({
    warnings: enc.warnings,
    kind: 'ppo',
    settings: st,
    // β may change while the loop runs (as lr may): the trainer starts from its current value.
    extra: { klCoef: ppo.klCoef ?? PPO_DEFAULTS.klCoef },
    create: (lr, extra) =>
      new PpoTrainer(ctx.policy.model, ctx.ref.model, {
        ...ppo,
        lr,
        klCoef: extra.klCoef as number,
        seed: st.seed ?? 0,
      }),
    apply: (t, key, value) => {
      if (key === 'klCoef') t.updateSettings({ klCoef: value as number });
    },
    async step(t, n, show) {
      const chosen = r.pick(enc.ids, n);
      // PPO's ratio and KL need samples from the policy itself: no top-k/top-p.
      const out = await sample(ctx.policy.model, chosen, { maxNewTokens, seed: r.seed() });
      const items = chosen.map((p, i) => ({
        prompt: tok.decode(p),
        response: tok.decode(out.tokens[i]),
      }));
      const scores = await optimiserScores(ctx, items, out.tokens, st);
      const ptx = ptxTokens
        ? randomWindows(
            ptxTokens,
            ppo.miniBatchSize ?? PPO_DEFAULTS.miniBatchSize,
            PTX_WINDOW,
            ptxRng,
          )
        : undefined;
      const metrics = await t.step({ prompts: chosen, responses: out.tokens, scores, ptx });
      // The per-token KL of the rollout, as the KL penalty read it.
      const rows = shownRows(chosen.length);
      const golds = gold.each(rows.map((i) => items[i]));
      show(
        describeSamples(
          tok,
          rows.map((i, n) => ({
            prompt: chosen[i],
            response: out.tokens[i],
            kl: t.tokenKl[i],
            rm: scores[i],
            gold: golds[n],
          })),
        ),
      );
      return { ...metrics, ...gold(items) };
    },
  });
}

export function rrhfTask(ctx: PolicyContext, req: TrainRequest & { kind: 'rrhf' }) {
  const st = req.settings;
  const tok = ctx.policy.tokenizer;
  const r = picker(st.seed ?? 0);
  const extra = { lengthPenalty: st.lengthPenalty ?? 1, temperature: st.temperature ?? 1 };
  const gold = goldScorer(st.gold, 'rrhf');
  const create = (lr: number, x: Record<string, unknown>) =>
    new RrhfTrainer(ctx.policy.model, { lr, lengthPenalty: x.lengthPenalty as number });
  const apply = (t: RrhfTrainer, key: string, value: unknown) => {
    if (key === 'lengthPenalty') t.lengthPenalty = value as number;
  };
  if (req.groups) {
    if (!Array.isArray(req.groups) || req.groups.length === 0)
      throw new ArgumentError('groups', 'is empty');
    const groups: RrhfGroup[] = req.groups.map((g) => ({
      prompt: tok.encode(g.prompt),
      candidates: g.candidates.map((c) => [...tok.encode(c), EOS_ID]),
      scores: ranksToScores(g.ranks),
    }));
    return makeTask({
      kind: 'rrhf',
      settings: st,
      extra,
      create,
      apply,
      step: (t, n) => t.step(r.pick(groups, n)),
    });
  }
  const k = checkK(st.k ?? 4);
  const source = st.candidates ?? 'sft';
  assertOneOf('settings.candidates', source, RRHF_CANDIDATE_SOURCES);
  // How many of each prompt's k candidates the frozen SFT model writes; the policy writes the rest.
  const kSft = source === 'sft' ? k : source === 'mixed' ? Math.ceil(k / 2) : 0;
  const kPolicy = k - kSft;
  const maxNewTokens = maxNewTokensFor(ctx, st);
  const enc = encodePrompts(
    tok,
    req.prompts ?? [],
    ctx.policy.model.config.blockSize - maxNewTokens,
  );
  return makeTask({
    warnings: enc.warnings,
    kind: 'rrhf',
    settings: st,
    extra,
    create,
    apply,
    async step(t, n, show) {
      const chosen = r.pick(enc.ids, n);
      const repeat = (m: number) => chosen.flatMap((p) => Array.from({ length: m }, () => p));
      const o = { maxNewTokens, temperature: extra.temperature as number, topP: st.topP ?? 1 };
      const sftRows = repeat(kSft);
      const fromSft =
        kSft > 0 ? await sample(ctx.ref.model, sftRows, { ...o, seed: r.seed() }) : null;
      // The policy's own answers: candidates, or (all from SFT, which says nothing of the
      // policy's progress) one per prompt scored beside them for the curves (RM and gold).
      const ownRows = repeat(Math.max(kPolicy, 1));
      const own = await sample(ctx.policy.model, ownRows, { ...o, seed: r.seed() });
      const texts = (prompts: number[][], answers: number[][]) =>
        prompts.map((p, i) => ({ prompt: tok.decode(p), response: tok.decode(answers[i]) }));
      const sftItems = fromSft ? texts(sftRows, fromSft.tokens) : [];
      const policyItems = texts(ownRows, own.tokens);
      const scores = await optimiserScores(
        ctx,
        [...sftItems, ...policyItems],
        [...(fromSft ? fromSft.tokens : []), ...own.tokens],
        st,
      );
      const policyScores = scores.slice(sftItems.length);
      const groups = chosen.map((prompt, g) => ({
        prompt,
        candidates: [
          ...(fromSft ? fromSft.tokens.slice(g * kSft, g * kSft + kSft) : []),
          ...own.tokens.slice(g * kPolicy, g * kPolicy + kPolicy),
        ],
        scores: [
          ...scores.slice(g * kSft, g * kSft + kSft),
          ...policyScores.slice(g * kPolicy, g * kPolicy + kPolicy),
        ],
      }));
      // Before the update: the KL of the policy that wrote them.
      const samples = await iterationSamples(tok, ctx.ref.model, {
        prompts: ownRows,
        responses: own.tokens,
        logprobs: own.logprobs,
        rm: policyScores,
        gold: (shown) => gold.each(shown.map((i) => policyItems[i])),
      });
      const metrics = await t.step(groups);
      show(samples);
      const rmMean = mean(policyScores);
      return {
        ...metrics,
        'env/reward_mean': rmMean,
        'rrhf/reward_mean': rmMean,
        ...gold(policyItems),
      };
    },
  });
}
