// The policy worker's training loops as LoopTasks: SFT on demonstrations,
// pretraining on a user's text, PPO against the reward worker (scores arrive
// over the workers' own MessageChannel) and RRHF (candidates scored by the
// reward model, or ranked by a person). Each wraps a core trainer; the loop
// (training-loop.ts) does the pausing, snapshots and recovery.
import {
  ArgumentError,
  EOS_ID,
  PpoTrainer,
  RrhfTrainer,
  SftTrainer,
  mulberry32,
  randomWindows,
  ranksToScores,
  sample,
  type Optimizer,
  type PpoSettings,
  type RrhfGroup,
  type Sequence,
} from '../src/core';
import { validateLabelerSpec, type LabelerSpec } from '../src/core/labeler-spec';
import { makeLabeler } from '../src/core/labelers';
import { checkK, encodePrompts } from './model-setup';
import type { ModelSlot } from './model-slot';
import type { LoopSettings, LoopTask } from './training-loop';

/** The reward worker's scoring call, as the policy worker sees it through its port. */
export interface Scorer {
  score(items: { prompt: string; response: string }[]): Promise<number[]>;
}

export interface PolicyContext {
  policy: ModelSlot;
  ref: ModelSlot;
  scorer(): Scorer;
}

export interface SampleSettings {
  /** New tokens per response. Default 24. */
  maxNewTokens?: number;
  temperature?: number;
  /**
   * A gold labeler that scores every sample beside the reward model, never
   * seen by the optimiser: `env/gold_mean` (PPO), `rrhf/gold_mean` (RRHF).
   * Side by side with the RM score it shows reward hacking as it happens.
   */
  gold?: LabelerSpec;
}

export type TrainRequest =
  | { kind: 'sft'; examples: { prompt: string; response: string }[]; settings: LoopSettings }
  | { kind: 'pretrain'; text: string; settings: LoopSettings }
  | {
      kind: 'ppo';
      prompts: string[];
      settings: LoopSettings &
        SampleSettings &
        PpoLoopSettings & {
          /** Pretraining text for PPO-ptx: windows of it join every minibatch when ptxCoef > 0. */
          ptxText?: string;
        };
    }
  | {
      kind: 'rrhf';
      /** Candidates sampled k per prompt and scored by the reward model... */
      prompts?: string[];
      /** ...or groups a person ranked (ranks: 0 = best). */
      groups?: { prompt: string; candidates: string[]; ranks: number[] }[];
      settings: LoopSettings &
        SampleSettings & {
          k?: number;
          lengthPenalty?: number;
          /** Which model samples the candidates: the frozen SFT model (default) or the policy. */
          candidates?: 'sft' | 'policy';
        };
    };

export type PpoLoopSettings = Pick<
  PpoSettings,
  | 'klCoef'
  | 'ppoEpochs'
  | 'miniBatchSize'
  | 'clipRange'
  | 'clipRangeValue'
  | 'vfCoef'
  | 'adaptiveKl'
  | 'targetKl'
  | 'ptxCoef'
>;

/**
 * Scores texts with the gold labeler: the mean score, and the share of answers
 * with the preset's property (full marks), under `prefix`/gold_mean and
 * `prefix`/gold_share; nothing when there is no gold labeler.
 */
function goldScorer(spec: LabelerSpec | undefined, prefix: 'env' | 'rrhf') {
  const labeler = spec ? makeLabeler(validateLabelerSpec(spec, 'settings.gold')) : null;
  return (items: { prompt: string; response: string }[]): Record<string, number> => {
    if (!labeler || items.length === 0) return {};
    const scores = items.map((it) => labeler.score(it.response, it.prompt));
    return {
      [`${prefix}/gold_mean`]: scores.reduce((a, b) => a + b, 0) / scores.length,
      [`${prefix}/gold_share`]: scores.filter((x) => x >= 1).length / scores.length,
    };
  };
}

/** Length of the PPO-ptx pretraining windows: long enough for context, short enough to stay cheap. */
const PTX_WINDOW = 64;

interface Trainer {
  optimizer: Optimizer;
  dispose(): void;
}

interface TaskSpec<T extends Trainer> {
  kind: string;
  warnings?: string[];
  settings: LoopSettings;
  /** Settings besides lr and batchSize that may change between steps, with their values. */
  extra?: Record<string, unknown>;
  create(lr: number, extra: Record<string, unknown>): T;
  step(trainer: T, batchSize: number): Promise<Record<string, number>>;
  apply?(trainer: T, key: string, value: unknown): void;
}

