// The curves the Optimise stage draws, under the names TRL's trainers log
// them by (PPOTrainer, DPOTrainer, GRPOTrainer), RRHF's, and, with two
// optimisers at once, the gold score of both on shared axes.
// Functions, not constants: titles are read in the page's language at call.
import type { ChartLine } from '../measures/chart-plot';
import { t } from '../i18n/index.svelte';
import { OPTIMISER_NAMES, goldMetric, rewardMetric, type OptimiserKind } from '../optimisers';

export interface ChartSpec {
  id: string;
  title: string;
  lines: ChartLine[];
}

/** A line of one optimiser's run, in its colour unless another is named. */
const line =
  (run: OptimiserKind) =>
  (metric: string, label = metric, color = `--${run}`): ChartLine => ({
    run,
    metric,
    label,
    color,
  });
const ppo = line('ppo');
const rrhf = line('rrhf');
const dpo = line('dpo');
const grpo = line('grpo');

// The gold labeler's score of the same samples, on the right axis: the optimiser never sees it.
const gold = (run: OptimiserKind, metric: string): ChartLine => ({
  run,
  metric,
  label: `${metric} (${t('opt.chart.goldLine')})`,
  color: '--good',
  dash: true,
  right: true,
});

export function ppoCharts(): ChartSpec[] {
  return [
    {
      id: 'ppo-reward',
      title: t('opt.chart.reward'),
      lines: [ppo('env/reward_mean'), gold('ppo', 'env/gold_mean')],
    },
    {
      id: 'ppo-kl',
      title: t('opt.chart.kl'),
      lines: [
        ppo('objective/kl'),
        {
          ...ppo('objective/kl_coef', `objective/kl_coef (${t('opt.chart.beta')})`, '--heldout'),
          right: true,
        },
      ],
    },
    { id: 'ppo-loss-policy', title: t('opt.chart.policyLoss'), lines: [ppo('ppo/loss/policy')] },
    { id: 'ppo-loss-value', title: t('opt.chart.valueLoss'), lines: [ppo('ppo/loss/value')] },
    { id: 'ppo-clipfrac', title: t('opt.chart.clipfrac'), lines: [ppo('ppo/policy/clipfrac')] },
    { id: 'ppo-entropy', title: t('opt.chart.entropy'), lines: [ppo('objective/entropy')] },
    {
      id: 'ppo-length',
      title: t('opt.chart.length'),
      lines: [ppo('tokens/responses_len_mean')],
    },
  ];
}

export function rrhfCharts(): ChartSpec[] {
  return [
    {
      id: 'rrhf-best',
      title: t('opt.chart.rrhfBest'),
      lines: [rrhf('rrhf/reward_mean'), gold('rrhf', 'rrhf/gold_mean')],
    },
    { id: 'rrhf-loss-rank', title: t('opt.chart.rrhfRank'), lines: [rrhf('rrhf/loss/rank')] },
    { id: 'rrhf-loss-sft', title: t('opt.chart.rrhfSft'), lines: [rrhf('rrhf/loss/sft')] },
    { id: 'rrhf-loss-total', title: t('opt.chart.rrhfTotal'), lines: [rrhf('rrhf/loss/total')] },
  ];
}

export function dpoCharts(): ChartSpec[] {
  return [
    {
      id: 'dpo-rewards',
      title: t('opt.chart.dpoRewards'),
      lines: [dpo('rewards/chosen'), dpo('rewards/rejected', 'rewards/rejected', '--heldout')],
    },
    {
      id: 'dpo-margins',
      title: t('opt.chart.dpoMargins'),
      lines: [
        dpo('rewards/margins'),
        { ...dpo('rewards/accuracies', 'rewards/accuracies', '--heldout'), right: true },
      ],
    },
    { id: 'dpo-loss', title: t('opt.chart.dpoLoss'), lines: [dpo('loss')] },
    {
      id: 'dpo-logps',
      title: t('opt.chart.dpoLogps'),
      lines: [dpo('logps/chosen'), dpo('logps/rejected', 'logps/rejected', '--heldout')],
    },
    {
      id: 'dpo-gold',
      title: t('opt.chart.dpoGold'),
      lines: [dpo('dpo/gold_mean', `dpo/gold_mean (${t('opt.chart.goldName')})`)],
    },
  ];
}

export function grpoCharts(): ChartSpec[] {
  return [
    {
      id: 'grpo-reward',
      title: t('opt.chart.grpoReward'),
      lines: [grpo('reward'), gold('grpo', 'grpo/gold_mean')],
    },
    { id: 'grpo-kl', title: t('opt.chart.grpoKl'), lines: [grpo('kl')] },
    { id: 'grpo-loss', title: t('opt.chart.grpoLoss'), lines: [grpo('loss')] },
    { id: 'grpo-clip', title: t('opt.chart.grpoClip'), lines: [grpo('clip_ratio')] },
    {
      id: 'grpo-spread',
      title: t('opt.chart.grpoSpread'),
      lines: [
        grpo('reward_std'),
        { ...grpo('frac_reward_zero_std', 'frac_reward_zero_std', '--heldout'), right: true },
      ],
    },
    { id: 'grpo-length', title: t('opt.chart.length'), lines: [grpo('completion_length')] },
  ];
}

/** Each optimiser's own charts. */
export function chartsOf(kind: OptimiserKind): ChartSpec[] {
  return { ppo: ppoCharts, rrhf: rrhfCharts, dpo: dpoCharts, grpo: grpoCharts }[kind]();
}

/**
 * With two optimisers at once: the gold score of both (solid), the one
 * measure every optimiser shares, and the reward model's score of those that
 * learn from it (dashed, right axis).
 */
export function sharedChart(kinds: readonly OptimiserKind[]): ChartSpec {
  const lines: ChartLine[] = kinds.map((k) => ({
    run: k,
    metric: goldMetric(k),
    label: t('opt.chart.sharedGold', { name: OPTIMISER_NAMES[k] }),
    color: `--${k}`,
  }));
  for (const k of kinds) {
    const metric = rewardMetric(k);
    if (!metric) continue;
    lines.push({
      run: k,
      metric,
      label: t('opt.chart.sharedRm', { name: OPTIMISER_NAMES[k] }),
      color: `--${k}`,
      dash: true,
      right: true,
    });
  }
  return { id: 'shared', title: t('opt.chart.shared'), lines };
}
