// The policy worker: the policy (a GPT whose scalar head is PPO's value head)
// and the frozen reference (SFT) model. It samples K completions per prompt,
// streaming each token, and runs the SFT, pretraining, PPO and RRHF loops.
// PPO and RRHF get their scores from the reward worker over a MessageChannel
// the page hands over (`connectReward`), so scoring never passes the page.
// The page imports `PolicyApi` (a type) from here; see src/lib/worker-client.ts.
import { expose, releaseProxy, transfer, wrap, type Remote } from 'comlink';
import {
  ArgumentError,
  copyWeights,
  gptFromWeights,
  readWeights,
  sample as sampleTokens,
  type CharTokenizer,
  type GPT,
} from '../src/core';
import {
  checkK,
  describeModel,
  encodePrompts,
  freshModel,
  modelFromCheckpoint,
  tokenizerFor,
  type ModelInfo,
  type ModelRequest,
} from './model-setup';
import { ModelSlot } from './model-slot';
import { measurePolicy, type MeasureRequest, type Measures } from './policy-measures';
import type { TrainRequest } from './policy-requests';
import { makePolicyTask } from './policy-tasks';
import { installErrorTransfer } from './remote-error';
import type { RewardPortApi } from './reward.worker';
import type { LoopEvent, LoopSummary } from './training-loop';
import { WorkerRuntime } from './worker-runtime';

installErrorTransfer();

let policy: ModelSlot | null = null;
let ref: ModelSlot | null = null;
let reward: Remote<RewardPortApi> | null = null;
// The policy first: its step is the one notices report.
const runtime = new WorkerRuntime(() => (policy && ref ? [policy, ref] : []));

export interface SampleRequest {
  prompts: string[];
  /** Completions per prompt, 2..9. Default 4. */
  k?: number;
  maxNewTokens?: number;
  temperature?: number;
  topK?: number;
  topP?: number;
  seed?: number;
}

/** One streamed token for every row (row = prompt × k + j); '' once a row has ended. */
export interface TokenEvent {
  step: number;
  text: string[];
}

export interface SampleReport {
  completions: { prompt: string; texts: string[]; tokens: number[][]; logprobs: number[][] }[];
  /** Per prompt: tokens dropped from its left to fit the context. */
  truncated: number[];
  warnings: string[];
  tokens: number;
  ms: number;
  tokensPerSecond: number;
}

export interface Checkpoints {
  policy: Uint8Array;
  reference: Uint8Array;
  step: number;
}

function models(): { policy: ModelSlot; ref: ModelSlot } {
  if (!policy || !ref) {
    throw new ArgumentError(
      'model',
      'none is loaded yet: call createModel or loadCheckpoint first',
    );
  }
  return { policy, ref };
}

async function install(model: GPT, tokenizer: CharTokenizer, step: number, refModel?: GPT) {
  if (runtime.control.state !== 'idle') {
    model.dispose();
    refModel?.dispose();
    throw new ArgumentError(
      'model',
      'cannot be replaced while a training loop runs; stop it first',
    );
  }
  policy?.dispose();
  ref?.dispose();
  policy = await ModelSlot.create(model, tokenizer, step);
  const frozen = refModel ?? gptFromWeights(model.config, await readWeights(model));
  ref = await ModelSlot.create(frozen, tokenizer, step);
  return describeModel(model, tokenizer, step, runtime.requireInit());
}

async function createModel(req: ModelRequest): Promise<ModelInfo> {
  await runtime.ensureDevice();
  const tokenizer = tokenizerFor(req);
  return install(freshModel(req, tokenizer, runtime.report!.modelSize), tokenizer, 0);
}

/** A policy checkpoint, and optionally a separate reference (else the policy is the reference). */
async function loadCheckpoint(bytes: Uint8Array, reference?: Uint8Array): Promise<ModelInfo> {
  await runtime.ensureDevice();
  const p = await modelFromCheckpoint(bytes);
  if (!reference) return install(p.model, p.tokenizer, p.meta.step);
  const r = await modelFromCheckpoint(reference).catch((e: unknown) => {
    p.model.dispose();
    throw e;
  });
  if (r.tokenizer.vocabSize !== p.tokenizer.vocabSize) {
    p.model.dispose();
    r.model.dispose();
    throw new ArgumentError('reference', 'has a different vocabulary from the policy');
  }
  return install(p.model, p.tokenizer, p.meta.step, r.model);
}

async function checkpoint(): Promise<Checkpoints> {
  await runtime.ensureDevice();
  const m = models();
  const out = {
    policy: await m.policy.checkpoint(),
    reference: await m.ref.checkpoint(),
    step: m.policy.step,
  };
  return transfer(out, [out.policy.buffer, out.reference.buffer]);
}