function makeTask<T extends Trainer>(spec: TaskSpec<T>): LoopTask {
  // Shared with the spec's closures, so a changed setting reaches its step().
  const extra = spec.extra ?? {};
  let lr = spec.settings.lr;
  let trainer: T | null = spec.create(lr, extra);
  const allowed = ['lr', 'batchSize', ...Object.keys(extra)];
  const task: LoopTask = {
    kind: spec.kind,
    warnings: spec.warnings,
    batchSize: spec.settings.batchSize,
    get lr() {
      return lr;
    },
    async step() {
      if (!trainer) throw new Error(`${spec.kind}: the trainer was released`);
      const { step: _s, iteration: _i, ...metrics } = await spec.step(trainer, task.batchSize);
      return metrics;
    },
    update(changes) {
      for (const key of Object.keys(changes)) {
        if (!allowed.includes(key)) {
          throw new ArgumentError(
            `settings.${key}`,
            `cannot be changed in a ${spec.kind} loop; expected one of ${allowed.join(', ')}`,
          );
        }
      }
      for (const [key, value] of Object.entries(changes)) {
        if (key === 'lr') {
          trainer?.optimizer.setLearningRate(value as number); // validates
          lr = value as number;
        } else if (key === 'batchSize') {
          if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
            throw new ArgumentError(
              'settings.batchSize',
              `is ${String(value)}; expected an integer ≥ 1`,
            );
          }
          task.batchSize = value;
        } else {
          if (trainer) spec.apply?.(trainer, key, value);
          extra[key] = value;
        }
      }
    },
    release() {
      try {
        trainer?.dispose();
      } catch {
        // its moments lived on a lost device
      }
      trainer = null;
    },
    rebuild() {
      trainer = spec.create(lr, extra);
    },
    dispose() {
      trainer?.dispose();
      trainer = null;
    },
  };
  return task;
}

function picker(seed: number) {
  const rng = mulberry32(seed);
  return {
    pick: <X>(xs: X[], n: number): X[] =>
      Array.from({ length: n }, () => xs[Math.floor(rng() * xs.length)]),
    seed: () => Math.floor(rng() * 2 ** 31),
  };
}

function maxNewTokensFor(ctx: PolicyContext, s: SampleSettings): number {
  return s.maxNewTokens ?? Math.min(24, Math.floor(ctx.policy.model.config.blockSize / 2));
}

function sftTask(
  ctx: PolicyContext,
  examples: { prompt: string; response: string }[],
  s: LoopSettings,
) {
  if (!Array.isArray(examples) || examples.length === 0) {
    throw new ArgumentError('examples', 'is empty; give at least one prompt → response pair');
  }
  const tok = ctx.policy.tokenizer;
  const seqs: Sequence[] = examples.map((e, i) => {
    if (typeof e?.response !== 'string' || e.response.length === 0) {
      throw new ArgumentError('examples', `example ${i} has no response`);
    }
    return { prompt: tok.encode(e.prompt ?? ''), response: [...tok.encode(e.response), EOS_ID] };
  });
  const r = picker(s.seed ?? 0);
  return makeTask({
    kind: 'sft',
    settings: s,
    create: (lr) => new SftTrainer(ctx.policy.model, { lr }),
    step: (t, n) => t.step(r.pick(seqs, n)),
  });
}

function pretrainTask(ctx: PolicyContext, text: string, s: LoopSettings) {
  const tokens = ctx.policy.tokenizer.encode(typeof text === 'string' ? text : '');
  if (tokens.length < 3) throw new ArgumentError('text', 'is too short to pretrain on');
  const length = Math.min(ctx.policy.model.config.blockSize, tokens.length - 1);
  const rng = mulberry32(s.seed ?? 0);
  return makeTask({
    kind: 'pretrain',
    settings: s,
    create: (lr) => new SftTrainer(ctx.policy.model, { lr }),
    step: (t, n) => t.step(randomWindows(tokens, n, length, rng)),
  });
}

