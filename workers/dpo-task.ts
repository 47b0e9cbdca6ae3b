// The policy worker's DPO loop: the policy learns straight from a person's
// rankings, every pair of each ranking (ties skipped), against the frozen SFT
// model as the reference. No reward model and no sampling in the update; one
// answer to each of a few prompts is sampled after each step for the gold
// curve and the replay of training.
import { ArgumentError, DpoTrainer, EOS_ID, dpoPairs, sample, type DpoPair } from '../src/core';
import { goldScorer } from './feedback-tasks';
import { iterationSamples } from './iteration-samples';
import { encodePrompts } from './model-setup';
import type { PolicyContext, TrainRequest } from './policy-requests';
import { makeTask, maxNewTokensFor, picker } from './trainer-task';

export function dpoTask(ctx: PolicyContext, req: TrainRequest & { kind: 'dpo' }) {
  const st = req.settings;
  const tok = ctx.policy.tokenizer;
  const r = picker(st.seed ?? 0);
  if (!Array.isArray(req.groups) || req.groups.length === 0) {
    throw new ArgumentError('groups', 'is empty; DPO learns from rankings');
  }
  const pairs: DpoPair[] = req.groups.flatMap((g) =>
    dpoPairs(
      tok.encode(g.prompt),
      g.candidates.map((c) => [...tok.encode(c), EOS_ID]),
      g.ranks,
    ),
  );
  if (pairs.length === 0) throw new ArgumentError('groups', 'hold no pair that is not a tie');
  const extra = { beta: st.beta ?? 0.1, loss: st.loss ?? 'sigmoid' };
  const gold = goldScorer(st.gold, 'dpo');
  const maxNewTokens = maxNewTokensFor(ctx, st);
  const prompts = encodePrompts(
    tok,
    req.prompts ?? req.groups.map((g) => g.prompt),
    ctx.policy.model.config.blockSize - maxNewTokens,
  );
  return makeTask({
    kind: 'dpo',
    warnings: prompts.warnings,
    settings: st,
    extra,
    create: (lr, x) =>
      new DpoTrainer(ctx.policy.model, ctx.ref.model, {
        lr,
        beta: x.beta as number,
        loss: x.loss as 'sigmoid' | 'ipo',
      }),
    apply(t, key, value) {
      if (key === 'beta') t.beta = value as number;
      if (key === 'loss') t.loss = value as 'sigmoid' | 'ipo';
    },
    async step(t, n, show) {
      const metrics = await t.step(r.pick(pairs, n));
      // What the policy writes now, for the gold curve: one answer to each of a few prompts.
      const chosen = r.pick(prompts.ids, Math.min(4, prompts.ids.length));
      const out = await sample(ctx.policy.model, chosen, {
        maxNewTokens,
        temperature: st.temperature ?? 1,
        seed: r.seed(),
      });
      const items = chosen.map((p, i) => ({
        prompt: tok.decode(p),
        response: tok.decode(out.tokens[i]),
      }));
      // No reward model here: the answers have gold scores only.
      show(
        await iterationSamples(tok, ctx.ref.model, {
          prompts: chosen,
          responses: out.tokens,
          logprobs: out.logprobs,
          gold: (rows) => gold.each(rows.map((i) => items[i])),
        }),
      );
      return { ...metrics, ...gold(items) };
    },
  });
}
