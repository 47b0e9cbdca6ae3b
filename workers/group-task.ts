// The policy worker's group loop (GRPO, Dr. GRPO, RLOO): for each prompt the
// policy writes K answers, the reward worker scores them, and each answer's
// advantage is its reward against the others in its group — no value model,
// the group is the baseline. A PPO-style clipped update with a k3 KL term to
// the frozen SFT model (src/core/train/grpo.ts). The gold labeler scores the
// same answers for the curves.
import { GroupTrainer, mean, sample, type CompletionGroup, type GroupMode } from '../src/core';
import { goldScorer, optimiserScores } from './feedback-tasks';
import { iterationSamples } from './iteration-samples';
import { checkK, encodePrompts } from './model-setup';
import type { PolicyContext, TrainRequest } from './policy-requests';
import { makeTask, maxNewTokensFor, picker } from './trainer-task';

export function groupTask(ctx: PolicyContext, req: TrainRequest & { kind: 'grpo' }) {
  const st = req.settings;
  const tok = ctx.policy.tokenizer;
  const r = picker(st.seed ?? 0);
  const k = checkK(st.k ?? 4);
  const maxNewTokens = maxNewTokensFor(ctx, st);
  const enc = encodePrompts(tok, req.prompts, ctx.policy.model.config.blockSize - maxNewTokens);
  const extra = { mode: st.mode ?? 'grpo', beta: st.beta ?? 0.04 };
  const gold = goldScorer(st.gold, 'grpo');
  return makeTask({
    kind: 'grpo',
    warnings: enc.warnings,
    settings: st,
    extra,
    create: (lr, x) =>
      new GroupTrainer(ctx.policy.model, ctx.ref.model, {
        lr,
        mode: x.mode as GroupMode,
        beta: x.beta as number,
      }),
    apply(t, key, value) {
      if (key === 'mode') t.mode = value as GroupMode;
      if (key === 'beta') t.beta = value as number;
    },
    async step(t, n, show) {
      const chosen = r.pick(enc.ids, n);
      const rows = chosen.flatMap((p) => Array.from({ length: k }, () => p));
      // At T = 1, as PPO's rollouts: the update's ratio is to the policy that sampled them.
      const out = await sample(ctx.policy.model, rows, { maxNewTokens, seed: r.seed() });
      const items = rows.map((p, i) => ({
        prompt: tok.decode(p),
        response: tok.decode(out.tokens[i]),
      }));
      const scores = await optimiserScores(ctx, items, out.tokens, st);
      const groups: CompletionGroup[] = chosen.map((prompt, g) => ({
        prompt,
        completions: out.tokens.slice(g * k, g * k + k),
        rewards: scores.slice(g * k, g * k + k),
      }));
      // Before the update: the KL of the policy that wrote them.
      const samples = await iterationSamples(tok, ctx.ref.model, {
        prompts: rows,
        responses: out.tokens,
        logprobs: out.logprobs,
        rm: scores,
        gold: (shown) => gold.each(shown.map((i) => items[i])),
      });
      const metrics = await t.step(groups);
      show(samples);
      return { ...metrics, 'grpo/reward_mean': mean(scores), ...gold(items) };
    },
  });
}