/** The reference becomes a frozen copy of the policy as it is now (after SFT, before PPO). */
async function freezeReference(): Promise<void> {
  await runtime.ensureDevice();
  const m = models();
  copyWeights(m.policy.model, m.ref.model);
  m.ref.step = m.policy.step;
  await m.ref.snapshot();
}

async function sample(
  req: SampleRequest,
  onToken?: (e: TokenEvent) => void,
): Promise<SampleReport> {
  await runtime.ensureDevice();
  const { policy: p } = models();
  if (!req || typeof req !== 'object') throw new ArgumentError('request', 'must be an object');
  const k = checkK(req.k ?? 4);
  const T = p.model.config.blockSize;
  const maxNewTokens = req.maxNewTokens ?? Math.min(32, Math.floor(T / 2));
  if (!Number.isInteger(maxNewTokens) || maxNewTokens < 1 || maxNewTokens >= T) {
    throw new ArgumentError(
      'maxNewTokens',
      `is ${maxNewTokens}; expected an integer in [1, ${T - 1}]`,
    );
  }
  const tok = p.tokenizer;
  const enc = encodePrompts(tok, req.prompts, T - maxNewTokens);
  const rows = enc.ids.flatMap((ids) => Array.from({ length: k }, () => ids));
  // The result must not overtake the last streamed token (they travel on different ports).
  let delivered: Promise<unknown> = Promise.resolve();
  const stream = onToken
    ? (step: number, ids: Int32Array) => {
        const r: unknown = onToken({ step, text: Array.from(ids, (id) => tok.decode([id])) });
        if (r instanceof Promise) delivered = r.catch(() => undefined);
      }
    : undefined;
  const t0 = performance.now();
  let out: Awaited<ReturnType<typeof sampleTokens>>;
  try {
    // `stop` ends the batch at the next token; the rows keep what they have.
    out = await runtime.stoppable((stopped) =>
      runtime.guarded(() =>
        sampleTokens(p.model, rows, {
          maxNewTokens,
          temperature: req.temperature,
          topK: req.topK,
          topP: req.topP,
          seed: req.seed ?? 0,
          onToken: stream,
          stopped,
        }),
      ),
    );
  } finally {
    await delivered;
    // Frees the page side of the proxied callback (a no-op for a local function).
    (onToken as { [releaseProxy]?: () => void } | undefined)?.[releaseProxy]?.();
  }
  const ms = performance.now() - t0;
  const tokens = out.tokens.reduce((n, r) => n + r.length, 0);
  const completions = req.prompts.map((prompt, i) => {
    const mine = out.tokens.slice(i * k, i * k + k);
    return {
      prompt,
      texts: mine.map((t) => tok.decode(t)),
      tokens: mine,
      logprobs: out.logprobs.slice(i * k, i * k + k),
    };
  });
  return {
    completions,
    truncated: enc.truncated,
    warnings: enc.warnings,
    tokens,
    ms,
    tokensPerSecond: (tokens * 1000) / ms,
  };
}

/** KL to the reference and held-out perplexity of the policy as it is now (Evaluate). */
async function measure(req: MeasureRequest): Promise<Measures> {
  await runtime.ensureDevice();
  const m = models();
  return runtime.guarded(() => measurePolicy(m.policy.model, m.ref.model, m.policy.tokenizer, req));
}

async function train(req: TrainRequest, onEvent?: (e: LoopEvent) => void): Promise<LoopSummary> {
  await runtime.ensureDevice();
  const m = models();
  const needsScores =
    req?.kind === 'ppo' || req?.kind === 'grpo' || (req?.kind === 'rrhf' && !req.groups);
  if (needsScores && !reward) {
    throw new ArgumentError(
      'reward',
      `no reward worker is connected; ${req.kind} needs its scores`,
    );
  }
  const task = makePolicyTask({ ...m, scorer: () => reward! }, req);
  return runtime.run(task, m.policy, req.settings, onEvent, () => m.policy.checkpoint());
}

const api = {
  ...runtime.commonApi(),
  /** One end of the page's MessageChannel; the other end is the reward worker's. */
  connectReward(port: MessagePort): void {
    reward = wrap<RewardPortApi>(port);
  },
  createModel,
  loadCheckpoint,
  checkpoint,
  freezeReference,
  info: (): ModelInfo => {
    const m = models();
    return describeModel(m.policy.model, m.policy.tokenizer, m.policy.step, runtime.requireInit());
  },
  sample,
  measure,
  train,
};

export type PolicyApi = typeof api;
expose(api);
