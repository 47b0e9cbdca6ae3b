/**
 * The public surface of the ML core: tokenizer, GPT, sampling, the RLHF
 * objectives and trainers (SFT, reward model, PPO, RRHF, DPO/IPO, GRPO/Dr.
 * GRPO/RLOO), best-of-n, checkpoints. Pure TypeScript + tfjs: no DOM, no
 * Svelte, no worker code, so it runs in workers and in Node alike.
 */
export { ArgumentError } from './errors';
export { CharTokenizer, PAD_ID, BOS_ID, EOS_ID, UNK_ID } from './tokenizer';
export type { TokenizerJSON, EncodeReport } from './tokenizer';
export { mulberry32, permutation } from './random';
export { corpusUnits } from './corpus-units';
export { GPT, createGPT, gptFromWeights } from './model/gpt';
export type { ForwardResult } from './model/gpt';
export { MODEL_SIZES, validateConfig } from './model/config';
export type { GPTConfig, ModelSize } from './model/config';
export { parameterShapes } from './model/params';
export { disposeCache } from './model/kv-cache';
export type { KVCache } from './model/kv-cache';
export { lmLoss, tokenLogprobs, tokenEntropy } from './model/lm-losses';
export { sample, leftPad } from './sample';
export { filterLogits } from './sample-step';
export type { SampleOptions, SampleResult } from './sample';
export * from './losses';
export { Optimizer, NonFiniteError } from './train/optimizer';
export type { OptimizerSettings } from './train/optimizer';
export { packSequences } from './train/batch';
export type { Sequence } from './train/batch';
export { SftTrainer, randomWindows } from './train/sft';
export { RewardModelTrainer } from './train/reward-model';
export { withCutOffAnswers, withCutOffAnswersIf, cutOffAnswer, CUT_OFF_SHARES } from './cut-off';
export type { TokenPreference, RewardObjective } from './train/reward-model';
export { REWARD_READOUTS, type RewardReadout } from './train/reward-head';
export {
  preferenceFromRow,
  tiersToRanks,
  ranksToTiers,
  ranksFromScores,
  gradeToTarget,
  ranksToGrades,
  ranksOf,
  directTargets,
  rankingToPairs,
  comparisonCount,
  rankedOnly,
  preferenceProblem,
  checkPreferences,
} from './preferences';
export type { Preference, RankedPreference, PreferenceRow } from './preferences';
export { PpoTrainer } from './train/ppo';
export type { PpoBatch } from './train/ppo';
export { PPO_DEFAULTS } from './train/ppo-settings';
export type { PpoSettings } from './train/ppo-settings';
export { RrhfTrainer, ranksToScores } from './train/rrhf';
export type { RrhfGroup, RrhfSettings } from './train/rrhf';
export { DpoTrainer, dpoPairs } from './train/dpo';
export type { DpoPair, DpoSettings } from './train/dpo';
export { GroupTrainer } from './train/grpo';
export type { CompletionGroup, GroupSettings } from './train/grpo';
export { bestOfN, bestOfNKlBound } from './train/best-of-n';
export { penaliseMissingEos } from './train/missing-eos';
export {
  saveCheckpoint,
  loadCheckpoint,
  readSafetensorsHeader,
  copyWeights,
  readWeights,
  writeWeights,
  CHECKPOINT_FORMAT,
} from './checkpoint';
export type { LoadedCheckpoint, CheckpointMeta } from './checkpoint';
export {
  Z95,
  wilsonInterval,
  pairedWinRate,
  pairAgreement,
  totalAgreement,
  noisyGrade,
  labelGroup,
  gaussian,
  mean,
} from './statistics';
export type { Proportion, Agreement, Grader } from './statistics';
export { attentionCoreReference } from './ops/attention';
export {
  fusedCausalAttention,
  fusedAttentionActive,
  setFusedAttention,
} from './ops/fused-attention';
export {
  checkAttention,
  largestError,
  verifyFusedAttention,
  ATTENTION_CHECK_CASES,
} from './ops/attention-check';
export type { AttentionCheck, AttentionCase, AttentionCaseReport } from './ops/attention-check';
