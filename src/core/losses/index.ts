export { maskedSum, maskedMean, maskedVar } from './masked';
export { rankingLoss, directScoreLoss } from './ranking';
export { whiten, klPenalizedRewards, ppoPolicyLoss, ppoValueLoss } from './ppo';
export type { KlRewardsInput, PolicyLossInput, ValueLossInput } from './ppo';
export { gae, gaeMasked } from './gae';
export { AdaptiveKLController, FixedKLController } from './kl-controller';
export type { KLController } from './kl-controller';
export { rrhfLoss } from './rrhf';
export type { RrhfInput } from './rrhf';
export { dpoLoss, DPO_LOSS_TYPES } from './dpo';
export type { DpoInput, DpoOutput, DpoLossType } from './dpo';
export {
  groupAdvantages,
  grpoLoss,
  GROUP_MODES,
  GRPO_NORMALISATIONS,
  GRPO_STD_EPSILON,
} from './grpo';
export type { GroupMode, GrpoNormalise, GrpoLossInput, GrpoLossOutput } from './grpo';