function ppoTask(ctx: PolicyContext, prompts: string[], s: TrainRequest & { kind: 'ppo' }) {
  const st = s.settings;
  const maxNewTokens = maxNewTokensFor(ctx, st);
  const tok = ctx.policy.tokenizer;
  const enc = encodePrompts(tok, prompts, ctx.policy.model.config.blockSize - maxNewTokens);
  const r = picker(st.seed ?? 0);
  const {
    klCoef,
    ppoEpochs,
    miniBatchSize,
    clipRange,
    clipRangeValue,
    vfCoef,
    adaptiveKl,
    targetKl,
    ptxCoef,
  } = st;
  const fixed = {
    ppoEpochs,
    miniBatchSize,
    clipRange,
    clipRangeValue,
    vfCoef,
    adaptiveKl,
    targetKl,
    ptxCoef,
  };
  const gold = goldScorer(st.gold, 'env');
  const ptxTokens =
    (ptxCoef ?? 0) > 0 ? tok.encode(typeof st.ptxText === 'string' ? st.ptxText : '') : null;
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
    extra: { klCoef: klCoef ?? 0.2 },
    create: (lr, extra) =>
      new PpoTrainer(ctx.policy.model, ctx.ref.model, {
        ...Object.fromEntries(Object.entries(fixed).filter(([, v]) => v !== undefined)),
        lr,
        klCoef: extra.klCoef as number,
        seed: st.seed ?? 0,
      }),
    apply: (t, key, value) => {
      if (key === 'klCoef') t.updateSettings({ klCoef: value as number });
    },
    async step(t, n) {
      const chosen = r.pick(enc.ids, n);
      // PPO's ratio and KL need samples from the policy itself: no top-k/top-p.
      const out = await sample(ctx.policy.model, chosen, { maxNewTokens, seed: r.seed() });
      const items = chosen.map((p, i) => ({
        prompt: tok.decode(p),
        response: tok.decode(out.tokens[i]),
      }));
      const scores = await ctx.scorer().score(items);
      const ptx = ptxTokens
        ? randomWindows(ptxTokens, miniBatchSize ?? 8, PTX_WINDOW, ptxRng)
        : undefined;
      const metrics = await t.step({ prompts: chosen, responses: out.tokens, scores, ptx });
      return { ...metrics, ...gold(items) };
    },
  });
}

function rrhfTask(ctx: PolicyContext, req: TrainRequest & { kind: 'rrhf' }) {
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
  const fromSft = checkCandidates(st.candidates ?? 'sft') === 'sft';
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
    async step(t, n) {
      const chosen = r.pick(enc.ids, n);
      const rows = chosen.flatMap((p) => Array.from({ length: k }, () => p));
      const o = { maxNewTokens, temperature: extra.temperature as number };
      const out = await sample(fromSft ? ctx.ref.model : ctx.policy.model, rows, {
        ...o,
        seed: r.seed(),
      });
      // Candidates from SFT say nothing of the policy's progress: one answer per prompt
      // from the policy is scored beside them for the curves (RM and gold).
      const own = fromSft
        ? (await sample(ctx.policy.model, chosen, { ...o, seed: r.seed() })).tokens
        : [];
      const texts = (prompts: number[][], answers: number[][]) =>
        prompts.map((p, i) => ({ prompt: tok.decode(p), response: tok.decode(answers[i]) }));
      const items = texts(rows, out.tokens);
      const policyItems = fromSft ? texts(chosen, own) : items;
      const scores = await ctx.scorer().score(fromSft ? [...items, ...policyItems] : items);
      const groups = chosen.map((prompt, g) => ({
        prompt,
        candidates: out.tokens.slice(g * k, g * k + k),
        scores: scores.slice(g * k, g * k + k),
      }));
      const metrics = await t.step(groups);
      const policyScores = scores.slice(scores.length - policyItems.length);
      const rmMean = policyScores.reduce((a, b) => a + b, 0) / policyScores.length;
      return {
        ...metrics,
        'env/reward_mean': rmMean,
        'rrhf/reward_mean': rmMean,
        ...gold(policyItems),
      };
    },
  });
}

function checkCandidates(c: unknown): 'sft' | 'policy' {
  if (c !== 'sft' && c !== 'policy') {
    throw new ArgumentError(
      'settings.candidates',
      `is ${JSON.stringify(c)}; expected sft or policy`,
    );
  }
  return c;
}

export function makePolicyTask(ctx: PolicyContext, req: TrainRequest): LoopTask {
  if (!req || typeof req !== 'object' || !req.settings) {
    throw new ArgumentError('request', 'needs a kind and settings');
  }
  switch (req.kind) {
    case 'sft':
      return sftTask(ctx, req.examples, req.settings);
    case 'pretrain':
      return pretrainTask(ctx, req.text, req.settings);
    case 'ppo':
      return ppoTask(ctx, req.prompts, req);
    case 'rrhf':
      return rrhfTask(ctx, req);
    default:
      throw new ArgumentError(
        'kind',
        `is ${JSON.stringify((req as { kind: unknown }).kind)}; expected sft, pretrain, ppo or rrhf`,
      );
  }
}
