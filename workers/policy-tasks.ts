// The policy worker's training loops as LoopTasks: SFT on demonstrations,
// pretraining on a user's text, and PPO and RRHF (feedback-tasks.ts). Each
// wraps a core trainer (trainer-task.ts); the loop (training-loop.ts) does the
// pausing, snapshots and recovery.
import {
  ArgumentError,
  EOS_ID,
  SftTrainer,
  mulberry32,
  randomWindows,
  type Sequence,
} from '../src/core';
import { ppoTask, rrhfTask } from './feedback-tasks';
import { dpoTask } from './dpo-task';
import { groupTask } from './group-task';
import type { PolicyContext, TrainRequest } from './policy-requests';
import { makeTask, picker } from './trainer-task';
import type { LoopSettings, LoopTask } from './training-loop';

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
    case 'dpo':
      return dpoTask(ctx, req);
    case 'grpo':
      return groupTask(ctx, req);
    default:
      throw new ArgumentError(
        'kind',
        `is ${JSON.stringify((req as { kind: unknown }).kind)}; expected sft, pretrain, ppo, rrhf, dpo or grpo`,
      );
  }
}
