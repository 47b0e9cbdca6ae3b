// The curves the Optimise stage draws: PPO's under the names TRL's
// PPOTrainer logs them by, RRHF's, and the reward of both on shared axes.
// Functions, not constants: titles are read in the page's language at call.
import type { ChartLine } from '../measures/chart-plot';
import { t } from '../i18n/index.svelte';

export interface ChartSpec {
  id: string;
  title: string;
  lines: ChartLine[];
}

const ppo = (metric: string, label = metric, color = '--ppo'): ChartLine => ({
  run: 'ppo',
  metric,
  label,
  color,
});
const rrhf = (metric: string, label = metric): ChartLine => ({
  run: 'rrhf',
  metric,
  label,
  color: '--rrhf',
});

// The gold labeler's score of the same samples, on the right axis: the optimiser never sees it.
const gold = (run: 'ppo' | 'rrhf', metric: string): ChartLine => ({
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

/** With both optimisers: their reward on one chart. */
export function sharedRewardChart(): ChartSpec {
  return {
    id: 'shared-reward',
    title: t('opt.chart.shared'),
    lines: [
      ppo('env/reward_mean', t('opt.chart.sharedPpo')),
      rrhf('rrhf/reward_mean', t('opt.chart.sharedRrhf')),
    ],
  };
}
