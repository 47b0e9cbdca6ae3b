export { maskedSum, maskedMean, maskedVar } from './masked';
export { rankingLoss, directScoreLoss } from './ranking';
export { whiten, klPenalizedRewards, ppoPolicyLoss, ppoValueLoss } from './ppo';
export type { KlRewardsInput, PolicyLossInput, ValueLossInput } from './ppo';
export { gae, gaeMasked } from './gae';
export { AdaptiveKLController, FixedKLController } from './kl-controller';
export type { KLController } from './kl-controller';
export { rrhfLoss } from './rrhf';
export type { RrhfInput } from './rrhf';
